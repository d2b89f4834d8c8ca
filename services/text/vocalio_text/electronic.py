"""URLs, e-mail addresses and @handles, read the way Spanish TN sets read them.

Each dotted label is spelled letter by letter ("abc" -> "a b c") unless it is a well-known service
name ("gmail", "nvidia") or one of the top-level domains said as a word (".com", ".net");
digits are read one by one; separators have names ("punto", "barra", "arroba", "guión").
A dot that ends the sentence after a URL is kept, as its own token.
"""

import re

from vocalio_text.acronyms import spoken_letters
from vocalio_text.numbers import digits_one_by_one

SERVER_NAMES = frozenset(
    {"gmail", "nvidia", "outlook", "hotmail", "yahoo", "live", "yandex", "orange", "wanadoo", "web", "comcast"}
)
# Top-level domains said as words; every other label is spelled ("e s", "o r g", "e d u").
SPOKEN_DOMAINS = frozenset({"com", "net", "gov", "gob", "in", "ru"})

SYMBOL_NAMES: dict[str, str] = {
    ".": "punto",
    "-": "guión",
    "_": "barra baja",
    "!": "signo de exclamación",
    "#": "almohadilla",
    "$": "signo de dólar",
    "%": "signo de porcentaje",
    "&": "et",
    "'": "comilla",
    "*": "asterisco",
    "+": "signo más",
    "/": "barra",
    "=": "signo igual",
    "?": "signo de interrogación",
    "^": "acento circunflejo",
    "`": "acento grave",
    "{": "llave izquierda",
    "|": "barra vertical",
    "}": "llave derecha",
    "~": "tilde",
    ",": "coma",
    ":": "dos puntos",
    "@": "arroba",
}

_TLDS = (
    "com|net|org|edu|gov|gob|info|io|es|mx|ar|co|cl|pe|uy|ve|ec|bo|py|cr|pa|do|cu|gt|hn|sv|ni|pr|de|fr|it|uk|"
    "us|eu|br|pt|ru|in|sm|me|tv|app|dev|ai"
)
_URL = re.compile(
    rf"(?<![\w@])(?:(?:https?|ftp)://[^\s<>\"«»]+|www\.[^\s<>\"«»]+"
    rf"|[A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.(?:{_TLDS})(?![\w-])(?:/[^\s<>\"«»]*)?(?:[.,;:!?)]+(?=\s|$))?)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")
_PIECES = re.compile(r"[^\W\d_]+|\d+|.", re.DOTALL)
_TRAILING_PUNCTUATION = ".,;:!?)"


# A label Spanish can say as a word ("info", "mesadepartes", "vocalio") is said, as people read an
# e-mail address aloud; one it cannot ("cdf", "ocpr", "xyz") is spelled. Spanish syllables: consonant
# runs of at most two inside the word, or three ending in an onset (ch, ll, rr, qu count as one), a
# two-consonant start only as an onset (bl, br, cl, cr, dr, fl, fr, gl, gr, pl, pr, tr), an ending in a
# vowel or l, n, r, s, d, z, y.
_VOWELS = frozenset("aeiouáéíóúü")
_DIGRAPHS = re.compile(r"ch|ll|rr|qu")
_ONSETS = frozenset({"bl", "br", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "pl", "pr", "tr"})
_CONSONANT_RUN = re.compile(r"[^aeiouáéíóúü]+")


def pronounceable(word: str) -> bool:
    lowered = _DIGRAPHS.sub("c", word.lower())
    if len(word) < 3 or not any(char in _VOWELS for char in lowered):
        return False
    if lowered[-1] not in _VOWELS and lowered[-1] not in "lnrsdzy":
        return False
    for run in _CONSONANT_RUN.finditer(lowered):
        text = run.group(0)
        if run.start() == 0 and len(text) == 2 and text not in _ONSETS:
            return False
        # Inside the word a third consonant is a new syllable's onset: "hombre", "universalblue".
        if len(text) > 3 or (len(text) == 3 and text[1:] not in _ONSETS):
            return False
        if run.end() == len(lowered) and len(text) > 1:
            return False
    return True


def _read_piece(piece: str, is_tld: bool, say_words: bool = False) -> str:
    if piece.isdigit():
        return digits_one_by_one(piece)
    if piece.isalpha():
        lowered = piece.lower()
        if lowered in SERVER_NAMES or (is_tld and lowered in SPOKEN_DOMAINS):
            return lowered
        if say_words and not is_tld and pronounceable(lowered):
            return lowered
        return " ".join(lowered)
    return SYMBOL_NAMES.get(piece, piece)


def read_address(address: str) -> str:
    """Spell one URL, e-mail address or handle: "cdf@abc.edu" -> "c d f arroba a b c punto e d u"."""
    spoken: list[str] = []
    host_end = len(address)
    scheme = re.match(r"(?:https?|ftp)://", address, re.IGNORECASE)
    path_start = address.find("/", scheme.end() if scheme else 0)
    if path_start != -1:
        host_end = path_start
    pieces = list(_PIECES.finditer(address))
    # An e-mail address or a handle says the labels Spanish can say as words ("@recetasdepilu").
    is_email = "@" in address
    for index, piece in enumerate(pieces):
        text = piece.group(0)
        previous = pieces[index - 1].group(0) if index else ""
        following = pieces[index + 1].group(0) if index + 1 < len(pieces) else ""
        # The last label of the host, after a dot and before the path, is the top-level domain.
        is_tld = previous == "." and piece.end() <= host_end and following in ("", "/", ".")
        if scheme and piece.end() <= scheme.end() and text.isalpha():
            spoken.append(" ".join(text.lower()))
            continue
        spoken.append(_read_piece(text, is_tld, say_words=is_email))
    return " ".join(word for word in spoken if word.strip())


def _split_trailing(match_text: str) -> tuple[str, str]:
    core = match_text.rstrip(_TRAILING_PUNCTUATION)
    return core, match_text[len(core) :]


def _replace(match: re.Match[str]) -> str:
    core, trailing = _split_trailing(match.group(0))
    if not core:
        return match.group(0)
    spoken = read_address(core)
    return f"{spoken} {trailing}" if trailing else spoken


# File names: the name is left to the engine, the extension is said ("informe.pdf" -> "informe punto pe de
# efe", "foto.jpg" -> "foto punto jota pe ge", "datos.zip" -> "datos punto zip").
FILE_EXTENSIONS = (
    "pdf|docx?|xlsx?|pptx?|odt|txt|rtf|csv|json|xml|html?|jpe?g|png|gif|svg|mp3|mp4|wav|avi|mov|zip|rar|exe|py|js"
)
_FILE_NAME = re.compile(rf"(?<![\w./@])(?P<name>[^\W\d_][\w-]*)\.(?P<ext>{FILE_EXTENSIONS})\b(?![./]\w)", re.IGNORECASE)


def _extension(extension: str) -> str:
    letters, digits = re.match(r"([a-z]+)(\d*)", extension.lower()).groups()
    spoken = spoken_letters(letters)
    return spoken + (" " + digits_one_by_one(digits) if digits else "")


def normalize_electronic(text: str) -> str:
    """Read every e-mail address, URL, @handle and file name in `text`."""
    if "." in text:
        text = _FILE_NAME.sub(lambda match: f"{match.group('name')} punto {_extension(match.group('ext'))}", text)
    if "@" in text:
        text = _EMAIL.sub(_replace, text)
        text = _HANDLE.sub(_replace, text)
    if "." in text:
        text = _URL.sub(_replace, text)
    return text
