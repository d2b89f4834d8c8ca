"""Regional variant detection from weighted lexical, morphological and spelling markers.

Each marker found adds its weights (region_markers.py, data/regions/*.toml) to the varieties it
points at; each distinct marker counts once, however often it repeats. Phrases are read first,
then every word outside them: a word in the lexicon counts as listed; the others are read for
morphology and spelling: voseo (-ás/-és/-ís), vosotros (-áis/-éis), Chilean -ái, Caribbean
elisions written with an apostrophe (lo' chelito) and -ao participles, the -ico diminutive. Some
words mark a variety only where they stand: vale and tío as agreement and address (Spain), pues
closing a clause, "¡de una!", ¡aguas!, and a demonym when the writer speaks as one of them
("los chilenos decimos").

The variety with the highest total wins if the evidence is strong enough: a total of at least
MIN_EVIDENCE that includes one clear marker (weight >= CLEAR_WEIGHT) for that variety, so that a
long neutral chapter that happens to hold a few weak shared words ("coche", "plata", "causa")
stays neutral. Confidence grows with the total and shrinks when another variety is close behind.
An explicit region in a job always wins over this guess (analysis.py).
"""

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from vocalio_shared.regions import Region

from vocalio_text.region_markers import MARKERS, Weights

MIN_EVIDENCE = 0.6
CLEAR_WEIGHT = 0.5

# A word: letters, an inner apostrophe (pa'l) and a trailing one (lo', prende': an elision).
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*'?")
_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "`": "'"})
_OPENING_QUOTES = "'‘"
_QUOTE_REACH = 80  # characters back to look for the ‘ that a ’ may close
_CLOSING = ",.!?;:…"
_TIO = frozenset({"tío", "tía", "tíos", "tías"})
_POSITIONAL = _TIO | {"vale", "pues", "una"}
_NOT_ELIDED = frozenset({"pa", "na", "p", "vamo"})  # pa', na', vamo' are written everywhere
_ACCENTED = frozenset("áéíóú")


def _phrase_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Phrases by their first word, longest first, so that phrases are matched word by word."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase in sorted(MARKERS.phrases, key=len, reverse=True):
        words = tuple(token.rstrip("'") for token in _WORD.findall(phrase))
        index.setdefault(words[0], []).append((words[1:], phrase))
    return index


_PHRASES_BY_FIRST_WORD = _phrase_index()
# "los chilenos decimos", "como buenos cubanos, hacemos", "soy peruano": the writer is one of them.
_SELF_BEFORE = frozenset({"los", "las", "buenos", "buenas", "somos", "soy"})
_SELF_WINDOW = 4


@dataclass(frozen=True)
class RegionDetection:
    region: Region
    confidence: float
    markers: list[str] = field(default_factory=list)


@lru_cache(maxsize=1 << 16)  # words repeat: a chapter reads each distinct word once
def _feature(word: str) -> str | None:
    """The morphological feature an unlisted word shows, if any."""
    if word in MARKERS.ordinary or len(word) < 5:
        return None
    if word.endswith(("áis", "éis")):
        return "vosotros_ais_eis"
    if word.endswith("és") and not word.endswith("gués"):
        return "voseo_as_es"
    if word.endswith("ás") and not word.endswith("rás"):  # -rás is the tú future (hablarás)
        return "voseo_as_es"
    if word.endswith("ís"):
        return "voseo_is"
    if word.endswith("ái") or (word.endswith("ai") and len(word) >= 6):
        return "chilean_ai"
    if word.endswith("ao"):
        return "ao_participle"
    if word.endswith(("tico", "tica", "ticos", "ticas")) and len(word) >= 6 and not _ACCENTED & set(word):
        return "itico_diminutive"  # -tico is otherwise an accented esdrújula: político, práctico
    return None


def _char_before(text: str, index: int) -> str:
    while index > 0 and text[index - 1] == " ":
        index -= 1
    return text[index - 1] if index > 0 else ""


def _char_after(text: str, index: int) -> str:
    while index < len(text) and text[index] == " ":
        index += 1
    return text[index] if index < len(text) else ""


class _Reading:
    """The evidence gathered from one text: scores per variety and the markers, in order."""

    def __init__(self, text: str, quotes: str) -> None:
        self.text = text
        # The same text before ’ became ': a ’ that closes a ‘ is a quotation mark, not an elision.
        self.quotes = quotes
        self.scores: dict[Region, float] = {}
        self.found: list[tuple[str, Weights]] = []
        self.seen: set[str] = set()

    def count(self, marker: str, weights: Weights) -> None:
        if marker in self.seen or not weights:
            return
        self.seen.add(marker)
        self.found.append((marker, weights))
        for region, weight in weights.items():
            self.scores[region] = self.scores.get(region, 0.0) + weight

    def positional(self, word: str, start: int, end: int, previous: str) -> str | None:
        """Features that depend on where a word stands: vale, tío, pues, "de una"."""
        after = _char_after(self.text, end)
        closes = after == "" or after in _CLOSING
        if word == "vale":
            before = _char_before(self.text, start)
            return "interjection_vale" if closes and (before == "" or before in _CLOSING + "¿¡—-") else None
        if word in _TIO:
            return "vocative_tio" if closes and previous not in MARKERS.determiners else None
        if word == "pues":
            before = _char_before(self.text, start)
            return "final_pues" if closes and before.isalpha() and previous != "así" else None
        if word == "una" and previous == "de":
            return "de_una" if closes else None
        return None

    def quoted(self, start: int, end: int) -> bool:
        """Whether the apostrophe after a word closes a quotation ('asu', ‘Maldito Cris’) rather than elides."""
        if start > 0 and self.text[start - 1] in _OPENING_QUOTES:
            return True
        opening = self.quotes.rfind("‘", max(0, start - _QUOTE_REACH), start)
        return opening >= 0 and "’" not in self.quotes[opening : end - 1]

    def word(self, word: str, token: str, start: int, end: int, previous: str) -> None:
        name = self.positional(word, start, end, previous) if word in _POSITIONAL else None
        if name is not None:
            self.count(f"{previous} {word}" if name == "de_una" else word, MARKERS.features.get(name, {}))
            return
        if word in MARKERS.exclamations and _char_before(self.text, start) == "¡":
            self.count(f"¡{word}", MARKERS.exclamations[word])
            return
        weights = MARKERS.words.get(word)
        if weights is not None:
            self.count(word, weights)
            return
        if token.endswith("'") and word not in _NOT_ELIDED and not self.quoted(start, end):
            self.count(token, MARKERS.features.get("elided_s", {}))
            return
        name = _feature(word)
        if name is not None:
            self.count(word, MARKERS.features.get(name, {}))


def detect_region(text: str) -> RegionDetection:
    """Guess the regional variant of `text`: region, confidence 0..1 and the markers found."""
    folded = _SPACES.sub(" ", text.casefold())
    lowered = folded.translate(_APOSTROPHES)
    reading = _Reading(lowered, folded)
    tokens = [(match.start(), match.end(), match.group(0)) for match in _WORD.finditer(lowered)]
    words = [token.rstrip("'") if token[-1] == "'" else token for _, _, token in tokens]
    # Phrases first; the words inside a phrase are not read again.
    covered = [False] * len(words)
    for index, word in enumerate(words):
        for rest, phrase in _PHRASES_BY_FIRST_WORD.get(word, ()):
            end = index + 1 + len(rest)
            if tuple(words[index + 1 : end]) == rest:
                reading.count(phrase, MARKERS.phrases[phrase])
                covered[index:end] = [True] * (end - index)
                break
    previous = ""
    # A demonym after "los"/"buenos" waits a few words for a first-person plural verb.
    pending: tuple[str, Weights] | None = None
    window = 0
    for index, (start, end, token) in enumerate(tokens):
        word = words[index]
        if pending is not None:
            if word.endswith("mos") or word == "nos":
                reading.count(*pending)
                pending = None
            else:
                window -= 1
                pending = pending if window > 0 else None
        if previous in _SELF_BEFORE and word in MARKERS.demonyms:
            if previous in ("soy", "somos"):
                reading.count(f"{previous} {word}", MARKERS.demonyms[word])
            else:
                pending, window = (f"{previous} {word}", MARKERS.demonyms[word]), _SELF_WINDOW
        if not covered[index]:
            reading.word(word, token, start, end, previous)
        previous = word
    return _decide(reading)


def _decide(reading: _Reading) -> RegionDetection:
    if not reading.scores:
        return RegionDetection(Region.NEUTRAL, 1.0, [])
    clear = {region for _, weights in reading.found for region, weight in weights.items() if weight >= CLEAR_WEIGHT}
    ranked = sorted(reading.scores.items(), key=lambda item: item[1], reverse=True)
    best_region, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    strength = 1.0 - math.exp(-best)
    if best < MIN_EVIDENCE or best == second or best_region not in clear:
        return RegionDetection(Region.NEUTRAL, round(1.0 - strength, 3), [marker for marker, _ in reading.found])
    confidence = strength * (best - second) / best
    markers = [marker for marker, weights in reading.found if best_region in weights]
    return RegionDetection(best_region, round(min(max(confidence, 0.0), 1.0), 3), markers)
