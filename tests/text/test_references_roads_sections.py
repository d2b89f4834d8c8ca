"""Bible references, road names, the section sign and a currency word before its own code.

Each of these was once read as something else: "Juan 3:16" as a clock time, "A-6" with its letter
left to the engine, "el § 3" as "el sección", "250 pesos MXN" with the currency said twice.
"""

import pytest
from vocalio_text import normalize

SCRIPTURE = [
    ("Juan 3:16", "Juan capítulo tres, versículo dieciséis"),
    ("Génesis 1:1-3", "Génesis capítulo uno, versículos uno a tres"),
    ("Mt 5, 3-12", "Mateo capítulo cinco, versículos tres a doce"),
    ("Gén. 1:1", "Génesis capítulo uno, versículo uno"),
    ("Gn 2:7", "Génesis capítulo dos, versículo siete"),
    ("Éx. 20:1-17", "Éxodo capítulo veinte, versículos uno a diecisiete"),
    ("Dt 6:4", "Deuteronomio capítulo seis, versículo cuatro"),
    ("Is 53:5", "Isaías capítulo cincuenta y tres, versículo cinco"),
    ("Jr 29:11", "Jeremías capítulo veintinueve, versículo once"),
    ("Sal 23:1", "Salmo veintitrés, versículo uno"),
    ("Prov 3:5-6", "Proverbios capítulo tres, versículos cinco a seis"),
    ("Lc 2, 1-14", "Lucas capítulo dos, versículos uno a catorce"),
    ("Hch 2:38", "Hechos capítulo dos, versículo treinta y ocho"),
    ("Rom 8:28", "Romanos capítulo ocho, versículo veintiocho"),
    ("Ap 21:4", "Apocalipsis capítulo veintiuno, versículo cuatro"),
    ("1 Cor 13:4-7", "Primera de Corintios capítulo trece, versículos cuatro a siete"),
    ("Lee 1 Co 13:4.", "Lee primera de Corintios capítulo trece, versículo cuatro."),
    ("según 2 R 2:11", "según segundo de Reyes capítulo dos, versículo once"),
    ("en 1 Sam 17:45", "en primero de Samuel capítulo diecisiete, versículo cuarenta y cinco"),
    ("como dice 1 Jn 4:8", "como dice primera de Juan capítulo cuatro, versículo ocho"),
    ("Marcos 16:15 dice", "Marcos capítulo dieciséis, versículo quince dice"),
]

# The book must come right before the reference; a clock cue or mark keeps a given name's time.
STILL_TIMES = [
    ("a las 3:16", "a las tres y dieciséis"),
    ("Juan llegó a las 3:16", "Juan llegó a las tres y dieciséis"),
    ("quedamos a las Marcos 3:15", "quedamos a las Marcos tres y cuarto"),
    ("Juan 3, 5 y 7", "Juan tres, cinco y siete"),
    ("Lucas, 10:30", "Lucas, diez y media"),
]

ROADS = [
    ("la N-II", "la ene dos"),
    ("la N-VI", "la ene seis"),
    ("la A-6", "la a seis"),
    ("la AP-7", "la a pe siete"),
    ("la M-30", "la eme treinta"),
    ("la N-340", "la ene trescientos cuarenta"),
    ("la C-32", "la ce treinta y dos"),
    ("la RN-40", "la erre ene cuarenta"),
    ("la RN 40", "la erre ene cuarenta"),
    ("la Ruta 40", "la Ruta cuarenta"),
    ("atasco en la A-1 y la M-40", "atasco en la a uno y la eme cuarenta"),
]

SECTION_SIGN = [
    ("el § 3", "la sección tres"),
    ("El § 3", "La sección tres"),
    ("§ 3", "sección tres"),
    ("§3", "sección tres"),
    ("del § 4", "de la sección cuatro"),
    ("conforme al § 2", "conforme a la sección dos"),
    ("§§ 3-5", "secciones tres a cinco"),
    ("los §§ 3-5", "las secciones tres a cinco"),
    ("el § 3.2", "la sección tres punto dos"),
    ("el libro y su §", "el libro y su sección"),
]

CURRENCY_PAIRS = [
    ("250 pesos MXN", "doscientos cincuenta pesos mexicanos"),
    ("10 dólares USD", "diez dólares estadounidenses"),
    ("1 dólar USD", "un dólar estadounidense"),
    ("5 euros EUR", "cinco euros"),
    ("20 libras GBP", "veinte libras esterlinas"),
    ("3 millones de pesos MXN", "tres millones de pesos mexicanos"),
    ("los pesos MXN suben", "los pesos mexicanos suben"),
]

CATEGORIES = {
    "scripture": SCRIPTURE,
    "still-time": STILL_TIMES,
    "road": ROADS,
    "section-sign": SECTION_SIGN,
    "currency-pair": CURRENCY_PAIRS,
}


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        pytest.param(written, spoken, id=f"{name}:{written}")
        for name, cases in CATEGORIES.items()
        for written, spoken in cases
    ],
)
def test_normalize(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize("written", [written for cases in CATEGORIES.values() for written, _ in cases])
def test_second_pass_changes_nothing(written: str) -> None:
    once = normalize(written)
    assert normalize(once) == once
