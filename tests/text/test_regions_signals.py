"""Region detection, one kind of signal at a time: what each marks, and the ordinary Spanish it must leave alone."""

import time

import pytest
from vocalio_shared.regions import Region
from vocalio_text import detect_region
from vocalio_text.regions import LENGTH_UNIT, MIN_EVIDENCE, required_evidence


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
        # Speech written in dialogue: an aspirated s (ehtá, vamoh) and the Chilean -ís aspirated (sabih).
        ("Ehto no ehtá bien, mijo.", Region.CARIBBEAN, "ehtá"),
        ("Vamoh pa' la playa, que ehtá bueno el día.", Region.CARIBBEAN, "vamoh"),
        ("¿Y qué sabih tú de eso?", Region.CHILEAN, "sabih"),
        # Spain's plural imperative: -ad/-id, with a pronoun, and with os (sentaos).
        ("Mirad, venid aquí y decidme la verdad.", Region.PENINSULAR, "venid"),
        ("Chicos, sentaos un momento.", Region.PENINSULAR, "sentaos"),
        # Voseo imperatives with a pronoun.
        ("Escuchame bien: esto no se toca.", Region.RIOPLATENSE, "escuchame"),
        # Tag questions closing a statement.
        ("Era una pavada, ¿viste?", Region.RIOPLATENSE, "¿viste?"),
        ("—¿Mande? No le oí.", Region.MEXICAN, "¿mande?"),
        ("¿Usted fue a la reunión, sí o qué?", Region.COLOMBIAN, "¿sí o qué?"),
        # Constructions: tener + time + de no (Mexico), qué tú without inversion (Caribbean),
        # the article before a given name (Chile), regalar for asking (Colombia).
        ("Tenía años de no verla.", Region.MEXICAN, "tenía años de no verla"),
        ("¿Qué tú quieres que yo haga?", Region.CARIBBEAN, "qué tú"),
        ("La Javiera y el Seba llegaron tarde.", Region.CHILEAN, "la javiera"),
        ("¿Me regala un tinto, por favor?", Region.COLOMBIAN, "me regala"),
        ("Los paceños decimos que el que no subió a El Alto no conoce La Paz.", Region.ANDEAN, "los paceños"),
        # Issue 19, second batch: no + verb + más for "ya no" (Río de la Plata); ya and para before a
        # subject pronoun (Caribbean); Spain's coña, bronca; two weak markers of one variety together.
        ("Desde que se mudó, el Pato no viene más al club.", Region.RIOPLATENSE, "no viene más"),
        ("Ya yo te lo había dicho, mi amor.", Region.CARIBBEAN, "ya yo"),
        ("Para tú entenderlo, tienes que verlo.", Region.CARIBBEAN, "para tú"),
        ("Madrugar el domingo es un coñazo.", Region.PENINSULAR, "coñazo"),
        ("Me echó la bronca por llegar tarde.", Region.PENINSULAR, "echó la bronca"),
        ("Me quedan unas pocas lucas, pero hay harta comida.", Region.CHILEAN, "lucas"),
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
        "El Real Madrid venció al Valladolid y David celebró el gol con usted.",  # -ad/-id/-ed names
        "The tests passed, and the files were stored, shared and checked.",  # English -ed is no imperative
        "¿Viste la película de anoche?",  # viste as a verb, not a tag
        "Alguien como tú no se rinde; ¿qué opinas tú?",  # como tú, qué + verb + tú
        "Sarah y Noah llegaron de Utah; ¡bah!, dijo Mahmoud.",  # a final or inner h in names, interjections
        "El alcohol está prohibido en la bahía.",  # h between vowels
        "Le dije que tenía dos años y no veía bien.",  # tener + time without "de no"
        "Andrés, Inés y Tomás Valdés viajaron con Solís a París.",  # names in -és/-ás/-ís are not voseo
        "Tras la cata de vinos, bailaron la Macarena en el Vicente Calderón.",  # la/el + a noun or a place
        "No es más que un juego, no puedo más y ya no está más caro que antes.",  # más that is not "ya no"
        "Escríbanos a consultas@munilima.gob.pe o visite www.chido.mx/che.",  # addresses are not speech
        "Hay un coche en la calle.",  # one weak marker alone
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


def test_a_shared_marker_says_less_about_which_variety() -> None:
    # vaina (Caribbean 0.6, Colombia 0.4) against soroche (Andean 0.6 alone): the shared word is split
    # between its varieties, so the specific one decides; unweighted, 0.6 against 0.6 would be a tie.
    detection = detect_region("Esa vaina del soroche me tiene mal.")
    assert detection.region is Region.ANDEAN, detection
    assert detection.markers == ["soroche"]


def test_the_evidence_needed_grows_with_the_length_of_the_text() -> None:
    assert required_evidence(10) == required_evidence(LENGTH_UNIT) == MIN_EVIDENCE
    lengths = [LENGTH_UNIT, 1_000, 5_000, 20_000, 100_000]
    needed = [required_evidence(words) for words in lengths]
    assert needed == sorted(needed) and needed[0] < needed[-1]
    assert 1.5 < required_evidence(20_000) < 2.0  # a chapter


_NEUTRAL_CHAPTER = " ".join(
    [
        "La reunión del consejo empezó a las nueve y terminó pasado el mediodía.",
        "Los vecinos pidieron más luz en la plaza y un paso de peatones frente a la escuela.",
        "El informe anual recoge las cifras de empleo, de vivienda y de transporte de la ciudad.",
        "Durante la tarde llovió con fuerza y el río creció, aunque no llegó a desbordarse.",
    ]
    * 500
)  # about 29,000 words


def test_one_marker_in_a_long_neutral_text_stays_neutral() -> None:
    # "Vale, …" marks Spain in a short message, but one such marker in a chapter is not the chapter's variety.
    assert detect_region("Vale, nos vemos a las siete.").region is Region.PENINSULAR
    chapter = _NEUTRAL_CHAPTER + " Vale, nos vemos a las siete. " + _NEUTRAL_CHAPTER
    detection = detect_region(chapter)
    assert detection.region is Region.NEUTRAL, detection


def test_a_long_regional_text_stays_regional() -> None:
    # Distinct markers grow with a regional text, so a chapter of dialogue still reaches the evidence needed.
    dialogue = [
        "—Vos sabés que no me gusta esperar —dijo.",
        "—¿Querés venir conmigo o no?",
        "—Tenés razón, che, perdoname.",
        "—Mirá lo que hiciste con el auto.",
        "—No podés faltar el sábado.",
        "—Decime dónde vivís ahora.",
    ]
    chapter = _NEUTRAL_CHAPTER + " " + " ".join(dialogue) + " " + _NEUTRAL_CHAPTER
    detection = detect_region(chapter)
    assert detection.region is Region.RIOPLATENSE, detection
    assert {"sabés", "querés", "tenés", "che"} <= set(detection.markers)
