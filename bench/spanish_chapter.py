"""The Spanish chapter the engine benchmarks read (bench/f5_throughput.py, bench/cpu_engines.py): one
place, and no import of torch for the scripts that must not load it."""

CHAPTER = [
    "Capítulo uno. La casa junto al río.",
    "Había una vez, en un pueblo pequeño, una niña que soñaba con el mar.",
    "Cada mañana caminaba hasta la colina para mirar el horizonte.",
    "Contaba los barcos que pasaban, uno por uno.",
    "Su abuela le decía que el mar quedaba muy lejos.",
    "Pero ella no le creía.",
    "Un día encontró un mapa viejo en el desván, entre cartas y fotografías amarillas.",
    "El mapa mostraba un camino que bajaba por el río hasta la costa.",
    "Esa noche no pudo dormir.",
    "Preparó una mochila con pan, queso, agua y una linterna.",
    "Salió antes del amanecer, cuando todavía cantaban los grillos.",
    "El camino era largo y el sol apretaba al mediodía.",
    "Se detuvo bajo un sauce a descansar y comer algo.",
    "Un pescador la vio y le preguntó adónde iba tan sola.",
    "Al mar, respondió ella, sin dudar un segundo.",
    "El pescador sonrió y le ofreció llevarla en su bote.",
    "Navegaron río abajo durante toda la tarde.",
    "Cuando el río se ensanchó, el aire empezó a oler a sal.",
    "Y entonces, por fin, lo vio: el mar, inmenso y azul.",
    "Fin del capítulo uno.",
]
