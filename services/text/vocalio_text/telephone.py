"""Telephone numbers and IP addresses: digits read one by one, group by group.

Conventions (as in public Spanish TN sets): the country code is read as a number when it has one
or two digits ("+54" -> "más cincuenta y cuatro") and digit by digit when it has three ("+593");
the rest is read digit by digit, groups kept apart by the spaces between them; a short group
after the subscriber number, or "ext.", is the extension. Toll-free prefixes with letters
("1-800-go-u-haul") keep their words.
"""

import re

from vocalio_text.acronyms import LETTER_NAMES
from vocalio_text.numbers import DIGIT_WORDS, cardinal, digits_one_by_one

_COUNTRY = r"\+\d{1,3}"
_AREA = r"\(\d{1,4}\)"
_GROUP = r"\d{2,4}"
# Subscriber number: 3 or more groups joined by hyphens, dots or spaces, or two groups joined by a
# hyphen ("1234-5678"); a plain "1 000" or "1.000" is a number, not a phone.
_PHONE = re.compile(
    rf"(?<![\w+.,/-])(?P<country>{_COUNTRY}[\s-]?)?(?P<area>{_AREA}\s?)?"
    rf"(?P<number>{_GROUP}(?:-{_GROUP}){{1,3}}|{_GROUP}(?:\s{_GROUP}){{1,3}}(?=\s*(?:-\s*)?\d{{4}})\s*-?\s*\d{{4}})"
    rf"(?:(?P<ext_dash>-\d{{1,4}})|\s*(?P<ext_word>ext\.?|extensión)\s*(?P<ext>\d{{1,5}}))?"
    rf"(?![\w]|[.,-]\d)"
)
# After a country code the first group may be a single digit: Chile's mobiles "+56 9 8765 4321",
# Argentina's "+54 9 11 ...".
_PHONE_WITH_PREFIX = re.compile(
    rf"(?<![\w+])(?P<country>{_COUNTRY})[\s-]?(?P<area>{_AREA}\s?)?(?P<number>\d{{1,4}}(?:[\s.-]\d{{2,4}})+)"
    rf"(?:(?P<ext_dash>-\d{{1,4}})|\s*(?P<ext_word>ext\.?|extensión)\s*(?P<ext>\d{{1,5}}))?(?![\w])"
)
_TOLL_FREE = re.compile(r"(?<![\w-])([01])-(800|900|888|877)-([a-záéíóúñ]+(?:-[a-záéíóúñ]+)*)\b", re.IGNORECASE)
_IP = re.compile(r"(?<![\w.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)")
_IP_WORD = re.compile(r"\b(?:ip|IP)\b")
# A prompt makes a run of digit groups a phone even when it would read as a number.
_PROMPTED = re.compile(
    r"(?P<prompt>\b(?:tel\.|teléfono|tlf\.|tfno\.|móvil|celular|cel\.|whatsapp|fax|llámame al|llámeme al|"
    r"llamar al|llama al|llame al|marque|marca al)\s*:?\s*)(?P<digits>\d[\d\s.-]{5,}\d)",
    re.IGNORECASE,
)


# National numbers grouped with spaces the way each country writes them: Spain's nine digits in
# 3-2-2-2 or 2-3-2-2 ("612 34 56 78", "91 234 56 78"), Mexico's ten in 2-4-4 ("55 1234 5678"),
# Argentina's "011 4321 5678" and "0800 222 3456". Three or more groups, 8 to 13 digits in all,
# and a two-digit group or a leading zero: a run of four-digit years ("1990 2000 2010") or a number
# with space thousands ("1 234 567") is neither.
_SPACED_PHONE = re.compile(
    r"(?<![\w+.,/:-])(?P<number>(?:\(\d{1,4}\)\s?|\d{1,4}[ \u00a0])\d{1,4}(?:[ \u00a0]\d{1,4}){1,4})(?![\w]|[.,:/-]\d)"
)


_DIALLED_BEFORE = re.compile(r"\b(?:el|al|del|número|teléfono|línea|móvil|fax)\s+$", re.IGNORECASE)


_COUNTED_AFTER = re.compile(r"\s*(?:(?!(?:y|o|u|e)\s)[^\W\d_]|[%‰€$£¥₡₲])")  # "… 456 o 655 …": a list of phones


def _spaced_phone(match: re.Match[str]) -> str:
    groups = match.group("number").replace("(", "").replace(")", " ").split()
    digits = sum(len(group) for group in groups)
    thousands = len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])
    # Spain's 3-3-3 ("es el 900 100 200", "Información: 915 298 210."): a phone when named as one or
    # when nothing it counts follows; "915 298 210 euros" is a quantity written with spaces.
    spain_grouping = thousands and len(groups) == 3 and digits == 9 and groups[0][0] in "6789"
    if spain_grouping and (
        _DIALLED_BEFORE.search(match.string, 0, match.start()) or not _COUNTED_AFTER.match(match.string, match.end())
    ):
        return _read_groups(match.group("number"))
    if not 8 <= digits <= 13 or thousands or min(len(group) for group in groups) < 2:
        return match.group(0)
    if not (groups[0].startswith("0") or any(len(group) == 2 for group in groups)):
        return match.group(0)
    return _read_groups(match.group("number"))


def _country_code(code: str) -> str:
    digits = code.lstrip("+").strip(" -")
    return "más " + (cardinal(int(digits)) if len(digits) <= 2 else digits_one_by_one(digits))


def _read_groups(number: str) -> str:
    return " ".join(digits_one_by_one(group) for group in re.split(r"[\s().-]+", number) if group)


_YEAR_RANGE = re.compile(r"(1\d{3}|20\d{2})-(1\d{3}|20\d{2})")
_TRAILING_EXTENSION = re.compile(r"(?<=\d{4})-(\d{1,2})$")
_WORD_AFTER = re.compile(r"\s?([^\s\d.,;:()]+)")


def _phone(match: re.Match[str]) -> str:
    number = match.group("number")
    if match.group("country") and sum(char.isdigit() for char in number) < 6:
        return match.group(0)  # "+5 10 20": a sum, not a telephone
    if not match.group("country") and (_YEAR_RANGE.fullmatch(number) or sum(char.isdigit() for char in number) < 7):
        return match.group(0)  # "2010-2020", "10-20": ranges, read by the number rules
    if not match.group("country") and number.count("-") == 1 and not match.group("ext"):
        from vocalio_text.measures import UNITS  # measures imports money and fractions: import late

        unit = _WORD_AFTER.match(match.string, match.end())
        if unit and unit.group(1) in UNITS:
            return match.group(0)  # "1200-3200 mg": a range of a measure, not a phone number
    extension = match.group("ext_dash") or match.group("ext")
    trailing = _TRAILING_EXTENSION.search(number)
    if not extension and trailing:
        extension, number = trailing.group(1), number[: trailing.start()]
    parts: list[str] = []
    if match.group("country"):
        parts.append(_country_code(match.group("country")))
    if match.group("area"):
        parts.append(_read_groups(match.group("area")))
    parts.append(_read_groups(number))
    if extension:
        parts.append("extensión " + digits_one_by_one(extension.lstrip("-")))
    return " ".join(parts)


def _toll_free(match: re.Match[str]) -> str:
    prefix = "cero" if match.group(1) == "0" else "uno"
    words = match.group(3).replace("-", " ")
    return f"{prefix} {cardinal(int(match.group(2)))} {words}"


def _ip(match: re.Match[str]) -> str:
    octets = match.groups()
    if any(int(octet) > 255 for octet in octets) or all(len(octet) == 3 for octet in octets[1:]):
        return match.group(0)  # "1.000.000.000" is a number written with thousands dots
    return " punto ".join(digits_one_by_one(octet) for octet in match.groups())


def _prompted(match: re.Match[str]) -> str:
    return match.group("prompt") + _read_groups(match.group("digits"))


# Postal codes are codes, not quantities: "C.P. 28001" -> "código postal dos ocho cero cero uno".
_POSTAL_CODE = re.compile(
    r"(?<![\w.])(?P<prompt>C\.\s?P\.|CP|[Cc]ódigo [Pp]ostal)\s*:?\s*(?P<code>\d{4,5})(?![\w.,]\d|\w)"
)


# Chilean RUT/RUN: the number, then its check digit after "guión" ("k" is "ka").
_RUT = re.compile(r"(?P<prompt>\b(?:RUT|RUN|R\.U\.T\.)\s*:?\s*)(?P<number>\d{1,2}(?:\.?\d{3}){2})-(?P<check>[\dkK])\b")


def _rut(match: re.Match[str]) -> str:
    check = match.group("check")
    spoken_check = "ka" if check in "kK" else DIGIT_WORDS[int(check)]
    return f"{match.group('prompt')}{cardinal(int(match.group('number').replace('.', '')))} guión {spoken_check}"


# Book and serial numbers: each group digit by digit ("X" is the check digit ten, said "equis").
_ISBN = re.compile(r"(?P<prompt>\b(?:ISBN|ISSN)(?:-1[03])?:?\s*)(?P<code>\d[\d-]{7,16}[\dX])(?![\w-])")


def _isbn(match: re.Match[str]) -> str:
    prompt = " ".join(LETTER_NAMES[letter] for letter in match.group("prompt").strip(" :")[:4])
    groups = [("equis" if group == "X" else digits_one_by_one(group)) for group in match.group("code").split("-")]
    return f"{prompt} {' '.join(groups)}"


def _postal_code(match: re.Match[str]) -> str:
    return "código postal " + digits_one_by_one(match.group("code"))


# Mobiles written as one run: nine digits from 6 to 9 (Spain's 6xx/7xx/9xx, Peru's 9xx xxx xxx) are a
# number to dial unless a noun or a currency follows ("987654321 personas") or an identity number is
# named before ("DNI 612345678").
_UNGROUPED_MOBILE = re.compile(r"(?<![\w.,+/:-])(?P<number>[6-9]\d{8})(?![\w]|[.,]\d)")
_IDENTITY_BEFORE = re.compile(
    r"\b(?:DNI|NIE|NIF|RUC|RUT|RUN|CUIT|CUIL|CI|cédula|pasaporte)\b[^\d]{0,12}$", re.IGNORECASE
)


def _ungrouped_mobile(match: re.Match[str]) -> str:
    if _COUNTED_AFTER.match(match.string, match.end()) or _IDENTITY_BEFORE.search(match.string, 0, match.start()):
        return match.group(0)
    return digits_one_by_one(match.group("number"))


# "Tel. 55 1234 5678, ext. 204": an extension after a comma is dialled too, once the number before it
# has been read as digits; elsewhere "ext." may be a Mexican address's "número exterior".
_LONE_EXTENSION = re.compile(rf"(?P<lead>\b(?:{'|'.join(DIGIT_WORDS)}),?\s+)[Ee]xt\.?\s?(?P<ext>\d{{1,5}})\b(?![.,]\d)")


def normalize_telephone(text: str) -> str:
    if "ISBN" in text or "ISSN" in text:
        text = _ISBN.sub(_isbn, text)
    if "RU" in text or "R.U.T." in text:
        text = _RUT.sub(_rut, text)
    if "P" in text or "postal" in text:
        text = _POSTAL_CODE.sub(_postal_code, text)
    if "-" in text:
        text = _TOLL_FREE.sub(_toll_free, text)
    if "." in text:
        replaced = _IP.sub(_ip, text)
        if replaced != text:
            text = _IP_WORD.sub("i p", replaced)
    if "+" in text:
        text = _PHONE_WITH_PREFIX.sub(_phone, text)
    text = _PROMPTED.sub(_prompted, text)
    if " " in text:
        text = _SPACED_PHONE.sub(_spaced_phone, text)
    text = _PHONE.sub(_phone, text)
    text = _UNGROUPED_MOBILE.sub(_ungrouped_mobile, text)
    if "xt" in text:
        text = _LONE_EXTENSION.sub(
            lambda match: match.group("lead") + "extensión " + digits_one_by_one(match.group("ext")), text
        )
    return text
