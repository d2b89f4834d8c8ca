"""Region detection, one kind of signal at a time: what each marks, and the ordinary Spanish it must leave alone."""

import time

import pytest
from vocalio_shared.regions import Region
from vocalio_text import detect_region


@pytest.mark.parametrize(
    ("text", "region", "marker"),
    [
        # vosotros and its forms: Spain.
        ("¿Vosotros qué pensáis hacer el sábado?", Region.PENINSULAR, "pensáis"),
        ("Si queréis venir, avisadme antes de las siete.", Region.PENINSULAR, "queréis"),
        ("Os lo he dicho mil veces.", Region.PENINSULAR, "os"),
        # vale as agreement and tío as address: Spain.
        ("¿Nos vemos mañana? Vale, hasta luego.", Region.PENINSULAR, "vale"),
        ("Hola, tío. ¿Qué tal el finde?", Region.PENINSULAR, "tío"),
        # Voseo not listed in the lexicon, read from its ending.
        ("Vos mandás y yo obedezco.", Region.RIOPLATENSE, "mandás"),
        ("Si lo disfrutás, seguí adelante, vos podés.", Region.RIOPLATENSE, "disfrutás"),
        # Chilean -ái and the particle po.
        ("¿Y tú qué opinái de todo esto, po?", Region.CHILEAN, "opinái"),
        # Caribbean elisions written in dialogue.
        ("Se acabaron to' lo' chavo' de la semana.", Region.CARIBBEAN, "lo'"),
        # pues closing a clause, with an Andean particle.
        ("Ya pe, vamos nomás, dame pues.", Region.ANDEAN, "dame pues"),
        # The writer speaking as one of them.
        ("Los mexicanos decimos las cosas con cariño, güey.", Region.MEXICAN, "los mexicanos"),
        # ¡aguas! opening an exclamation.
        ("¡Aguas con el perro, que muerde!", Region.MEXICAN, "¡aguas"),
    ],
)
def test_signal_marks_its_variety(text: str, region: Region, marker: str) -> None:
    detection = detect_region(text)
    assert detection.region is region, detection
    assert marker in detection.markers, detection
    assert 0.0 < detection.confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "No vale la pena discutir por eso.",  # vale as "is worth"
        "Mi tío vive en el campo y la tía de Ana, en la ciudad.",  # relatives, not address
        "Además, el francés y el inglés llegaron después, a través del interés comercial.",  # -és, -ás words
        "Mañana hablarás con el director y le dirás la verdad.",  # the tú future in -rás
        "El proyecto de ley se votará de una vez en la sesión de mañana.",  # "de ley", "de una vez"
        "Así pues, el tribunal resolvió el caso con rapidez.",  # pues as a connective
        "La mina de cobre cerró por la huelga y el camión quedó en la plata del depósito.",  # weak shared words
        "El político habló del ático y de la práctica crítica.",  # -tico words are esdrújulas
        "El bacalao y el cacao llegaron al puerto del Callao.",  # -ao words that are not participles
        "Los chilenos votaron ayer en el plebiscito.",  # a demonym without the writer among them
        "Bueno, el ‘Maldito Cris’ fue liberado y le metí ‘huevos’ al partido.",  # ’ closing a quotation
    ],
)
def test_ordinary_spanish_stays_neutral(text: str) -> None:
    detection = detect_region(text)
    assert detection.region is Region.NEUTRAL, detection


def test_a_long_neutral_text_stays_neutral() -> None:
    # Weak shared words pile up over a chapter; without one clear marker they are not a region.
    sentences = [
        "El coche se detuvo frente al piso donde vivía su madre.",
        "A causa de la lluvia, la pata de la mesa se mojó.",
        "La llave estaba en el bolsillo de su abrigo de lana.",
        "Compraron un vino tinto y un collar de plata en el mercado.",
        "El camión de la mudanza llegó con una hora de retraso.",
        "Estoy harto de esperar, dijo el flaco, y se fue.",
    ]
    text = " ".join(sentences * 200)
    assert detect_region(text).region is Region.NEUTRAL


def test_detection_on_a_chapter_is_fast() -> None:
    # Detection runs once per chapter on the whole text: 100 kB must take well under a second.
    text = ("Che, vení que el pibe trajo la guita. " * 40 + "La reunión empieza a las nueve en punto. " * 60) * 10
    text = text[:100_000]
    start = time.process_time()
    detection = detect_region(text)
    elapsed = time.process_time() - start
    assert detection.region is Region.RIOPLATENSE
    assert elapsed < 1.0, f"{len(text) / elapsed:,.0f} characters/s"
