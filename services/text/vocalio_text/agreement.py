"""Which form a number takes, judged from the word that follows it (its noun, if any).

Spanish has no reliable gender marker, so this is a small grammar: common endings plus the usual
exceptions. When the next word is not a noun (a preposition, a conjunction, a verb, punctuation)
the number keeps its citation form: "tengo 21 y ella 30" -> "veintiuno", "30".
"""

import re

from vocalio_text.numbers import SCALE_WORDS, Form


def _words(text: str) -> list[str]:
    """Word lists are kept as readable blocks of text."""
    return text.split()


# Words after which a number is not modifying a noun.
_NOT_NOUNS = frozenset(
    _words(
        """
    de del a al y e o u ni en con por para sin sobre entre hasta desde hacia según tras que como
    cuando donde si no más menos es son fue fueron era eran será serán ha han había habían hay se le
    lo la los las el un una unos unas su sus mi mis tu tus este esta estos estas ese esa esos esas
    aquel aquella ya también solo sólo muy pero sino aunque porque pues veces vez antes después
    aproximadamente atrás más menos exactamente justo ante bajo contra durante mediante versus vs ka
    """
    )
) - {"vez", "veces"}

_MASCULINE_IN_A = frozenset(
    _words(
        """
    día días mapa mapas problema problemas programa programas sistema sistemas tema temas idioma
    idiomas planeta planetas clima climas poema poemas dilema dilemas drama dramas esquema esquemas
    fantasma fantasmas pijama pijamas síntoma síntomas teorema teoremas lema lemas enigma enigmas
    dogma dogmas cometa cometas tranvía tranvías sofá sofás papá papás aroma aromas diploma diplomas
    emblema emblemas crucigrama crucigramas diagrama diagramas telegrama telegramas holograma
    hologramas panda pandas karma gorila gorilas yoga delta deltas alfa omega quórum atleta atletas
    policía policías guía guías colega colegas córdoba córdobas
    """
    )
)

_FEMININE_OTHER = frozenset(
    _words(
        """
    vez veces mujer mujeres noche noches parte partes calle calles clase clases llave llaves nave
    naves fuente fuentes muerte muertes suerte madre madres leche carne carnes sangre flor flores
    mano manos foto fotos moto motos radio red redes ley leyes sal piel pieles luz luces cruz cruces
    voz voces paz imagen imágenes razón razones canción canciones nación naciones región regiones
    unión opinión opiniones edición ediciones sesión sesiones versión versiones misión misiones
    frase frases torre torres gente serie series especie especies superficie superficies base bases
    tarde tardes fe hambre nube nubes llave catedral catedrales capital ciudad ciudades sociedad
    unidad unidades universidad universidades actitud virtud juventud costumbre costumbres crisis
    tesis dosis hipótesis síntesis col cárcel cárceles miel sed pared paredes
    """
    )
)
_MASCULINE_OTHER = frozenset(
    _words(
        """
    avión aviones camión camiones millón millones billón billones gorrión corazón corazones análisis
    paréntesis oasis lunes martes miércoles jueves viernes
    """
    )
)

_NOUNS_IN_O = frozenset(_words("dominó dominós buró burós capó capós plató platós rondó rondós landó bongó"))

_FEMININE_ENDINGS = (
    "a",
    "as",
    "ción",
    "ciones",
    "sión",
    "siones",
    "dad",
    "dades",
    "tad",
    "tades",
    "tud",
    "tudes",
    "umbre",
    "umbres",
    "itis",
    "ez",
)
_MASCULINE_ENDINGS_ISTA = ("ista", "istas")
_NEXT_WORD = re.compile(r"\s+([^\W\d_]+)")
_WORD = re.compile(r"[^\W\d_]+")


def noun_gender(word: str) -> str | None:
    """ "f" or "m" for a word that looks like a noun, None for a word that does not modify."""
    lowered = word.casefold()
    if lowered in _NOT_NOUNS:
        return None
    if lowered in _MASCULINE_IN_A or lowered in _MASCULINE_OTHER or lowered.endswith(_MASCULINE_ENDINGS_ISTA):
        return "m"
    if lowered in _FEMININE_OTHER:
        return "f"
    # A verb right after a number ("los 3 llegaron") is not its noun.
    if lowered.endswith(("aron", "ieron", "aban", "ían", "arán", "erán", "irán")) and len(lowered) > 5:
        return None
    # Nor is a preterite ("un sismo de magnitud 7.1 sacudió", "los 2 llegó"): few nouns end in a
    # stressed -ó.
    if lowered.endswith("ó") and len(lowered) > 3 and lowered not in _NOUNS_IN_O:
        return None
    if lowered.endswith(_FEMININE_ENDINGS):
        return "f"
    return "m"


def form_before(text_after: str) -> Form:
    """The form of a number followed by `text_after` ("21 años" -> apocope, "200 páginas" -> feminine).

    A scale word in between does not end the search: "200 mil personas" agrees with "personas"
    while "21 mil" alone still takes the apocope before "mil".
    """
    match = _NEXT_WORD.match(text_after)
    if not match:
        return Form.MASCULINE
    word = match.group(1)
    if word.casefold() in SCALE_WORDS:
        if word.casefold() == "mil":
            after_mil = form_before(text_after[match.end() :])
            return Form.FEMININE if after_mil is Form.FEMININE else Form.APOCOPE
        return Form.APOCOPE
    if not word[0].islower() and not word.isupper():
        # A capitalised word after a number is usually a name or a new clause, not its noun.
        return Form.MASCULINE
    gender = noun_gender(word)
    if gender == "f":
        return Form.FEMININE
    if gender == "m":
        return Form.APOCOPE
    return Form.MASCULINE


def gender_form(gender: str, count_is_noun_modifier: bool = True) -> Form:
    """Form for a unit or currency of known gender."""
    if gender == "f":
        return Form.FEMININE
    return Form.APOCOPE if count_is_noun_modifier else Form.MASCULINE
