"""Abbreviations (a whitelist: only these are expanded) and spelled acronyms.

Titles keep the reading of public Spanish TN sets: "Dr." -> "Doctor", "Sr." -> "señor",
"EE. UU." -> "Estados Unidos"; lowercase written forms give lowercase readings. An abbreviation
that ends a sentence ("etc.") gives its dot back, so sentence splitting still sees the end.
Acronyms said letter by letter are respelled with Spanish letter names ("FBI" -> "efe be i");
acronyms read as words ("ONU", "OTAN", "UNESCO") are left alone: the engine reads them.
"""

import re

# Written form -> spoken form. Spaces inside a written form match any spacing ("EE.UU.", "EE. UU.").
ABBREVIATIONS: dict[str, str] = {
    "Sr.": "señor",
    "sr.": "señor",
    "Sra.": "señora",
    "sra.": "señora",
    "Srta.": "señorita",
    "srta.": "señorita",
    "Sres.": "señores",
    "Sras.": "señoras",
    "Srs.": "señores",
    "Dr.": "Doctor",
    "dr.": "doctor",
    "Dra.": "Doctora",
    "dra.": "doctora",
    "Dres.": "doctores",
    "D.": "Don",
    "Da.": "Doña",
    "da.": "doña",
    "Dña.": "Doña",
    "dña.": "doña",
    "Dª": "Doña",
    "Ud.": "usted",
    "ud.": "usted",
    "Uds.": "ustedes",
    "uds.": "ustedes",
    "Vd.": "usted",
    "vd.": "usted",
    "Vds.": "ustedes",
    "vds.": "ustedes",
    "Lic.": "licenciado",
    "Lcdo.": "licenciado",
    "Lcda.": "licenciada",
    "Ing.": "ingeniero",
    "Arq.": "arquitecto",
    "Prof.": "profesor",
    "prof.": "profesor",
    "Profa.": "profesora",
    "profa.": "profesora",
    "Mtro.": "maestro",
    "Mtra.": "maestra",
    "Gral.": "general",
    "Cnel.": "coronel",
    "Cap.": "capitán",
    "Sto.": "santo",
    "Sta.": "santa",
    "Fr.": "fray",
    "Mons.": "monseñor",
    "Excmo.": "excelentísimo",
    "Excma.": "excelentísima",
    "Ilmo.": "ilustrísimo",
    "Ilma.": "ilustrísima",
    "EE. UU.": "Estados Unidos",
    "ee. uu.": "estados unidos",
    "EE.UU.": "Estados Unidos",
    "EEUU": "Estados Unidos",
    "pág.": "página",
    "págs.": "páginas",
    "pp.": "páginas",
    "núm.": "número",
    "nro.": "número",
    "Nro.": "número",
    "n.º": "número",
    "N.º": "número",
    "nº": "número",
    "Nº": "número",
    "No.": "número",
    "etc.": "etcétera",
    "aprox.": "aproximadamente",
    "p. ej.": "por ejemplo",
    "p.ej.": "por ejemplo",
    "cap.": "capítulo",
    "vol.": "volumen",
    "vols.": "volúmenes",
    "art.": "artículo",
    "arts.": "artículos",
    "fig.": "figura",
    "Fig.": "figura",
    "Ed.": "editorial",
    "ej.": "ejemplo",
    "tel.": "teléfono",
    "Tel.": "teléfono",
    "tlf.": "teléfono",
    "tfno.": "teléfono",
    "Gob.": "gobierno",
    "gob.": "gobierno",
    "Av.": "avenida",
    "av.": "avenida",
    "Avda.": "avenida",
    "avda.": "avenida",
    "avd.": "avenida",
    "s/n": "sin número",
    "S/N": "sin número",
    "c/u": "cada uno",
    "c/": "calle",
    "C/": "calle",
    "esq.": "esquina",
    "pza.": "plaza",
    "plza.": "plaza",
    "Pza.": "plaza",
    "ctra.": "carretera",
    "carret.": "carretera",
    "blvd.": "bulevar",
    "blvr.": "bulevar",
    "pje.": "pasaje",
    "p.º": "paseo",
    "rbla.": "rambla",
    "c.º": "camino",
    "c.º a.": "camino alto",
    "c.º b.": "camino bajo",
    "c.º v.": "camino viejo",
    "carr.ª": "carrera",
    "cta.": "cuenta",
    "ctvs.": "centavos",
    "ctvos.": "centavos",
    "cts.": "céntimos",
    "cént.": "céntimos",
    "dpto.": "departamento",
    "depto.": "departamento",
    "Cía.": "compañía",
    "cía.": "compañía",
    "S. A.": "sociedad anónima",
    "S.A.": "sociedad anónima",
    "S. L.": "sociedad limitada",
    "S.L.": "sociedad limitada",
    "máx.": "máximo",
    "mín.": "mínimo",
    "admón.": "administración",
    "atte.": "atentamente",
    "vs.": "versus",
    "izq.": "izquierda",
    "izqda.": "izquierda",
    "izda.": "izquierda",
    "dcha.": "derecha",
    "tb.": "también",
    "q.e.p.d.": "que en paz descanse",
    "Cra.": "carrera",
    "Cl.": "calle",
    "Dg.": "diagonal",
    "Tv.": "transversal",
    "Urb.": "urbanización",
    "urb.": "urbanización",
    "Mz.": "manzana",
    "Cel.": "celular",
    "cel.": "celular",
    "Prof.ª": "profesora",
    "Fdo.": "firmado",
    "fdo.": "firmado",
    "Atte.": "atentamente",
    "Ntra.": "nuestra",
    "ntra.": "nuestra",
    "Ntro.": "nuestro",
    "ntro.": "nuestro",
    "Ltda.": "limitada",
    "S. A. de C. V.": "sociedad anónima de capital variable",
    "S. de R. L.": "sociedad de responsabilidad limitada",
    "S. M.": "Su Majestad",
    "SS. MM.": "Sus Majestades",
    "S. A. R.": "Su Alteza Real",
    "C. P.": "código postal",
    "Dpto.": "departamento",
    "Depto.": "departamento",
    "Pbro.": "presbítero",
    "Tte.": "teniente",
    "Sgto.": "sargento",
    "Cmdte.": "comandante",
    "Cte.": "comandante",
    "Alm.": "almirante",
    "Hno.": "hermano",
    "Hnos.": "hermanos",
    "Vda.": "viuda",
    "Ayto.": "ayuntamiento",
    "Admón.": "administración",
    "Apdo.": "apartado",
    "apdo.": "apartado",
    "Bco.": "banco",
    "Univ.": "universidad",
    "Bs. As.": "Buenos Aires",
    "ed.": "edición",
    "trad.": "traducción",
    "op. cit.": "obra citada",
    "ed. cit.": "edición citada",
    "ob. cit.": "obra citada",
    "ibíd.": "ibídem",
    "ib.": "ibídem",
    "cf.": "compárese",
    "cfr.": "compárese",
    "vid.": "véase",
    "v. gr.": "verbigracia",
    "i. e.": "esto es",
    "ss.": "siguientes",
    "a. m.": "a. m.",
    "p. m.": "p. m.",
}
# These can end a sentence, so their dot is given back when they do.
_SENTENCE_FINAL = frozenset(
    {
        "etc.",
        "EE. UU.",
        "ee. uu.",
        "EE.UU.",
        "S. A.",
        "S.A.",
        "S. L.",
        "S.L.",
        "aprox.",
        "Ltda.",
        "S. A. de C. V.",
        "S. de R. L.",
        "ibíd.",
        "ib.",
        "op. cit.",
        "ob. cit.",
        "ss.",
        "Bs. As.",
    }
)
# Read in titles only before a capitalised name ("D. Quijote"), never as a verb or an initial.
_BEFORE_NAME_ONLY = frozenset({"D.", "Da.", "da.", "Fr.", "Cap.", "No.", "Alm.", "Cte."})

SPELLED_ACRONYMS: dict[str, str] = {
    "FBI": "efe be i",
    "CIA": "ce i a",
    "DNI": "de ene i",
    "PP": "pe pe",
    "PSOE": "pe soe",
    "ADN": "a de ene",
    "ONG": "o ene ge",
    "PIB": "pe i be",
    "UE": "u e",
    "TV": "te ve",
    "DVD": "de uve de",
    "CD": "ce de",
    "USB": "u ese be",
    "PDF": "pe de efe",
    "SMS": "ese eme ese",
    "GPS": "ge pe ese",
    "BBC": "be be ce",
    "CNN": "ce ene ene",
    "FMI": "efe eme i",
    "BCE": "be ce e",
    "OMS": "o eme ese",
    "OCDE": "o ce de e",
    "IBM": "i be eme",
    "HTML": "hache te eme ele",
    "URL": "u erre ele",
    "API": "a pe i",
    "PRI": "pe erre i",
    "RAE": "erre a e",
    "EEUU": "Estados Unidos",
    "IA": "i a",
    "PC": "pe ce",
    "CV": "ce uve",
    "VIH": "uve i hache",
    "ONCE": "ONCE",
    "NBA": "ene be a",
    "FC": "efe ce",
    "DF": "de efe",
    "CDMX": "ce de eme equis",
    "UBA": "UBA",
    "UNAM": "UNAM",
    "BID": "be i de",
    "SA": "ese a",
}

_FLEXIBLE = {key: re.escape(key).replace(r"\ ", r"\s?") for key in ABBREVIATIONS}
_ABBREVIATION = re.compile(
    r"(?<![\w.])(?P<abbr>"
    + "|".join(_FLEXIBLE[key] for key in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?!\w)"
)
_LOOKUP = {re.sub(r"\s", "", key): value for key, value in ABBREVIATIONS.items()}
_CANONICAL = {re.sub(r"\s", "", key): key for key in ABBREVIATIONS}
_NEXT_STARTS_SENTENCE = re.compile(r"\s+(?:[¿¡«\"—–-]|[A-ZÁÉÍÓÚÑ])")
_NEXT_IS_NAME = re.compile(r"\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñ]")
_INITIAL_BEFORE = re.compile(r"\b[A-ZÁÉÍÓÚÑ]\.\s*$")
_ACRONYM = re.compile(r"\b(?:" + "|".join(sorted(SPELLED_ACRONYMS, key=len, reverse=True)) + r")\b")

# Every dotted piece of an abbreviation ("EE", "UU", "p", "ej"), for the sentence splitter.
_ABBREVIATION_TOKENS = frozenset(
    piece.casefold() for key in ABBREVIATIONS if "." in key for piece in re.split(r"[.\s]+", key) if piece
)
_INITIALS = re.compile(r"(?:\w\.)+\w")


def is_abbreviation(word: str) -> bool:
    """Whether `word` (without its final dot) is an abbreviation whose dot does not end a sentence."""
    token = word.casefold()
    return token in _ABBREVIATION_TOKENS or bool(_INITIALS.fullmatch(token)) or (len(token) == 1 and token.isalpha())


def _replace(match: re.Match[str]) -> str:
    written = match.group("abbr")
    key = re.sub(r"\s", "", written)
    canonical = _CANONICAL[key]
    after = match.string[match.end() :]
    if canonical in _BEFORE_NAME_ONLY:
        if not _NEXT_IS_NAME.match(after) and canonical != "da.":
            return written
        if canonical == "da." and not re.match(r"\s+[^\W\d_]", after):
            return written
        if _INITIAL_BEFORE.search(match.string, 0, match.start()):
            return written  # "J. D. Salinger": an initial, not "don"
    spoken = _LOOKUP[key]
    if canonical in _SENTENCE_FINAL and _NEXT_STARTS_SENTENCE.match(after):
        return spoken + "."
    return spoken


# Abbreviations that are only abbreviations before a number, read before the number becomes words:
# "p. 23" (página), "n. 5" is left alone (nota or número).
_BEFORE_NUMBER = re.compile(r"(?<![\w.])(?P<abbr>p\.|Ap\.|ap\.|Cap\.)\s?(?=\d)")
_BEFORE_NUMBER_SPOKEN = {"p.": "página", "Ap.": "apartado", "ap.": "apartado", "Cap.": "capítulo"}


def normalize_abbreviations_before_numbers(text: str) -> str:
    return _BEFORE_NUMBER.sub(lambda match: _BEFORE_NUMBER_SPOKEN[match.group("abbr")] + " ", text)


LETTER_NAMES = {
    "A": "a",
    "B": "be",
    "C": "ce",
    "D": "de",
    "E": "e",
    "F": "efe",
    "G": "ge",
    "H": "hache",
    "I": "i",
    "J": "jota",
    "K": "ka",
    "L": "ele",
    "M": "eme",
    "N": "ene",
    "Ñ": "eñe",
    "O": "o",
    "P": "pe",
    "Q": "cu",
    "R": "erre",
    "S": "ese",
    "T": "te",
    "U": "u",
    "V": "uve",
    "W": "uve doble",
    "X": "equis",
    "Y": "i griega",
    "Z": "zeta",
}
# Capital runs not in the list above: spelled when Spanish cannot say them as a word (no vowel, three
# consonants in a row, or a short one opening with two consonants that cannot start a syllable:
# "DGT", "CNMV", "IRPF", "BBVA", "HBO"); "NASA", "OTAN", "UEFA", "CSIC" are left to be read as words.
_CAPITAL_RUN = re.compile(r"\b[A-ZÑ]{2,6}\b(?!\.?\w)")
_VOWELS = frozenset("AEIOU")
_ONSETS = frozenset({"BL", "BR", "CL", "CR", "DR", "FL", "FR", "GL", "GR", "PL", "PR", "TR", "CH", "LL"})
_ROMAN_NUMERAL = re.compile(r"M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")


def _unpronounceable(word: str) -> bool:
    if not _VOWELS.intersection(word):
        return True
    if re.search(r"[^AEIOU]{3}", word):
        return True
    return len(word) <= 3 and word[0] not in _VOWELS and word[1] not in _VOWELS and word[:2] not in _ONSETS


def _spell_capitals(match: re.Match[str]) -> str:
    word = match.group(0)
    if _ROMAN_NUMERAL.fullmatch(word) or not _unpronounceable(word):
        return word
    return " ".join(LETTER_NAMES[letter] for letter in word)


def normalize_abbreviations(text: str) -> str:
    text = _ABBREVIATION.sub(_replace, text)
    text = _ACRONYM.sub(lambda match: SPELLED_ACRONYMS[match.group(0)], text)
    return _CAPITAL_RUN.sub(_spell_capitals, text)
