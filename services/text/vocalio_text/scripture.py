"""Bible references: "Juan 3:16", "Génesis 1:1-3", "Mt 5, 3-12", "1 Cor 13:4" before they look like times.

- Read "<libro> capítulo <n>, versículo <m>" ("versículos <m> a <k>" for a range); abbreviations say
  the book's name ("Mt" -> "Mateo"), a numbered book its ordinal ("1 Cor" -> "primera de Corintios",
  letters feminine, the Old Testament's books masculine: "segundo de Reyes"); a psalm is named by its
  number ("Sal 23:1" -> "Salmo veintitrés, versículo uno").
- The book must be written right before the chapter. "chapter, verse" with a comma is only taken
  after a book that is no one's name and no common word.
- Books that are also given names (Juan, Marcos, Lucas, Judas, Daniel…) and abbreviations that are
  also words ("Is", "Os", "Col", "Sal", "Núm", which is "número" in laws: "Núm. 6,234") need
  "chapter:verse"; "6,234" with a comma and three digits is a thousands group, never a verse.
  Any reference is left to the clock when a clock cue ("a las", "desde la", "hasta las"…) comes
  right before the name or a clock mark ("h", "p. m.", a time zone) follows it: "Juan llegó a las
  3:16" has no book before the number, and "Marcos 3:15 h" is a time.
"""

import re
from collections.abc import Iterable

from vocalio_text.numbers import cardinal
from vocalio_text.times import SPELLED_ZONES, TIME_ZONE_NAMES

# Written form -> spoken name. Abbreviations may carry a dot ("Gén.", "Éx.").
_BOOKS: dict[str, str] = {
    "Génesis": "Génesis", "Gn": "Génesis", "Gén": "Génesis", "Gen": "Génesis",
    "Éxodo": "Éxodo", "Éx": "Éxodo", "Ex": "Éxodo",
    "Levítico": "Levítico", "Lv": "Levítico", "Lev": "Levítico",
    "Números": "Números", "Nm": "Números", "Núm": "Números",
    "Deuteronomio": "Deuteronomio", "Dt": "Deuteronomio",
    "Josué": "Josué", "Jos": "Josué",
    "Jueces": "Jueces", "Jue": "Jueces", "Jc": "Jueces",
    "Rut": "Rut", "Rt": "Rut",
    "Esdras": "Esdras", "Esd": "Esdras",
    "Nehemías": "Nehemías", "Neh": "Nehemías", "Ne": "Nehemías",
    "Tobías": "Tobías", "Tb": "Tobías", "Tob": "Tobías",
    "Judit": "Judit", "Jdt": "Judit",
    "Ester": "Ester",
    "Job": "Job", "Jb": "Job",
    "Salmos": "Salmos", "Salmo": "Salmo", "Sal": "Salmo",
    "Proverbios": "Proverbios", "Pr": "Proverbios", "Prov": "Proverbios",
    "Eclesiastés": "Eclesiastés", "Ecl": "Eclesiastés", "Qo": "Eclesiastés",
    "Cantar de los Cantares": "Cantar de los Cantares", "Cant": "Cantar de los Cantares",
    "Sabiduría": "Sabiduría", "Sab": "Sabiduría", "Sb": "Sabiduría",
    "Eclesiástico": "Eclesiástico", "Eclo": "Eclesiástico", "Sir": "Eclesiástico",
    "Isaías": "Isaías", "Is": "Isaías",
    "Jeremías": "Jeremías", "Jr": "Jeremías", "Jer": "Jeremías",
    "Lamentaciones": "Lamentaciones", "Lam": "Lamentaciones",
    "Baruc": "Baruc", "Bar": "Baruc",
    "Ezequiel": "Ezequiel", "Ez": "Ezequiel",
    "Daniel": "Daniel", "Dn": "Daniel", "Dan": "Daniel",
    "Oseas": "Oseas", "Os": "Oseas",
    "Joel": "Joel", "Jl": "Joel",
    "Amós": "Amós",
    "Abdías": "Abdías", "Abd": "Abdías",
    "Jonás": "Jonás",
    "Miqueas": "Miqueas", "Miq": "Miqueas",
    "Nahúm": "Nahúm",
    "Habacuc": "Habacuc", "Hab": "Habacuc",
    "Sofonías": "Sofonías", "Sof": "Sofonías",
    "Ageo": "Ageo",
    "Zacarías": "Zacarías", "Zac": "Zacarías",
    "Malaquías": "Malaquías", "Mal": "Malaquías", "Ml": "Malaquías",
    "Mateo": "Mateo", "Mt": "Mateo",
    "Marcos": "Marcos", "Mc": "Marcos", "Mr": "Marcos",
    "Lucas": "Lucas", "Lc": "Lucas",
    "Juan": "Juan", "Jn": "Juan",
    "Hechos": "Hechos", "Hch": "Hechos",
    "Romanos": "Romanos", "Rm": "Romanos", "Rom": "Romanos",
    "Gálatas": "Gálatas", "Gál": "Gálatas", "Gal": "Gálatas", "Ga": "Gálatas",
    "Efesios": "Efesios", "Ef": "Efesios",
    "Filipenses": "Filipenses", "Flp": "Filipenses", "Fil": "Filipenses",
    "Colosenses": "Colosenses", "Col": "Colosenses",
    "Tito": "Tito", "Tit": "Tito", "Tt": "Tito",
    "Filemón": "Filemón", "Flm": "Filemón",
    "Hebreos": "Hebreos", "Hb": "Hebreos", "Heb": "Hebreos",
    "Santiago": "Santiago", "St": "Santiago", "Sant": "Santiago", "Stgo": "Santiago",
    "Judas": "Judas", "Jds": "Judas", "Jud": "Judas",
    "Apocalipsis": "Apocalipsis", "Ap": "Apocalipsis", "Apoc": "Apocalipsis",
}  # fmt: skip
# Books counted "1", "2", "3" (or I, II, III): written form -> (name, feminine). Letters are "cartas".
_NUMBERED_BOOKS: dict[str, tuple[str, bool]] = {
    "Samuel": ("Samuel", False), "Sam": ("Samuel", False), "S": ("Samuel", False), "Sm": ("Samuel", False),
    "Reyes": ("Reyes", False), "Re": ("Reyes", False), "R": ("Reyes", False), "Rey": ("Reyes", False),
    "Crónicas": ("Crónicas", False), "Cr": ("Crónicas", False), "Crón": ("Crónicas", False),
    "Macabeos": ("Macabeos", False), "Mac": ("Macabeos", False),
    "Corintios": ("Corintios", True), "Co": ("Corintios", True), "Cor": ("Corintios", True),
    "Tesalonicenses": ("Tesalonicenses", True), "Ts": ("Tesalonicenses", True), "Tes": ("Tesalonicenses", True),
    "Timoteo": ("Timoteo", True), "Tm": ("Timoteo", True), "Tim": ("Timoteo", True),
    "Pedro": ("Pedro", True), "P": ("Pedro", True), "Pe": ("Pedro", True), "Pd": ("Pedro", True),
    "Juan": ("Juan", True), "Jn": ("Juan", True),
}  # fmt: skip
# Given names and abbreviations that are also words: only "chapter:verse" and no clock around.
_AMBIGUOUS = frozenset(
    {"Juan", "Marcos", "Lucas", "Mateo", "Judas", "Daniel", "Tobías", "Judit", "Ester", "Job", "Rut", "Joel",
     "Amós", "Jonás", "Tito", "Santiago", "Esdras", "Isaías", "Jeremías", "Ezequiel", "Zacarías", "Ageo",
     "Is", "Os", "Col", "Sal", "Ex", "Gen", "Mal", "Bar", "Dan", "Sant", "Fil", "Ga", "Ne", "Mr", "Ap", "St",
     "Samuel", "Pedro", "Timoteo", "P", "S", "R", "Núm"}
)  # fmt: skip
_ORDINALS = {"1": "primer", "2": "segund", "3": "tercer", "I": "primer", "II": "segund", "III": "tercer"}


def _alternatives(names: Iterable[str]) -> str:
    # Longest first, so the full written form is tried before an abbreviation it starts with.
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


_CHAPTER_VERSE = (
    r"(?P<chapter>[1-9]\d{0,2})(?P<sep>:|,\s?)(?P<verse>[1-9]\d{0,2})(?:\s?[-–]\s?(?P<last>[1-9]\d{0,2}))?"
    r"(?![\d:]|[.,]\d)"
)
_REFERENCE = re.compile(
    rf"(?<![\w.])(?:(?P<count>[123]|I{{1,3}})\s?(?P<numbered>{_alternatives(_NUMBERED_BOOKS)})"
    rf"|(?P<book>{_alternatives(_BOOKS)}))(?P<dot>\.)?\s{_CHAPTER_VERSE}"
)
_CLOCK_CUE = re.compile(r"\b(?:a|desde|hasta|de|entre|hacia|sobre|para)\s+(?:la|las)\s+$", re.IGNORECASE)
_ZONES = "|".join(sorted([*TIME_ZONE_NAMES, *SPELLED_ZONES], key=len, reverse=True))
_CLOCK_MARK = re.compile(rf"\s?(?:h|hs|hrs|horas|[ap]\.?\s?m|(?i:{_ZONES}))\b", re.IGNORECASE)


def _verses(match: re.Match[str]) -> str:
    verse, last = int(match.group("verse")), match.group("last")
    if last and int(last) > verse:
        return f"versículos {cardinal(verse)} a {cardinal(int(last))}"
    return f"versículo {cardinal(verse)}" + (f" a {cardinal(int(last))}" if last else "")


def _reference(match: re.Match[str]) -> str:
    written = match.group("numbered") or match.group("book")
    # Given names and words need the colon, which Bibles always print and a list of numbers after a
    # name ("Juan 3, 5 y 7") does not.
    if match.group("sep") != ":" and written in _AMBIGUOUS:
        return match.group(0)
    if match.group("sep") == "," and len(match.group("verse")) == 3:
        return match.group(0)  # "6,234": a number grouped in thousands, never chapter 6, verse 234
    before = match.string[max(0, match.start() - 20) : match.start()]
    if _CLOCK_CUE.search(before) or _CLOCK_MARK.match(match.string, match.end()):
        return match.group(0)  # "a las Juan 3:16" never happens; "Mc 3:15 h" is a time
    if match.group("numbered"):
        name, feminine = _NUMBERED_BOOKS[written]
        book = f"{_ORDINALS[match.group('count')]}{'a' if feminine else 'o'} de {name}"
        if not before.strip() or before.rstrip().endswith((".", "!", "?", "¿", "¡", "(", "«")):
            book = book[0].upper() + book[1:]
    else:
        book = _BOOKS[written]
    if book in ("Salmo", "Salmos"):
        # A psalm is named by its number, not a chapter: "Salmo veintitrés, versículo uno".
        return f"Salmo {cardinal(int(match.group('chapter')))}, {_verses(match)}"
    return f"{book} capítulo {cardinal(int(match.group('chapter')))}, {_verses(match)}"


def normalize_scripture(text: str) -> str:
    if ":" not in text and "," not in text:
        return text
    return _REFERENCE.sub(_reference, text)
