"""Abbreviations (a whitelist: only these are expanded); acronyms are read by acronyms.py.

Titles keep the reading of public Spanish TN sets: "Dr." -> "Doctor", "Sr." -> "señor",
"EE. UU." -> "Estados Unidos"; lowercase written forms give lowercase readings. An abbreviation
that ends a sentence ("etc.") gives its dot back, so sentence splitting still sees the end.
A few ("p.", "Cap.") are only abbreviations before a number and are read before the number is.
"""

import re

from vocalio_text.acronyms import normalize_acronyms

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
    "D.ª": "Doña",
    "Ldo.": "licenciado",
    "Lda.": "licenciada",
    "Abog.": "abogado",
    "Sn.": "san",
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
    "N°": "número",
    "Nºs": "números",
    "N°s": "números",
    "Nros.": "números",
    "N°s.": "números",
    "Nºs.": "números",
    "nros.": "números",
    "n°": "número",
    "Art.": "artículo",
    "B.O.E.": "BOE",  # the Boletín Oficial del Estado, said as a word
    "Arts.": "artículos",
    "inc.": "inciso",
    "expte.": "expediente",
    "Expte.": "expediente",
    "No.": "número",
    "etc.": "etcétera",
    "aprox.": "aproximadamente",
    "apróx.": "aproximadamente",
    "mln": "millones",
    "Pos.": "posición",
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
    "Cat.": "categoría",
    "cat.": "categoría",
    "Cats.": "categorías",
    # Club names as the sports pages shorten them: "Def. y Justicia", "Juv. Unida", "Dep. Cali".
    "Def.": "Defensa",
    "Juv.": "Juventud",
    "a. m.": "a. m.",
    "p. m.": "p. m.",
}
# These can end a sentence, so their dot is given back when they do.
_SENTENCE_FINAL = frozenset(
    {
        "etc.",
        "Pos.",
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
# "No. 005", "Núm. A/041", "N.4" (a seed in a draw), "Art 1º" without its dot: número and artículo
# before a number (or a letter code and a number); "c. 1548" is circa, said "hacia", before a year.
_BEFORE_NUMBER = re.compile(
    r"(?<![\w.])(?P<abbr>p\.|Ap\.|ap\.|Cap\.|No\.|Núm\.|NÚM\.|N\.(?=\d)|N°(?=\d)|Nº(?=\d)|Art(?=\s\d)|c\.(?=\s?1\d{3}\b)|of\.|Of\.|Ofic\.)\s?"
    r"(?=\d|[A-Z]/\d)"
)
_BEFORE_NUMBER_SPOKEN = {
    "p.": "página",
    "Ap.": "apartado",
    "ap.": "apartado",
    "Cap.": "capítulo",
    "No.": "número",
    "Núm.": "número",
    "NÚM.": "número",
    "N.": "número",
    "N°": "número",  # "Diario Oficial N°14.632": glued to its number
    "Nº": "número",
    "Art": "artículo",
    "c.": "hacia",
    "of.": "oficina",  # "of. 204": an office number in an address
    "Of.": "oficina",
    "Ofic.": "oficina",
}


# Peruvian and Andean legal citations abbreviate the kind of norm before its number: "D.S. N° 003-2021-PCM"
# (decreto supremo), "R.M. N.º 123-2022-MINEDU" (resolución ministerial). "R.D." is left out: it is
# Spain's real decreto as often as a resolución directoral.
_NORM_KINDS = {
    "D.S.": "Decreto Supremo",
    "D.L.": "Decreto Legislativo",
    "D.U.": "Decreto de Urgencia",
    "R.M.": "Resolución Ministerial",
    "R.S.": "Resolución Suprema",
    "R.Leg.": "Resolución Legislativa",
    "DD.SS.": "Decretos Supremos",
    "RR.MM.": "Resoluciones Ministeriales",
    "D.O.": "Diario Oficial",  # "Publicada D.O. 23 dic/005": before a date or number only (not "D.O. Rioja")
}
_NORM_KIND = re.compile(
    r"(?<![\w.])(?P<abbr>D\.\s?[SLUO]\.|R\.\s?[MS]\.|R\.\s?Leg\.|DD\.\s?SS\.|RR\.\s?MM\.)"
    r"(?=\s+(?:N[°º.]|n[°º.]|Nro\.|número|\d))"
)


def normalize_norm_kinds(text: str) -> str:
    """ "D.S. N° 003-2021-PCM" -> "Decreto Supremo N° ...": before the file number is read."""
    if "." not in text:
        return text
    return _NORM_KIND.sub(lambda match: _NORM_KINDS[match.group("abbr").replace(" ", "")], text)


def normalize_abbreviations_before_numbers(text: str) -> str:
    text = normalize_norm_kinds(text)
    return _BEFORE_NUMBER.sub(lambda match: _BEFORE_NUMBER_SPOKEN[match.group("abbr")] + " ", text)


# A title glued to the name it precedes ("Dra.Pérez", "Dr.B", a typing habit of forms and captions)
# gets its space, so the title is read.
_GLUED_TITLE = re.compile(r"(?<![\w.])(Sra?|Srta|Dra?|Lic|Ing|Profa?|Arq|Mtr[oa]|Gral|Lcd[oa])\.(?=[A-ZÁÉÍÓÚÑ])")

_DOT_THEN_CAPITAL = re.compile(r"\.[A-ZÁÉÍÓÚÑ]")


def normalize_abbreviations(text: str) -> str:
    if _DOT_THEN_CAPITAL.search(text):  # rare in prose: skip the title scan on most lines
        text = _GLUED_TITLE.sub(r"\1. ", text)
    text = _ABBREVIATION.sub(_replace, text)
    return normalize_acronyms(text)
