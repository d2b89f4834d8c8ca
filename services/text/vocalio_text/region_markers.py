"""Regional markers and their weights: the data behind detect_region (regions.py).

A weight says how strongly a marker points at a variant: 1.0 is nearly exclusive ("che", "güey",
"parce", "cachái"), 0.3-0.6 is shared or common elsewhere ("chévere", "ahorita", "bacán"). A
marker may point at several variants ("guagua" is a bus in the Caribbean, a baby in Chile and the
Andes). Phrases are matched as whole phrases, words as whole words, case-insensitively.
"""

from vocalio_shared.regions import Region

R, CO, MX, CL, CA, AN = (
    Region.RIOPLATENSE,
    Region.COLOMBIAN,
    Region.MEXICAN,
    Region.CHILEAN,
    Region.CARIBBEAN,
    Region.ANDEAN,
)

Weights = dict[Region, float]


def _words(text: str) -> list[str]:
    return text.split()


def _each(words: str, weights: Weights) -> dict[str, Weights]:
    return {word: weights for word in words.split()}


LEXICAL_MARKERS: dict[str, Weights] = {
    # Rioplatense (Argentina, Uruguay): lunfardo and everyday words.
    **_each(
        "che boludo boluda boludos pelotudo pibe piba pibes pibas laburo laburar laburo laburando mina "
        "minas guita quilombo bondi morfar chabón chabona posta fiaca birra remera pileta macanudo "
        "groso grosa trucho garpar boliche afanar gil canchero pucho porteño porteña chamuyo "
        "colectivo mangos bárbaro flaco bo bolú",
        {R: 1.0},
    ),
    "re": {R: 0.5},
    "dale": {R: 0.4, CA: 0.2},
    "viste": {R: 0.4},
    "mate": {R: 0.3},
    "sos": {R: 0.9, CO: 0.2},
    # Colombian.
    **_each(
        "parce parcero parcera parceros chimba bacano bacana berraco verraco berraca guayabo parche "
        "camellar camellando sumercé hágale quiubo mamera paila jartera ñero gonorrea pola tinto "
        "rumbear chimbita marica llave",
        {CO: 1.0},
    ),
    "vaina": {CO: 0.5, CA: 0.6},
    "chévere": {CO: 0.4, CA: 0.6, AN: 0.3},
    "plata": {CO: 0.2, R: 0.1, CL: 0.1},
    "pues": {CO: 0.3, AN: 0.3},
    "rumba": {CO: 0.5, CA: 0.3},
    "pelado": {CO: 0.4},
    "pelada": {CO: 0.4},
    # Mexican.
    **_each(
        "güey wey guey chido chida neta órale chamaco chamaca padrísimo naco naca cuate cuates ándale "
        "híjole chingón chingona chingar pinche popote chela carnal morro morra chavo chava gacho "
        "gacha padre platicar platicamos alberca mero camión chamba nel simón ahorita mande jalar "
        "cantón lana chafa fresa",
        {MX: 1.0},
    ),
    "ahorita": {MX: 0.6, CA: 0.3, AN: 0.3},
    "mande": {MX: 0.6, AN: 0.5},
    "chamba": {MX: 0.7, AN: 0.5},
    "chela": {MX: 0.6, AN: 0.6},
    "padre": {MX: 0.3},
    "mero": {MX: 0.5},
    "camión": {MX: 0.4},
    "lana": {MX: 0.3},
    "fresa": {MX: 0.3},
    "nomás": {MX: 0.4, AN: 0.4, R: 0.2},
    # Chilean.
    **_each(
        "po cachái cachai weón weon huevón hueón fome pololo polola pololear bacán cuático cuática "
        "altiro wea weá luca lucas carrete carretear copete pega sipo nopo pituto flaite "
        "cabros cabro gallo mina cachar",
        {CL: 1.0},
    ),
    "bacán": {CL: 0.7, AN: 0.5},
    "harto": {CL: 0.5, MX: 0.1},
    "harta": {CL: 0.5},
    "pega": {CL: 0.6},
    "gallo": {CL: 0.3},
    "mina": {R: 0.6, CL: 0.4},
    "cachar": {CL: 0.6},
    "guagua": {CA: 0.6, CL: 0.6, AN: 0.6},
    "palta": {CL: 0.4, R: 0.3, AN: 0.3},
    # Caribbean (Cuba, Puerto Rico, Dominican Republic, Venezuela's coast).
    **_each(
        "pana panas asere acere chamo chama jeva jevo boricua bregar janguear zafacón wepa tíguere "
        "concho corillo dique broki mijo mija chin chévere vacano",
        {CA: 1.0},
    ),
    "mijo": {CA: 0.4, MX: 0.3, CO: 0.3},
    "mija": {CA: 0.4, MX: 0.3, CO: 0.3},
    "chin": {CA: 0.5},
    "vacano": {CA: 0.6, CO: 0.4},
    "pana": {CA: 1.0, AN: 0.3},
    # Andean (Peru, Ecuador, Bolivia).
    **_each(
        "pata causa jato chibolo chibola pituco misio achachay achachái arrarray chuta ñaño ñaña "
        "longo chompa jama yapa taita caserito casera manyar chapar huayno pe cuñao mashi choclo",
        {AN: 1.0},
    ),
    "casera": {AN: 0.5},
    "choclo": {AN: 0.4, R: 0.2, CL: 0.2},
    "chompa": {AN: 0.8},
}

# Words that are also ordinary Spanish ("a causa de", "la llave", "un vino tinto", "estoy harto"):
# they only tip the balance when another marker agrees.
LEXICAL_MARKERS.update(
    {
        "causa": {AN: 0.4},
        "pata": {AN: 0.4},
        "mina": {R: 0.5, CL: 0.3},
        "pega": {CL: 0.4},
        "llave": {CO: 0.3},
        "marica": {CO: 0.5},
        "tinto": {CO: 0.4},
        "pola": {CO: 0.6},
        "parche": {CO: 0.5},
        "camión": {MX: 0.2},
        "lana": {MX: 0.2},
        "fresa": {MX: 0.2},
        "mero": {MX: 0.3},
        "concho": {CA: 0.6},
        "dique": {CA: 0.5},
        "casera": {AN: 0.3},
        "pe": {AN: 0.6},
        "po": {CL: 0.9},
        "cabro": {CL: 0.7},
        "cabros": {CL: 0.7},
        "luca": {CL: 0.7},
        "lucas": {CL: 0.4},
        "bo": {R: 0.6},
        "flaco": {R: 0.3},
        "bárbaro": {R: 0.3},
        "colectivo": {R: 0.3},
        "mangos": {R: 0.3},
        "gil": {R: 0.6},
        "taita": {AN: 0.7},
        "simón": {MX: 0.3},
        "nel": {MX: 0.8},
        "morro": {MX: 0.6},
        "morra": {MX: 0.6},
        "chavo": {MX: 0.9},
        "chava": {MX: 0.9},
        "cantón": {MX: 0.3},
        "jalar": {MX: 0.4, AN: 0.3},
        "platicar": {MX: 0.5},
        "platicamos": {MX: 0.5},
        "alberca": {MX: 0.7},
        "pinche": {MX: 0.8},
        "harto": {CL: 0.3},
        "harta": {CL: 0.3},
        "copete": {CL: 0.6},
        "carrete": {CL: 0.6},
        "gallo": {CL: 0.3},
        "gacho": {MX: 0.7},
        "gacha": {MX: 0.5},
        "chin": {CA: 0.5},
        "mate": {R: 0.3},
        "pelado": {CO: 0.4},
        "pelada": {CO: 0.4},
        "naca": {MX: 0.6},
        "posta": {R: 0.7},
        "pibe": {R: 1.0},
    }
)

PHRASE_MARKERS: dict[str, Weights] = {
    "ni en pedo": {R: 1.0},
    "qué quilombo": {R: 1.0},
    "mirá vos": {R: 1.0},
    "qué pena con usted": {CO: 1.0},
    "a la orden": {CO: 0.6},
    "de una": {CO: 0.5},
    "qué más pues": {CO: 1.0},
    "no manches": {MX: 1.0},
    "no mames": {MX: 1.0},
    "qué onda": {MX: 0.8, R: 0.2},
    "a poco": {MX: 0.6},
    "qué padre": {MX: 1.0},
    "al chile": {MX: 1.0},
    "al tiro": {CL: 1.0},
    "qué lata": {CL: 0.8},
    "la raja": {CL: 1.0},
    "ya po": {CL: 1.0},
    "qué bolá": {CA: 1.0},
    "qué lo que": {CA: 1.0},
    "un chin": {CA: 1.0},
    "qué es la que hay": {CA: 1.0},
    "al toque": {AN: 0.8, R: 0.3},
    "ya pe": {AN: 1.0},
    "dame pues": {AN: 0.8},
    "ya mismo": {AN: 0.6},
}

# Voseo: present and imperative forms stressed on the last syllable. Shared by Argentina, Uruguay,
# Paraguay and Central America; weighted for rioplatense, the variant that writes it most.
VOSEO_FORMS = frozenset(
    _words(
        "andás tenés querés sabés podés hacés decís venís salís vivís sentís pedís dormís ponés comés "
        "entendés conocés parecés volvés movés hablás tomás mirás llegás pensás trabajás jugás estudiás "
        "necesitás contás pagás dejás llamás esperás buscás laburás creés leés escribís vendés perdés "
        "preferís elegís seguís servís existís abrís oís traés caés valés debés merecés "
        "vení tené decí hacé mirá andá poné salí escuchá pensá fijate decime contame dejame avisame "
        "sentate quedate callate"
    )
)
VOSEO_WEIGHTS: Weights = {R: 0.8, CO: 0.15}
# "vos" itself: rioplatense above all, also Colombian (paisa) and Central American.
VOS_WEIGHTS: Weights = {R: 0.7, CO: 0.3}

# Chilean voseo: "-ái", "-ís" endings ("cachái", "querís", "estái").
CHILEAN_VOSEO_FORMS = frozenset(
    _words(
        "cachái cachai estái estai querís queris tenís tenis sabís sabis podís podis erís eris hablái "
        "hablai vai soi pensái pensai creís creis andái andai"
    )
)
CHILEAN_VOSEO_WEIGHTS: Weights = {CL: 0.9}
