"""Sentences an operator reads aloud to record a reference voice, chosen for phonetic coverage.

Each is one plain sentence of about 100 characters (7-9 s at a narrator's pace, inside the 5-12 s a
reference should last), in wording every region says the same way (no voseo, no vosotros, no regional
words: `detect_region` reads each as neutral), so a voice recorded from any of them can be a region's
default. Between them they hold every Spanish sound a cloning engine must hear: c/z before e/i (/θ/ in
Spain, /s/ elsewhere, so the recording shows which the narrator uses), s, ñ, the trill rr and the tap r,
ll/y, the jota (j, g before e/i), hard g, ch, b/v, d, and the common diphthongs.

The API serves them (GET /api/v1/voices/prompts); the dashboard and the CLI read them from there, so
this list is their one definition. Ids are stable: a recording names the prompt it read.
"""

import re
from functools import cache

from vocalio_shared.schemas.voices import VoicePrompt, VoicePromptList

PROMPTS: dict[str, str] = {  # one sentence per entry, split only to fit the line length
    "es-01": "El perro de Ramón corre junto al río mientras la señora Julia cocina una paella con azúcar y limón.",
    "es-02": "Ayer llovió tanto en la sierra que el agua cubrió los caminos, "
    "y el viejo pastor guardó sus ovejas en el cercado.",
    "es-03": "La niña buscaba al gigante de hielo en el jardín, pero "
    "solo encontró un pequeño zorro dormido bajo la nieve.",
    "es-04": "Cuando el tren llegó a la ciudad, cientos de pájaros "
    "volaron sobre la plaza y el cielo se llenó de ruido.",
    "es-05": "Mi abuelo guardaba en una caja de madera fotografías antiguas, "
    "cartas de amor y un reloj que ya no funcionaba.",
    "es-06": "Hoy el cocinero prepara huevos fritos, queso, jamón, arroz "
    "y una sopa caliente de garbanzos con mucha pimienta.",
    "es-07": "Durante el invierno, seis hermanos repararon juntos el tejado "
    "de la iglesia cercana antes de que llegaran las lluvias.",
    "es-08": "El joven guitarrista afinó su instrumento, respiró hondo y tocó "
    "una canción que emocionó a toda la ciudad aquella noche.",
}

# Spelling → sound, by Spanish orthography; `covers` is derived from the text, never typed by hand.
_SOUNDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("c/z (θ or s)", re.compile(r"z|c(?=[eéií])")),
    ("s", re.compile(r"s")),
    ("ñ", re.compile(r"ñ")),
    ("rr (trill)", re.compile(r"rr|\br|(?<=[nls])r")),
    ("r (tap)", re.compile(r"(?<=[aeiouáéíóú])r(?=[aeiouáéíóú])")),
    ("ll/y", re.compile(r"ll|y(?=[aeiouáéíóú])")),
    ("j/g (jota)", re.compile(r"j|g(?=[eéií])")),
    ("g (hard)", re.compile(r"g(?=[aouáóú]|ue|ui|[lr])")),
    ("ch", re.compile(r"ch")),
    ("b/v", re.compile(r"[bv]")),
    ("d", re.compile(r"d")),
    # Rising and falling diphthongs; the silent u of que/qui/gue/gui is no diphthong.
    ("diphthongs", re.compile(r"(?<![qg])[iu][aeoáéó]|[aeoáéó][iuy]\b|[aeo][iu]|iu|(?<![qg])ui")),
)


def sounds_in(text: str) -> list[str]:
    lowered = text.lower()
    return [name for name, pattern in _SOUNDS if pattern.search(lowered)]


@cache
def prompt_list() -> VoicePromptList:
    return VoicePromptList(
        items=[VoicePrompt(id=prompt_id, text=text, covers=sounds_in(text)) for prompt_id, text in PROMPTS.items()]
    )


def all_sounds() -> list[str]:
    return [name for name, _ in _SOUNDS]
