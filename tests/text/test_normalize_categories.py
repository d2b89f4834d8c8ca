"""Normalization cases per category, written the way Spanish is printed (press, novels, laws, recipes).

Readings follow the conventions of public Spanish text-normalization sets (see docs/text.md).
"""

import pytest
from vocalio_shared.regions import Region
from vocalio_text import normalize

CARDINAL = [
    ("0", "cero"),
    ("7", "siete"),
    ("16", "dieciséis"),
    ("22", "veintidós"),
    ("100", "cien"),
    ("101", "ciento uno"),
    ("1000", "mil"),
    ("1.000", "mil"),
    ("1 000", "mil"),
    ("2024", "dos mil veinticuatro"),
    ("15.000", "quince mil"),
    ("1.000.000", "un millón"),
    ("2.500.000", "dos millones quinientos mil"),
    ("1.000.000.000", "mil millones"),
    ("3 000 000 000 000", "tres billones"),
    ("-12", "menos doce"),
    ("La ley tiene 3 títulos", "La ley tiene tres títulos"),
    ("Murieron 1.034 soldados", "Murieron mil treinta y cuatro soldados"),
    ("tengo 21 años", "tengo veintiún años"),
    ("compró 1 casa", "compró una casa"),
    ("leyó 200 páginas", "leyó doscientas páginas"),
    ("había 21 personas", "había veintiuna personas"),
    ("unas 500 mujeres", "unas quinientas mujeres"),
    ("vinieron 200 mil personas", "vinieron doscientas mil personas"),
    ("21 mil votos", "veintiún mil votos"),
    ("hace 1 día", "hace un día"),
    ("en 1 semana", "en una semana"),
    ("vivió 101 años", "vivió ciento un años"),
    ("3.001 millones", "tres mil un millones"),
    ("tengo 21 y ella 30", "tengo veintiuno y ella treinta"),
    ("el artículo 14 de la Constitución", "el artículo catorce de la Constitución"),
    ("entre 1990-2000", "entre mil novecientos noventa y dos mil"),
    ("páginas 10-20", "páginas diez a veinte"),
    ("COVID-19", "COVID diecinueve"),
    ("la red 5G", "la red cinco G"),
    ("los 80", "los ochenta"),
    ("los años 90", "los años noventa"),
    ("los 90s", "los noventa"),
    ("1.000.000 personas", "un millón de personas"),
    ("+3,2 % interanual", "más tres coma dos por ciento interanual"),
    ("subió +0,4 puntos", "subió más cero coma cuatro puntos"),
    ("±5 %", "más menos cinco por ciento"),
    ("marcó en el minuto 45+2", "marcó en el minuto cuarenta y cinco más dos"),
]

DECIMAL = [
    ("3,14", "tres coma catorce"),
    ("0,5", "cero coma cinco"),
    ("33,32", "treinta y tres coma treinta y dos"),
    ("3,1415", "tres coma catorce quince"),
    ("1,002", "uno coma cero cero dos"),
    ("5.002,132", "cinco mil dos coma ciento treinta y dos"),
    ("2,5 millones", "dos coma cinco millones"),
    ("1,5 millones de dólares", "uno coma cinco millones de dólares"),
    ("3 millones", "tres millones"),
    ("1.000 millones", "mil millones"),
    ("-0,75", "menos cero coma setenta y cinco"),
    ("creció un 2,3", "creció un dos coma tres"),
]

ORDINAL = [
    ("1.º", "primero"),
    ("1.ª", "primera"),
    ("1.er", "primer"),
    ("3.er", "tercer"),
    ("2do", "segundo"),
    ("2da", "segunda"),
    ("3er", "tercer"),
    ("1ro", "primero"),
    ("4to", "cuarto"),
    ("10.º", "décimo"),
    ("11.º", "undécimo"),
    ("12.ª", "duodécima"),
    ("15.º", "decimoquinto"),
    ("18.º", "decimoctavo"),
    ("21.ª", "vigesimoprimera"),
    ("25.º", "vigesimoquinto"),
    ("33.º", "trigésimo tercero"),
    ("100.º", "centésimo"),
    ("el 1.er premio", "el primer premio"),
    ("la 2.ª planta", "la segunda planta"),
    ("quedó 3.º en la carrera", "quedó tercero en la carrera"),
    ("el 5º piso", "el quinto piso"),
    ("el 5° piso", "el quinto piso"),
    ("1° de mayo", "primero de mayo"),
    ("quedó 3º", "quedó tercero"),
    ("alumnos de 3º de ESO", "alumnos de tercero de ESO"),
    ("el 10º aniversario", "el décimo aniversario"),
]

ROMAN = [
    ("siglo XIV", "siglo catorce"),
    ("S. XIX", "siglo diecinueve"),
    ("S. XXI", "siglo veintiuno"),
    ("a mediados del s. XVIII", "a mediados del siglo dieciocho"),
    ("en el siglo xx", "en el siglo veinte"),
    ("los siglos XV y XVI", "los siglos quince y dieciséis"),
    ("Felipe II", "Felipe segundo"),
    ("Isabel II", "Isabel segunda"),
    ("Alfonso XIII", "Alfonso trece"),
    ("Juan Pablo II", "Juan Pablo segundo"),
    ("capítulo IV", "capítulo cuatro"),
    ("tomo III", "tomo tres"),
    ("la II República", "la segunda República"),
    ("el XX Congreso", "el vigésimo Congreso"),
    ("vitamina C", "vitamina C"),
    ("Yo vi a Luis", "Yo vi a Luis"),
]

MONEY = [
    ("1.500 €", "mil quinientos euros"),
    ("1 €", "un euro"),
    ("21 €", "veintiún euros"),
    ("5,50 €", "cinco euros cincuenta céntimos"),
    ("0,99 €", "noventa y nueve céntimos"),
    ("€2 billones", "dos billones de euros"),
    ("2,3 millones de euros", "dos coma tres millones de euros"),
    ("$1", "un dólar"),
    ("$1,50", "un dólar cincuenta centavos"),
    ("US$ 300", "trescientos dólares estadounidenses"),
    ("USD 2,5 millones", "dos coma cinco millones de dólares estadounidenses"),
    ("MXN 250", "doscientos cincuenta pesos mexicanos"),
    ("1.000 ARS", "mil pesos argentinos"),
    ("50.000 COP", "cincuenta mil pesos colombianos"),
    ("CLP 3.990", "tres mil novecientos noventa pesos chilenos"),
    ("£5", "cinco libras"),
    ("1 £", "una libra"),
    ("201 £", "doscientas una libras"),
    ("¥100", "cien yenes"),
    ("S/ 20", "veinte soles"),
    ("cuesta 3,125 €", "cuesta tres coma ciento veinticinco euros"),
    ("Pagó 3,5 millones de USD", "Pagó tres coma cinco millones de dólares estadounidenses"),
    ("300 USD", "trescientos dólares estadounidenses"),
    ("3 millones de USD", "tres millones de dólares estadounidenses"),
    ("2.000 millones de EUR", "dos mil millones de euros"),
    ("5 mil millones de MXN", "cinco mil millones de pesos mexicanos"),
    ("1.000.000 €", "un millón de euros"),
    ("3 M€", "tres millones de euros"),
    ("0,5 M€", "cero coma cinco millones de euros"),
    ("2 €/kg", "dos euros por kilogramo"),
    ("3.000 €/m²", "tres mil euros por metro cuadrado"),
]

DATE = [
    ("12/10/2024", "doce de octubre de dos mil veinticuatro"),
    ("12-10-2024", "doce de octubre de dos mil veinticuatro"),
    ("1/1/2000", "primero de enero de dos mil"),
    ("2024-03-15", "quince de marzo de dos mil veinticuatro"),
    ("el 1 de enero", "el primero de enero"),
    ("el 25 de diciembre de 1990", "el veinticinco de diciembre de mil novecientos noventa"),
    ("30 de julio del 2020", "treinta de julio del dos mil veinte"),
    ("Madrid, 3 de marzo de 2021.", "Madrid, tres de marzo de dos mil veintiuno."),
    ("abril 30", "treinta de abril"),
    ("dic. 24", "veinticuatro de diciembre"),
    ("lun. 3 de junio", "lunes tres de junio"),
    ("en 1492", "en mil cuatrocientos noventa y dos"),
    ("el año 2000", "el año dos mil"),
    ("500 a. C.", "quinientos antes de Cristo"),
    ("en mayo 3 niños", "en mayo tres niños"),
    ("Hoy es 01/02/03.", "Hoy es primero de febrero de dos mil tres."),
    ("el 5/6/99", "el cinco de junio de mil novecientos noventa y nueve"),
    ("31.12.30", "treinta y uno de diciembre de mil novecientos treinta"),
    ("3-4-29", "tres de abril de dos mil veintinueve"),
]

TIME = [
    ("14:30", "catorce y media"),
    ("a las 14:30 h", "a las catorce y media"),
    ("12.15", "doce y cuarto"),
    ("a las 9:05", "a las nueve y cinco"),
    ("1:00", "una"),
    ("21:00", "veintiuna"),
    ("a las 8:45", "a las ocho y cuarenta y cinco"),
    ("2:30 p. m.", "dos y media de la tarde"),
    ("8:00 a. m.", "ocho de la mañana"),
    ("10 p. m.", "diez de la noche"),
    ("12:00 p. m.", "doce del mediodía"),
    ("01 h", "una"),
    ("14 h", "catorce horas"),
    ("2 h 30 min", "dos horas y treinta minutos"),
    ("Hace 2 h 15 min.", "Hace dos horas y quince minutos."),
    ("un vuelo de 1h 20m", "un vuelo de una hora y veinte minutos"),
    ("21 h 21 min", "veintiuna horas y veintiún minutos"),
    ("ganó en 2 h 1 min 9 s", "ganó en dos horas un minuto y nueve segundos"),
    ("2 min 30 s", "dos minutos y treinta segundos"),
    ("a las 2 h 30 min", "a las dos y media"),
    ("a las 14h30", "a las catorce y media"),
    ("a las 7 h", "a las siete"),
    ("a las 00:30", "a las doce y media de la noche"),
    ("el 1 de enero a las 00:00", "el primero de enero a las doce de la noche"),
    ("La reunión será a las 10:30 h.", "La reunión será a las diez y media."),
    ("A las 5 p. m. Luego", "A las cinco de la tarde. Luego"),
    ("a las 10:30 h. después", "a las diez y media después"),
    ("de 9 a 14 h", "de nueve a catorce horas"),
    ("3:02:32", "tres horas dos minutos y treinta y dos segundos"),
    ("20:00 GMT", "veinte g m t"),
    ("18:00 UTC-3", "dieciocho u t c menos tres"),
]

MEASURE = [
    ("10 km", "diez kilómetros"),
    ("1 km", "un kilómetro"),
    ("2,5 kg", "dos coma cinco kilogramos"),
    ("200 g de harina", "doscientos gramos de harina"),
    ("1 l de leche", "un litro de leche"),
    ("500 ml", "quinientos mililitros"),
    ("120 km/h", "ciento veinte kilómetros por hora"),
    ("80 m²", "ochenta metros cuadrados"),
    ("9 m³", "nueve metros cúbicos"),
    ("25 °C", "veinticinco grados centígrados"),
    ("-5 °C", "menos cinco grados centígrados"),
    ("1 h", "una hora"),
    ("3 h", "tres horas"),
    ("45 min", "cuarenta y cinco minutos"),
    ("8,52 %", "ocho coma cincuenta y dos por ciento"),
    ("1 %", "uno por ciento"),
    ("21 %", "veintiuno por ciento"),
    ("el 80% de", "el ochenta por ciento de"),
    ("245 mph", "doscientas cuarenta y cinco millas por hora"),
    ("1/2 mm", "medio milímetro"),
    ("1 1/2 m", "uno y medio metro"),
    ("3/5 mph", "tres quintos de milla por hora"),
    ("5 t", "cinco toneladas"),
    ("10 ha", "diez hectáreas"),
    ("16 GB", "dieciséis gigabytes"),
    ("220 V", "doscientos veinte voltios"),
    ("1.000.000 km", "un millón de kilómetros"),
    ("20 km/l", "veinte kilómetros por litro"),
    ("Km 42", "kilómetro cuarenta y dos"),
    ("en 5' de juego", "en cinco minutos de juego"),
    ("en el minuto 90'", "en el minuto noventa"),
    ("35°", "treinta y cinco grados"),
    ("la máxima será de 38º", "la máxima será de treinta y ocho grados"),
    ("unos 20º", "unos veinte grados"),
    ("un giro de 180°", "un giro de ciento ochenta grados"),
    ("-5°", "menos cinco grados"),
    ("36,6°", "treinta y seis coma seis grados"),
    ("21°", "veintiún grados"),
    ("40°N, 3°O", "cuarenta grados norte, tres grados oeste"),
    ("en el km 3,5 de la A-6", "en el kilómetro tres coma cinco de la A seis"),
    ("el PK 12", "el punto kilométrico doce"),
    ("precio por m²", "precio por metro cuadrado"),
]

TELEPHONE = [
    ("123-456-7890", "uno dos tres cuatro cinco seis siete ocho nueve cero"),
    ("1234-5678", "uno dos tres cuatro cinco seis siete ocho"),
    ("+34 612-345-678", "más treinta y cuatro seis uno dos tres cuatro cinco seis siete ocho"),
    ("+52 (55) 1234-5678", "más cincuenta y dos cinco cinco uno dos tres cuatro cinco seis siete ocho"),
    ("+593 99-123-4567", "más cinco nueve tres nueve nueve uno dos tres cuatro cinco seis siete"),
    ("llame al 800-123-4567", "llame al ocho cero cero uno dos tres cuatro cinco seis siete"),
    ("Tel. 91 234 56 78", "teléfono nueve uno dos tres cuatro cinco seis siete ocho"),
    ("0-800-ayuda", "cero ochocientos ayuda"),
    ("ext. 12", "ext. doce"),
    ("la IP 192.168.0.1", "la i p uno nueve dos punto uno seis ocho punto cero punto uno"),
]

FRACTION = [
    ("1/2", "un medio"),
    ("1/3", "un tercio"),
    ("3/4", "tres cuartos"),
    ("2/5", "dos quintos"),
    ("5/8", "cinco octavos"),
    ("1/10", "un décimo"),
    ("1/12", "un doceavo"),
    ("7/100", "siete centésimos"),
    ("1/1000", "un milésimo"),
    ("2 1/3", "dos y un tercio"),
    ("3/123", "tres sobre ciento veintitrés"),
    ("½", "un medio"),
    ("¾", "tres cuartos"),
    ("1/2 taza de azúcar", "media taza de azúcar"),
    ("Son 3/4 partes.", "Son tres cuartas partes."),
    ("las 2/3 partes del Congreso", "las dos terceras partes del Congreso"),
    ("la 1/3 parte", "la tercera parte"),
    ("1/5 parte", "una quinta parte"),
    ("la 1/2 parte", "la media parte"),
    ("2/3 del total", "dos tercios del total"),
    ("un 7,5/10", "un siete coma cinco sobre diez"),
    ("nota: 8/10", "nota: ocho sobre diez"),
    ("sacó un 9/10", "sacó un nueve sobre diez"),
    ("1/2000", "un dosmilésimo"),
]

ELECTRONIC = [
    ("info@vocalio.es", "i n f o arroba v o c a l i o punto e s"),
    ("ana.gomez@gmail.com", "a n a punto g o m e z arroba gmail punto com"),
    ("www.rae.es", "w w w punto r a e punto e s"),
    ("https://www.boe.es", "h t t p s dos puntos barra barra w w w punto b o e punto e s"),
    ("visita www.ejemplo.com.", "visita w w w punto e j e m p l o punto com ."),
    ("@vocalio", "arroba v o c a l i o"),
    ("user_1@mail.net", "u s e r barra baja uno arroba m a i l punto net"),
]

ABBREVIATIONS = [
    ("Sr. Pérez", "señor Pérez"),
    ("la Sra. Gómez", "la señora Gómez"),
    ("el Dr. Ruiz", "el Doctor Ruiz"),
    ("la Dra. Ruiz", "la Doctora Ruiz"),
    ("¿Cómo está Ud.?", "¿Cómo está usted?"),
    ("Uds. saben", "ustedes saben"),
    ("ver pág. 12", "ver página doce"),
    ("el núm. 7", "el número siete"),
    ("n.º 5", "número cinco"),
    ("peras, manzanas, etc.", "peras, manzanas, etcétera"),
    ("etc. Luego", "etcétera. Luego"),
    ("EE. UU.", "Estados Unidos"),
    ("en EE.UU. hay", "en Estados Unidos hay"),
    ("Av. de Mayo", "avenida de Mayo"),
    ("c/ Alcalá 20", "calle Alcalá veinte"),
    ("Calle Mayor s/n", "Calle Mayor sin número"),
    ("Avda. del Sol, S/N.", "avenida del Sol, sin número."),
    ("p. ej. esto", "por ejemplo esto"),
    ("aprox. 30", "aproximadamente treinta"),
    ("D. Quijote", "Don Quijote"),
    ("Fdo.: Juan Pérez", "firmado: Juan Pérez"),
    ("Atte. el director", "atentamente el director"),
    ("Ntra. Sra. de Guadalupe", "nuestra señora de Guadalupe"),
    ("Cía. Ltda.", "compañía limitada"),
    ("Grupo Bimbo, S.A. de C.V.", "Grupo Bimbo, sociedad anónima de capital variable"),
    ("S. M. el Rey", "Su Majestad el Rey"),
    ("el Excmo. Ayto. de Madrid", "el excelentísimo ayuntamiento de Madrid"),
    ("la Admón. pública", "la administración pública"),
    ("Ilma. Sra. Directora", "ilustrísima señora Directora"),
    ("Pbro. José", "presbítero José"),
    ("el Tte. Ruiz y el Sgto. Gil", "el teniente Ruiz y el sargento Gil"),
    ("Hnos. García", "hermanos García"),
    ("Dpto. 4B", "departamento cuatro B"),
    ("Apdo. 123", "apartado ciento veintitrés"),
    ("2.ª ed.", "segunda edición"),
    ("op. cit., p. 23", "obra citada, página veintitrés"),
    ("ibíd.", "ibídem"),
    ("Cap. 1: El comienzo", "capítulo uno: El comienzo"),
    ("cf. el cap. 2", "compárese el capítulo dos"),
    ("v. gr. esto", "verbigracia esto"),
    ("Bs. As.", "Buenos Aires"),
    ("C.P. 28001 Madrid", "código postal dos ocho cero cero uno Madrid"),
    ("el FBI", "el efe be i"),
    ("la ONU", "la ONU"),
]

CITATION = [
    ("El art. 14 de la Ley 2/2015.", "El artículo catorce de la Ley dos barra dos mil quince."),
    (
        "el Real Decreto 463/2020, de 14 de marzo",
        "el Real Decreto cuatrocientos sesenta y tres barra dos mil veinte, de catorce de marzo",
    ),
    ("el RD 1/2020", "el Real Decreto uno barra dos mil veinte"),
    ("la Ley 1/2000", "la Ley uno barra dos mil"),
    ("la Ley Orgánica 3/2018", "la Ley Orgánica tres barra dos mil dieciocho"),
    ("la Orden 12/2019", "la Orden doce barra dos mil diecinueve"),
    ("la Directiva 2006/112/CE", "la Directiva dos mil seis barra ciento doce barra ce e"),
    ("la STC 31/2010", "la sentencia del Tribunal Constitucional treinta y uno barra dos mil diez"),
    ("el expediente 45/2021", "el expediente cuarenta y cinco barra dos mil veintiuno"),
    ("la temporada 2023/24", "la temporada dos mil veintitrés a veinticuatro"),
    ("el curso 2023/2024", "el curso dos mil veintitrés a dos mil veinticuatro"),
    ("vivo en RD", "vivo en RD"),
    ("el artículo 1.1 de la Constitución", "el artículo uno punto uno de la Constitución"),
    ("el apartado 3.2.1", "el apartado tres punto dos punto uno"),
    ("el art. 14.2", "el artículo catorce punto dos"),
    ("versión 2.0", "versión dos punto cero"),
    ("versión 1.05", "versión uno punto cero cinco"),
    ("el artículo 1.000", "el artículo mil"),
]

SYMBOLS = [
    ("2 + 2 = 4", "dos más dos es igual a cuatro"),
    ("Juan & María", "Juan y María"),
    ("#1 en ventas", "número uno en ventas"),
    ("AT&T", "AT&T"),
    ("a = b", "a es igual a b"),
    ("x² + y² = r²", "x al cuadrado más y al cuadrado es igual a r al cuadrado"),
    ("2³ = 8", "dos al cubo es igual a ocho"),
    ("10⁶ habitantes", "diez elevado a seis habitantes"),
    ("10⁻³", "diez elevado a menos tres"),
    ("xⁿ", "x elevado a la n"),
    ("2^10", "dos elevado a diez"),
    ("x^n", "x elevado a la n"),
]

PLAIN = [
    "Hola, ¿qué tal?",
    "En un lugar de la Mancha, de cuyo nombre no quiero acordarme.",
    "—¡Ay! —dijo ella—. No lo sé…",
    "«La vida es sueño», escribió Calderón.",
    "yahoo!",
    "aachen's",
    "Xi Jinping es el actual presidente de China.",
    "todo mi reconocimiento",
    "",
    "   ",
    "mi vida",
    "Viví en la ciudad de México.",
]

CATEGORIES = {
    "cardinal": CARDINAL,
    "decimal": DECIMAL,
    "ordinal": ORDINAL,
    "roman": ROMAN,
    "money": MONEY,
    "date": DATE,
    "time": TIME,
    "measure": MEASURE,
    "telephone": TELEPHONE,
    "fraction": FRACTION,
    "electronic": ELECTRONIC,
    "abbreviation": ABBREVIATIONS,
    "citation": CITATION,
    "symbols": SYMBOLS,
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


@pytest.mark.parametrize("text", PLAIN)
def test_plain_words_stay_exactly_as_they_are(text: str) -> None:
    assert normalize(text) == text


REGIONAL = [
    ("$50", Region.NEUTRAL, "cincuenta dólares"),
    ("$50", Region.RIOPLATENSE, "cincuenta pesos"),
    ("$50", Region.MEXICAN, "cincuenta pesos"),
    ("$50", Region.COLOMBIAN, "cincuenta pesos"),
    ("$50", Region.CHILEAN, "cincuenta pesos"),
    ("$50", Region.ANDEAN, "cincuenta dólares"),
    ("$1,50", Region.RIOPLATENSE, "un peso cincuenta centavos"),
    ("$1.50", Region.MEXICAN, "un peso cincuenta centavos"),
    ("3.5 kg", Region.MEXICAN, "tres punto cinco kilogramos"),
    ("3,5 kg", Region.NEUTRAL, "tres coma cinco kilogramos"),
    ("1,500 personas", Region.MEXICAN, "mil quinientas personas"),
    ("1.500 personas", Region.NEUTRAL, "mil quinientas personas"),
    ("1,000,000", Region.MEXICAN, "un millón"),
    ("a las 3.15", Region.MEXICAN, "a las tres y cuarto"),
    ("pi vale 3.14", Region.MEXICAN, "pi vale tres punto catorce"),
    ("US$ 10", Region.RIOPLATENSE, "diez dólares estadounidenses"),
]


@pytest.mark.parametrize(("written", "region", "spoken"), REGIONAL)
def test_regional_readings(written: str, region: Region, spoken: str) -> None:
    assert normalize(written, region) == spoken


def test_sentences_in_context() -> None:
    text = "El 1 de enero de 2024, el Sr. García pagó 1.500 € por 2 kg de café a las 14:30."
    assert normalize(text) == (
        "El primero de enero de dos mil veinticuatro, el señor García pagó mil quinientos euros por "
        "dos kilogramos de café a las catorce y media."
    )


def test_huge_digit_runs_are_read_digit_by_digit() -> None:
    spoken = normalize("1" * 5000)
    assert spoken.split() == ["uno"] * 5000
    assert normalize("código " + "9" * 30) == "código " + " ".join(["nueve"] * 30)
