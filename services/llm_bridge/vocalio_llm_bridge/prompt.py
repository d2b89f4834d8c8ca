"""Versioned prompts. The version is part of the cache key, so changing a prompt means adding a new
version (and pointing VOCALIO_LLM_PROMPT_VERSION at it), never editing one in place: cached answers
of the old wording would otherwise be served as if the new one had produced them.
"""

from dataclasses import dataclass

from vocalio_shared.regions import Region

# How each variant is named to the model; the numbers and symbols are read the way that region reads them.
REGION_DESCRIPTIONS: dict[Region | None, str] = {
    None: "español neutro, comprensible en toda Hispanoamérica y España",
    Region.NEUTRAL: "español neutro, comprensible en toda Hispanoamérica y España",
    Region.RIOPLATENSE: "español rioplatense (Argentina y Uruguay)",
    Region.COLOMBIAN: "español de Colombia",
    Region.MEXICAN: "español de México",
    Region.CHILEAN: "español de Chile",
    Region.CARIBBEAN: "español caribeño (Cuba, Puerto Rico, República Dominicana, Venezuela)",
    Region.ANDEAN: "español andino (Perú, Bolivia, Ecuador)",
    Region.PENINSULAR: "español de España (peninsular)",
}

_SYSTEM_V1 = """\
Eres un editor que prepara textos para audiolibros narrados en {region}.
Reescribe el texto que te da el usuario para que se lea en voz alta con naturalidad:
- Escribe con palabras los números, cifras, fechas, horas, porcentajes, monedas, unidades y símbolos, \
tal como se dirían en {region}.
- Desarrolla las abreviaturas (Sr., Dra., etc., km) y las siglas que se leen letra a letra.
- Conserva todos los hechos, cifras y nombres propios, en el mismo orden. No resumas, no añadas \
información, no traduzcas, no comentes ni expliques nada.
- Mantén la puntuación que ayuda a la lectura y el mismo registro del original.{style}
Responde solo con un objeto JSON de la forma {{"text": "<texto reescrito>"}}."""


@dataclass(frozen=True)
class Prompt:
    version: str
    system_template: str

    def messages(self, text: str, region: Region | None, style: str | None) -> list[dict[str, str]]:
        style_line = f"\n- Estilo de lectura pedido: {style.strip()}." if style and style.strip() else ""
        system = self.system_template.format(region=REGION_DESCRIPTIONS[region], style=style_line)
        # The text goes alone in the user turn so instructions inside it are less likely to be read as ours.
        return [{"role": "system", "content": system}, {"role": "user", "content": text}]


PROMPTS: dict[str, Prompt] = {"v1": Prompt(version="v1", system_template=_SYSTEM_V1)}

# Structured output: Ollama constrains the answer to this JSON schema, so "malformed" means the model
# or the server misbehaved, not that it chatted around the text.
RESPONSE_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {"text": {"type": "string"}},
    "required": ["text"],
}
