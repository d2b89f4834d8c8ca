"""Regional variant detection from weighted lexical, morphological and spelling markers.

Each marker found adds its weights (region_markers.py, data/regions/*.toml) to the varieties it
points at; each distinct marker counts once, however often it repeats. Phrases are read first,
then every word outside them: a word in the lexicon counts as listed; the others are read for
morphology and spelling: voseo (-ás/-és/-ís), vosotros (-áis/-éis), Chilean -ái, Caribbean
elisions written with an apostrophe (lo' chelito) and -ao participles, the -ico diminutive. Some
words mark a variety only where they stand: vale and tío as agreement and address (Spain), pues
closing a clause, "¡de una!", ¡aguas!, "no está más" for "ya no" (Río de la Plata), and a demonym
when the writer speaks as one of them ("los chilenos decimos"). E-mail and web addresses are not read.

The variety with the highest total wins if the evidence is strong enough: a total of at least
MIN_EVIDENCE that includes one clear marker (weight >= CLEAR_WEIGHT) for that variety, or weak
markers of that variety alone that add up to COMBINED_CLEAR, so that a
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
# Weak markers (under CLEAR_WEIGHT) that each point at one variety only make a clear marker together
# once their weights reach COMBINED_CLEAR.
COMBINED_CLEAR = 0.8
# A marker that points at n varieties ranks each of them by its weight divided by n ** SHARED_EXPONENT;
# the evidence that the text is regional at all counts it in full.
# Two varieties within TIE_MARGIN of each other are a tie, and a tie is neutral: "la mina … la plata"
# points at Chile and the Río de la Plata alike.
TIE_MARGIN = 0.1
SHARED_EXPONENT = 0.5
# The evidence needed grows with the length of the text: MIN_EVIDENCE up to LENGTH_UNIT words, then
# MIN_EVIDENCE x (1 + log10(words / LENGTH_UNIT)): a chapter of 20,000 words needs about 1.8, so a
# few stray regional words in a long neutral text are not a region, while a regional chapter, whose
# distinct markers grow with its length, still is.
LENGTH_UNIT = 200

# A word: letters, an inner apostrophe (pa'l) and a trailing one (lo', prende': an elision).
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*'?")
_SPACES = re.compile(r"\s+")
# Addresses are not speech: "munilima.gob.pe" holds no Peruvian "pe", "www.chido.mx" no Mexican word.
_ADDRESS = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+")
_APOSTROPHES = str.maketrans({"’": "'", "`": "'"})
_OPENING_QUOTES = "'‘"
_QUOTE_REACH = 80  # characters back to look for the ‘ that a ’ may close
_CLOSING = ",.!?;:…"
_TIO = frozenset({"tío", "tía", "tíos", "tías"})
_POSITIONAL = _TIO | {"vale", "pues", "una"}
_NOT_ELIDED = frozenset({"pa", "na", "p", "vamo"})  # pa', na', vamo' are written everywhere
_ACCENTED = frozenset("áéíóú")
_VOWELS = frozenset("aeiouáéíóú")
# A vowel, h, then a consonant that an s may stand before (estar → ehtar); not n or r (John, Mohr).
_ASPIRATED = re.compile(r"[aeiouáéíóú]h[bcdfgkmpqtv]")
# The vosotros imperative: -ad/-id, alone or with a pronoun (mirad, venid, avisadme, decídnoslo); -ed
# only with a pronoun (tenedlo), since a bare -ed is far more often an English past participle
# (stored, failed); the bare -ed forms (tened, comed, poned) are listed in peninsular.toml.
_VOSOTROS_IMPERATIVE = re.compile(r"[^aeiou](?:[aií]d|[aeií]d(?:me|nos|lo|la|los|las|le|les|melo|noslo|selo))$")
# What stands alone between ¿ and ?, or after a comma before a ?: a tag question (¿viste?, ¿vale?).
_TAG_QUESTION = re.compile(r"(?:¿|,)\s*([^¿?,.;:!¡()«»\"]{1,24}?)\s*\?")
# "Tenía mucho rato de no hacer películas": tener + a span of time + de no (Mexico, Central America).
_TIME_WORDS = r"(?:mucho|mucha|muchos|muchas|un|una|dos|tres|cuatro|cinco|seis|diez|varios|varias|algunos|buen|"
_TIME_WORDS += r"año|años|mes|meses|día|días|semana|semanas|rato|ratito|tiempo|hora|horas|siglos|ratote)"
_TENER_DE_NO = re.compile(
    rf"\bten(?:go|ía|ías|íamos|ían|emos|es|és|e|en|ido)\s+(?:{_TIME_WORDS}\s+){{1,3}}de\s+no\s+[^\W\d_]+"
)


# "No está más en Tenfield", "no voy más": no + a verb of being, going, coming back, playing, working or
# living + más for "ya no" (DPD «más»: the Río de la Plata), when más closes the clause or a place or
# company follows; never "no es más que", "no puedo más", nor a comparative (no está más caro).
_NO_MAS_VERBS = (
    r"(?:está|están|estoy|estás|estaba|estaban|va|van|voy|vas|iba|iban|viene|vienen|vengo|venía|vuelve|vuelven|"
    r"vuelvo|volvió|volví|juega|juegan|juego|jugó|trabaja|trabajan|trabajo|vive|viven|vivo|aparece|apareció)"
)
_NO_MAS = re.compile(
    rf"\bno\s+(?:(?:me|te|se|lo|la|le|les|los|las|nos)\s+)?{_NO_MAS_VERBS}\s+más"
    r"(?=\s*(?:[.,;:!?)…]|$)|\s+(?:en|con|a|al|acá|aquí|ahí|allá|por|para|y|porque|desde)\b)"
)


_Phrases = dict[str, dict[str, list[tuple[tuple[str, ...], str]]]]


def _phrase_index() -> _Phrases:
    """Phrases by their first two words ("" for a one-word phrase), longest first, so that phrases are
    matched word by word and a frequent first word (la, el, de) costs one look-up, not one per phrase."""
    index: _Phrases = {}
    for phrase in sorted(MARKERS.phrases, key=len, reverse=True):
        words = tuple(token.rstrip("'") for token in _WORD.findall(phrase))
        second = words[1] if len(words) > 1 else ""
        index.setdefault(words[0], {}).setdefault(second, []).append((words[1:], phrase))
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
    if word in MARKERS.ordinary or len(word) < 3:
        return None
    # Spellings of speech first: they also mark short words (ehto, ehtá).
    if _ASPIRATED.search(word):
        return "s_aspiration"  # ehtá, mihmo, ehcuela: an s before a consonant written as the h heard
    if len(word) >= 4 and word[-1] == "h" and word[-2] in _VOWELS and not _VOWELS.issuperset(word[:-1]):
        # tenih, sabíh: the Chilean -ís with its s aspirated; vamoh, ehtamoh: any other final -s.
        return "chilean_ih" if word.endswith(("ih", "íh")) else "s_aspiration"
    if len(word) < 5:
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
    if _VOSOTROS_IMPERATIVE.search(word) and not word.endswith(("dad", "tad")):
        return "vosotros_imperative"  # mirad, venid, avisadme, decidnos: Spain's plural imperative
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
        self.evidence: dict[Region, float] = {}
        self.found: list[tuple[str, Weights]] = []
        self.seen: set[str] = set()

    def count(self, marker: str, weights: Weights) -> None:
        if marker in self.seen or not weights:
            return
        self.seen.add(marker)
        self.found.append((marker, weights))
        # A marker shared by several varieties is full evidence that the text is regional (evidence)
        # but says less about which variety it is (scores, which rank them): its specificity.
        share = len(weights) ** -SHARED_EXPONENT
        for region, weight in weights.items():
            self.evidence[region] = self.evidence.get(region, 0.0) + weight
            self.scores[region] = self.scores.get(region, 0.0) + weight * share

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
    if "@" in folded or "http" in folded or "www." in folded:
        folded = _ADDRESS.sub(" ", folded)
    lowered = folded.translate(_APOSTROPHES)
    reading = _Reading(lowered, folded)
    tokens = [(match.start(), match.end(), match.group(0)) for match in _WORD.finditer(lowered)]
    words = [token.rstrip("'") if token[-1] == "'" else token for _, _, token in tokens]
    # Tag questions and constructions span words and punctuation: read them on the text itself.
    tagged: set[int] = set()  # where the words of a tag question start: they are not read again
    if "?" in lowered:
        for match in _TAG_QUESTION.finditer(lowered):
            tag = match.group(1).strip().rstrip("'")
            if tag in MARKERS.tags:
                reading.count(f"¿{tag}?", MARKERS.tags[tag])
                tagged.update(range(match.start(1), match.end(1)))
    if "más" in lowered and "no " in lowered:
        match = _NO_MAS.search(lowered)
        if match is not None:
            reading.count(match.group(0), MARKERS.features.get("no_mas", {}))
    if "de no" in lowered:
        match = _TENER_DE_NO.search(lowered)
        if match is not None:
            reading.count(match.group(0), MARKERS.features.get("tener_de_no", {}))
    # Phrases first; the words inside a phrase are not read again.
    covered = [start in tagged for start, _, _ in tokens] if tagged else [False] * len(words)
    for index, word in enumerate(words):
        if covered[index]:
            continue  # "de a poco" read, "a poco" inside it is not
        by_second = _PHRASES_BY_FIRST_WORD.get(word)
        if by_second is None:
            continue
        following = words[index + 1] if index + 1 < len(words) else ""
        candidates = [*by_second.get(following, ()), *by_second.get("", ())] if following else by_second.get("", [])
        for rest, phrase in candidates:
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
    return _decide(reading, len(tokens))


def required_evidence(words: int) -> float:
    """The total a variety needs to win in a text of `words` words (see LENGTH_UNIT)."""
    return MIN_EVIDENCE * (1.0 + math.log10(max(1.0, words / LENGTH_UNIT)))


def _decide(reading: _Reading, words: int) -> RegionDetection:
    if not reading.scores:
        return RegionDetection(Region.NEUTRAL, 1.0, [])
    clear = {region for _, weights in reading.found for region, weight in weights.items() if weight >= CLEAR_WEIGHT}
    # Two or more weak markers that point at one variety alone ("harta" and "lucas": Chile) are as
    # clear as one strong marker; weak markers shared with other varieties never add up to one.
    own: dict[Region, float] = {}
    for _, weights in reading.found:
        if len(weights) == 1:
            region, weight = next(iter(weights.items()))
            own[region] = own.get(region, 0.0) + weight
    clear |= {region for region, total in own.items() if total >= COMBINED_CLEAR}
    ranked = sorted(reading.scores.items(), key=lambda item: item[1], reverse=True)
    best_region, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    needed = required_evidence(words)
    # Strength is measured against what this length of text needs, so that confidence means the
    # same for a sentence and for a chapter.
    total = reading.evidence[best_region]
    strength = 1.0 - math.exp(-total * MIN_EVIDENCE / needed)
    if total < needed or second >= best * (1.0 - TIE_MARGIN) or best_region not in clear:
        return RegionDetection(Region.NEUTRAL, round(1.0 - strength, 3), [marker for marker, _ in reading.found])
    confidence = strength * (best - second) / best
    markers = [marker for marker, weights in reading.found if best_region in weights]
    return RegionDetection(best_region, round(min(max(confidence, 0.0), 1.0), 3), markers)
