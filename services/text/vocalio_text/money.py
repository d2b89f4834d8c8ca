"""Money: "1.500 €", "$1,50", "US$ 2,5 millones", "5,01 £", "mex$100", "MXN 250".

- Amount with cents: "<n> <moneda> <m> <céntimos|centavos>" ("un dólar cincuenta centavos"); no cents
  when they are zero; only cents when the units are zero ("0,55 $" -> "cincuenta y cinco centavos").
- With a scale word the currency takes "de": "2,3 billones de euros", "1,5 millones de dólares".
- More than two decimals: the amount is read as a decimal number ("3,125 €" -> "tres coma ciento
  veinticinco euros").
- Numbers agree with the currency: "un dólar", "una libra", "veintiún euros", "doscientas libras".
- "$" depends on the region (see conventions.py); "US$"/"USD" is always the US dollar.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from vocalio_text.conventions import RegionalConventions
from vocalio_text.numbers import NUMBER_PATTERN, Form, cardinal, decimal, ends_in_scale_noun, split_number


@dataclass(frozen=True)
class Currency:
    singular: str
    plural: str
    feminine: bool = False
    minor_singular: str = "centavo"
    minor_plural: str = "centavos"
    minor_feminine: bool = False


_EURO = Currency("euro", "euros", minor_singular="céntimo", minor_plural="céntimos")
_POUND = Currency("libra", "libras", feminine=True, minor_singular="penique", minor_plural="peniques")
_YEN = Currency("yen", "yenes")
_US_DOLLAR = Currency("dólar estadounidense", "dólares estadounidenses")

# Written sign or code (lowercase) -> currency. Codes are only taken next to an amount.
CURRENCIES: dict[str, Currency] = {
    "€": _EURO,
    "eur": _EURO,
    "£": _POUND,
    "gbp": Currency("libra esterlina", "libras esterlinas", True, "penique", "peniques"),
    "¥": _YEN,
    "jpy": _YEN,
    "us$": _US_DOLLAR,
    "usd": _US_DOLLAR,
    "u$s": _US_DOLLAR,
    "mex$": Currency("peso mexicano", "pesos mexicanos"),
    "mxn": Currency("peso mexicano", "pesos mexicanos"),
    "ars": Currency("peso argentino", "pesos argentinos"),
    "ar$": Currency("peso argentino", "pesos argentinos"),
    "cop": Currency("peso colombiano", "pesos colombianos"),
    "col$": Currency("peso colombiano", "pesos colombianos"),
    "clp": Currency("peso chileno", "pesos chilenos"),
    "uyu": Currency("peso uruguayo", "pesos uruguayos"),
    "dop": Currency("peso dominicano", "pesos dominicanos"),
    "rd$": Currency("peso dominicano", "pesos dominicanos"),
    "cup": Currency("peso cubano", "pesos cubanos"),
    "pen": Currency("sol", "soles", minor_singular="céntimo", minor_plural="céntimos"),
    "s/": Currency("sol", "soles", minor_singular="céntimo", minor_plural="céntimos"),
    "s/.": Currency("sol", "soles", minor_singular="céntimo", minor_plural="céntimos"),
    "bs.": Currency("bolívar", "bolívares", minor_singular="céntimo", minor_plural="céntimos"),
    "$us": Currency("dólar", "dólares"),  # Bolivia's way of writing the US dollar
    "clp$": Currency("peso chileno", "pesos chilenos"),
    "$u": Currency("peso uruguayo", "pesos uruguayos"),
    "bop": Currency("peso boliviano", "pesos bolivianos"),
    "bob": Currency("boliviano", "bolivianos"),
    "bs": Currency("bolívar", "bolívares", minor_singular="céntimo", minor_plural="céntimos"),
    "ves": Currency("bolívar", "bolívares", minor_singular="céntimo", minor_plural="céntimos"),
    "pyg": Currency("guaraní", "guaraníes", minor_singular="céntimo", minor_plural="céntimos"),
    "₲": Currency("guaraní", "guaraníes", minor_singular="céntimo", minor_plural="céntimos"),
    "gtq": Currency("quetzal", "quetzales"),
    "q": Currency("quetzal", "quetzales"),
    "hnl": Currency("lempira", "lempiras"),
    "nio": Currency("córdoba", "córdobas"),  # el córdoba: masculine, like the coin
    "crc": Currency("colón costarricense", "colones costarricenses", minor_singular="céntimo", minor_plural="céntimos"),
    "₡": Currency("colón", "colones", minor_singular="céntimo", minor_plural="céntimos"),
    "pab": Currency("balboa", "balboas", minor_singular="centésimo", minor_plural="centésimos"),
    "brl": Currency("real brasileño", "reales brasileños"),
    "r$": Currency("real", "reales"),
    "cad": Currency("dólar canadiense", "dólares canadienses"),
    "hkd": Currency("dólar de Hong Kong", "dólares de Hong Kong"),
    "ttd": Currency(
        "dólar de Trinidad y Tobago", "dólares de Trinidad y Tobago", minor_singular="céntimo", minor_plural="céntimos"
    ),
    "chf": Currency("franco suizo", "francos suizos", minor_singular="céntimo", minor_plural="céntimos"),
    "fr": Currency("franco", "francos", minor_singular="céntimo", minor_plural="céntimos"),
    "cny": Currency("yuan", "yuanes"),
    "inr": Currency("rupia india", "rupias indias", True, "paisa", "paisas", True),
    "rs": Currency("rupia", "rupias", True, "paisa", "paisas", True),
    "kr": Currency("corona", "coronas", True, "øre", "øre"),
    "₩": Currency("won", "wones", minor_singular="chon", minor_plural="chones"),
    "krw": Currency("won", "wones", minor_singular="chon", minor_plural="chones"),
    "mk": Currency("marco", "marcos", minor_singular="céntimo", minor_plural="céntimos"),
    "awg": Currency("florín arubeño", "florines arubeños"),
    "₧": Currency("peseta", "pesetas", True, "céntimo", "céntimos"),
    "ptas": Currency("peseta", "pesetas", True, "céntimo", "céntimos"),
    "pts": Currency("peseta", "pesetas", True, "céntimo", "céntimos"),
    "₿": Currency("bitcóin", "bitcoines", minor_singular="satoshi", minor_plural="satoshis"),
    "btc": Currency("bitcóin", "bitcoines", minor_singular="satoshi", minor_plural="satoshis"),
}
_SCALES = r"mil millones|millones|millón|millardos|millardo|billones|billón|trillones|trillón|mil"
_NUMBER = NUMBER_PATTERN
_SIGN_KEYS = sorted((key for key in [*CURRENCIES, "$"] if not key.isalpha()), key=len, reverse=True)
_CODE_KEYS = sorted((key for key in CURRENCIES if key.isalpha()), key=len, reverse=True)
_SIGNS = "|".join(re.escape(key) for key in _SIGN_KEYS)
_CODES = "|".join(_CODE_KEYS)
_CURRENCY_BEFORE = rf"(?P<pre>(?:{_SIGNS})|\b(?:{_CODES})\b|(?:{_CODES})(?=\d))"
_CURRENCY_AFTER = rf"(?P<post>(?:{_SIGNS})|(?:{_CODES})(?![^\W\d_]))"
# A currency written after its amount, without a group name, for other rules' lookaheads.
CURRENCY_AFTER = rf"(?:{_SIGNS}|(?i:{'|'.join(key for key in _CODE_KEYS if len(key) > 1)}))"

# The word after a prefixed amount is captured so that "$24 pesos" says the currency once; a
# different word is put back as written.
_PREFIXED = re.compile(
    # "RD$694M", "RD$22 MM": the press's M or MM after a prefixed amount is millions.
    rf"(?<![\w$])(?P<minus>-)?{_CURRENCY_BEFORE}\s?(?P<amount>{_NUMBER})(?:\s(?P<scale>{_SCALES})\b|\s?(?P<millions>(?-i:MM|M))\b)?"
    rf"(?P<again>\s+(?:de\s+)?[^\W\d_]+\b)?"
    # "$ 109.448.835.000 (ciento nueve mil … pesos uruguayos)": the amount repeated in words.
    r"(?P<in_words>\s\([^()\d]{8,300}\))?",
    re.IGNORECASE,
)
# Paraguay writes guaraníes "G. 2.550.307", "Gs.2.289.324" or "Gs 3.400": only before an amount and with the
# capital, so "200 g." stays grams.
_GUARANI_PREFIX = re.compile(r"(?<![\w$])(?:Gs?\.|Gs)\s?(?=\d)")
# ISO codes of the currencies written with "$".
_DOLLAR_CODES = frozenset({"usd", "mxn", "ars", "clp", "cop", "uyu", "dop", "cup"}) & frozenset(CURRENCIES)
# Honduras prices in lempiras "L 101.53", "L. 92.97": the capital L before a price with its two
# decimals (an integer after "L" is too often a size or a label to be read as money).
_LEMPIRA_PREFIX = re.compile(r"(?<![\w.$])L\.?\s?(?=\d{1,3}(?:,\d{3})*\.\d{2}(?!\d))")
# "US $250 millones": the country code and the sign written apart are still the US dollar.
_US_SPACED_SIGN = re.compile(r"(?<![\w$])US \$(?=\s?\d)")
# The words "$" can stand for when the writer names the currency after the amount ("$23.19 pesos").
_DOLLAR_SIGN_WORDS = {
    "peso": Currency("peso", "pesos"),
    "pesos": Currency("peso", "pesos"),
    "dólar": Currency("dólar", "dólares"),
    "dólares": Currency("dólar", "dólares"),
}
# "3 millones de USD", "2.000 millones de €": the written "de" before a code or sign is part of the amount.
_SUFFIXED = re.compile(
    rf"(?<![\w.,])(?P<minus>-)?(?P<amount>{_NUMBER})(?:\s(?P<scale>{_SCALES})(?:\s+de)?)?\s?{_CURRENCY_AFTER}(?!\w)",
    re.IGNORECASE,
)
# "3 M€", "0,5 M$", "2 MM€": the press abbreviates millions (M, MM, mill.) and thousands of millions (MM
# in Latin America is millions too, as in "MMUS$").
_ISO_CODES = "|".join(key for key in _CODE_KEYS if len(key) == 3)
_MILLIONS_SIGN = re.compile(
    rf"(?<![\w.,])(?P<minus>-)?(?P<amount>{_NUMBER})\s?(?:M|MM|mill\.)\s?(?P<post>{_SIGNS}|US\$|(?i:{_ISO_CODES}))(?!\w)"
)


# "250 pesos MXN", "10 dólares USD": a currency word followed by its own code says the currency once.
# After an amount the word goes and the code is read with it ("doscientos cincuenta pesos
# mexicanos"); elsewhere the pair is the code's name ("los pesos MXN" -> "los pesos mexicanos").
# A code that names another currency ("pesos USD") is left alone: the writer meant both.
_WORD_THEN_CODE = re.compile(rf"(?P<word>\b[^\W\d_]+)\s+(?P<code>{_ISO_CODES.upper()})\b(?!\s?\d)")
_ANY_ISO_CODE = re.compile(rf"\b(?:{_ISO_CODES.upper()})\b")
_AFTER_AMOUNT = re.compile(rf"\d\s?(?:(?:{_SCALES})(?:\s+de)?\s)?$", re.IGNORECASE)


def _word_then_code(match: re.Match[str]) -> str:
    word, code = match.group("word").lower(), match.group("code")
    currency = CURRENCIES[code.lower()]
    singular, plural = currency.singular.split()[0], currency.plural.split()[0]
    if word not in (singular, plural):
        return match.group(0)
    if _AFTER_AMOUNT.search(match.string, 0, match.start()):
        return code
    return currency.singular if word == singular else currency.plural


_BOLIVIANO = Currency("boliviano", "bolivianos")


def _currency(written: str, conventions: RegionalConventions) -> Currency:
    key = written.lower().replace(" ", "")
    if key == "$":
        return Currency(conventions.dollar_sign_major, conventions.dollar_sign_plural)
    if key in ("bs", "bs.") and conventions.bs_is_boliviano:
        return _BOLIVIANO
    return CURRENCIES[key]


def _form(feminine: bool) -> Form:
    return Form.FEMININE if feminine else Form.APOCOPE


def spoken_amount(
    amount: str, scale: str | None, currency: Currency, conventions: RegionalConventions, negative: bool = False
) -> str:
    integer, fraction = split_number(amount, conventions.decimal_mark)
    sign = "menos " if negative else ""
    if scale:
        scale_lower = scale.lower()
        preposition = " de" if scale_lower != "mil" else ""
        if fraction:
            number = decimal(integer, fraction, Form.APOCOPE, conventions.decimal_word)
        elif integer == "1" and scale_lower.startswith("mil"):
            # "Q1 mil", "$1 mil millones": a thousand is "mil", never "un mil".
            return f"{sign}{scale_lower}{preposition} {currency.plural}"
        else:
            form = Form.FEMININE if currency.feminine and scale_lower == "mil" else Form.APOCOPE
            number = cardinal(int(integer), form)
        return f"{sign}{number} {scale_lower}{preposition} {currency.plural}"
    # One decimal digit is a statistic ("USD 354,2"), not a price with cents; three or more too.
    if fraction and len(fraction) != 2:
        number = decimal(integer, fraction, _form(currency.feminine), conventions.decimal_word)
        return f"{sign}{number} {currency.plural}"
    units = int(integer)
    cents = int(fraction.ljust(2, "0")) if fraction else 0
    parts: list[str] = []
    if units or not cents:
        name = currency.singular if units == 1 else currency.plural
        number = cardinal(units, _form(currency.feminine))
        # A round million is a noun: "un millón de euros", as with a written scale word.
        parts.append(f"{number}{' de' if ends_in_scale_noun(number) else ''} {name}")
    if cents:
        minor = currency.minor_singular if cents == 1 else currency.minor_plural
        parts.append(f"{cardinal(cents, _form(currency.minor_feminine))} {minor}")
    return sign + " ".join(parts)


def _make_replacer(conventions: RegionalConventions, group: str) -> Callable[[re.Match[str]], str]:
    def _replace(match: re.Match[str]) -> str:
        written = match.group(group)
        if len(written) == 1 and written.isalpha() and group == "post":
            return match.group(0)  # "5 q" is not money; "q50" is (Guatemalan quetzales)
        again = match.groupdict().get("again") or ""
        word = again.split()[-1].lower() if again else ""
        if written == "$" and word in _DOLLAR_SIGN_WORDS and again.split()[0].lower() != "de":
            currency = _DOLLAR_SIGN_WORDS[word]
        elif written == "$" and again.strip().isupper() and again.strip().lower() in _DOLLAR_CODES:
            # "$20,000 USD", "$500 MXN": the code names the currency the sign stands for, said once.
            currency = CURRENCIES[again.strip().lower()]
            return spoken_amount(
                match.group("amount"), match.group("scale"), currency, conventions, bool(match.group("minus"))
            ) + (match.groupdict().get("in_words") or "")
        else:
            currency = _currency(written, conventions)
        scale = match.group("scale")
        if match.groupdict().get("millions"):
            integer, fraction = split_number(match.group("amount"), conventions.decimal_mark)
            scale = "millón" if integer == "1" and not fraction else "millones"
        spoken = spoken_amount(match.group("amount"), scale, currency, conventions, bool(match.group("minus")))
        in_words = match.groupdict().get("in_words") or ""
        if in_words and not again and _same_start(spoken, in_words):
            # Legal Spanish writes the amount twice, in figures and in words; a narrator says it once,
            # in the writer's words (which name the currency as the writer wants it said).
            return in_words.strip()[1:-1]
        # The currency said once: "$24 pesos", "$ 3 millones de pesos", "G. 2.550.307 guaraníes".
        if word and word in (currency.plural.split()[0], currency.singular.split()[0]):
            return spoken + in_words
        return spoken + again + in_words

    return _replace


def _same_start(spoken: str, in_words: str) -> bool:
    """The bracket says the same amount: its first words (up to three) are the amount's."""
    first = spoken.casefold().split()[:3]
    return len(first) >= 2 and in_words.strip()[1:-1].casefold().split()[: len(first)] == first


def _make_millions(conventions: RegionalConventions) -> Callable[[re.Match[str]], str]:
    def _millions(match: re.Match[str]) -> str:
        integer, fraction = split_number(match.group("amount"), conventions.decimal_mark)
        scale = "millón" if integer == "1" and not fraction else "millones"
        currency = _currency(match.group("post"), conventions)
        return spoken_amount(match.group("amount"), scale, currency, conventions, bool(match.group("minus")))

    return _millions


def normalize_currency_pairs(text: str) -> str:
    """ "pesos MXN" -> "MXN" after an amount, "pesos mexicanos" elsewhere; runs on text without digits too."""
    if not _ANY_ISO_CODE.search(text):
        return text
    return _WORD_THEN_CODE.sub(_word_then_code, text)


def normalize_money(text: str, conventions: RegionalConventions) -> str:
    if "M" in text or "mill." in text:
        text = _MILLIONS_SIGN.sub(_make_millions(conventions), text)
    if "G" in text:
        text = _GUARANI_PREFIX.sub("₲", text)
    if "L" in text:
        text = _LEMPIRA_PREFIX.sub("HNL ", text)
    if "US $" in text:
        text = _US_SPACED_SIGN.sub("US$", text)
    text = _PREFIXED.sub(_make_replacer(conventions, "pre"), text)
    return _SUFFIXED.sub(_make_replacer(conventions, "post"), text)
