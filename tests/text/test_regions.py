"""Regional variant detection: a labelled set per variant; accuracy is reported and must stay >= 90%."""

import pytest
from vocalio_shared.regions import Region
from vocalio_text import detect_region

LABELLED: dict[Region, list[str]] = {
    Region.RIOPLATENSE: [
        "Che boludo, ¿cómo andás?",
        "¿Vos sabés dónde queda la parada del bondi?",
        "Mañana tengo que laburar temprano, así que no salgo.",
        "Qué quilombo se armó en la cancha, che.",
        "Dale, vení a casa y tomamos unos mates.",
        "Ese pibe es re groso jugando al fútbol.",
        "No tengo un mango, estoy sin guita hasta el lunes.",
        "Mirá vos, al final tenías razón.",
        "¿Querés que te pase a buscar con el auto?",
        "Ni en pedo voy a esa fiesta, boludo.",
        "Sos un genio, ¿cómo hiciste eso?",
        "La mina del quinto piso es re copada.",
        "Fijate si tenés cambio para el colectivo.",
        "Me compré una remera nueva en el centro, posta que está buenísima.",
        "Decime la verdad, ¿vos lo sabías?",
    ],
    Region.COLOMBIAN: [
        "Quiubo parce, ¿qué más pues?",
        "Esa fiesta estuvo una chimba, parcero.",
        "Qué pena con usted, señora, ya le atiendo.",
        "Hágale pues, nos vemos mañana en el parche.",
        "Tengo un guayabo terrible después de la rumba de anoche.",
        "Ese man es muy berraco para el trabajo.",
        "¿Le provoca un tinto, sumercé?",
        "Qué mamera tener que madrugar mañana.",
        "Estoy camellando duro para pagar el arriendo, parce.",
        "Uy, qué bacano ese carro, parcero.",
        "Paila, se me olvidaron las llaves otra vez.",
        "Vamos a tomarnos unas polas con los parceros.",
        "Qué jartera esa reunión tan larga.",
        "De una, parce, cuente conmigo.",
        "¿Quiubo, llave? Todo bien, ¿o qué?",
    ],
    Region.MEXICAN: [
        "No manches, güey, eso estuvo bien chido.",
        "¿Qué onda, carnal? ¿Vamos por unas chelas?",
        "Órale, ahorita te alcanzo en la esquina.",
        "Está bien padre tu casa, neta.",
        "Híjole, se me olvidó la lana en la casa.",
        "Ese chavo es bien fresa.",
        "Tengo mucha chamba esta semana, wey.",
        "¿Mande? No le escuché bien, señora.",
        "Qué pinche calor hace hoy en el camión.",
        "Ándale, no seas gacho y préstame tu coche.",
        "Vamos a la alberca con los cuates.",
        "Ese morro está bien chingón para el fútbol.",
        "A poco sí te vas a ir a vivir a Monterrey.",
        "Nel, no voy a ir, está bien gacho el lugar.",
        "Platicamos ahorita, güey, estoy en una junta.",
    ],
    Region.CHILEAN: [
        "¿Cachái lo que te digo, weón?",
        "Ya po, vamos altiro que se nos hace tarde.",
        "Qué fome la película, no me gustó nada.",
        "Mi polola me invitó a un carrete el sábado.",
        "La pega está cuática esta semana.",
        "¿Me prestái una luca para la micro?",
        "Ese concierto estuvo la raja, bacán.",
        "Sipo, yo voy al tiro para allá.",
        "Los cabros se fueron a la playa el fin de semana.",
        "¿Querís ir a tomar once a mi casa?",
        "Qué lata tener que trabajar el sábado.",
        "Hay harta gente en el carrete, weón.",
        "Nopo, no tengo idea de dónde está.",
        "¿Estái listo? Ya po, apúrate.",
        "Ese flaite me robó el celular, ¿cachái?",
    ],
    Region.CARIBBEAN: [
        "Asere, ¿qué bolá? ¿Cómo está la cosa?",
        "Qué lo que, mi pana, ¿todo bien?",
        "Esa vaina está chévere, chamo.",
        "Voy a janguear con el corillo esta noche, wepa.",
        "Tírame el papel al zafacón, porfa.",
        "Dame un chin de café, que tengo sueño.",
        "Ese tíguere se cree muy listo.",
        "Mi jeva y yo vamos a la playa el domingo.",
        "Chamo, ¿viste el juego anoche?",
        "Hay que bregar con eso mañana, pana.",
        "Ese boricua canta bien chévere.",
        "Qué es la que hay, broki.",
        "La guagua pasó llena y no pude montarme, asere.",
        "Mija, tráeme la vaina esa de la cocina.",
        "Esos panas son unos tígueres jugando dominó.",
    ],
    Region.ANDEAN: [
        "Ya pe, causa, vamos al jato de mi pata.",
        "Achachay, qué frío que hace en Quito.",
        "Mi ñaño se fue a estudiar a Guayaquil.",
        "Ese chibolo es bien pendejo, ya pe.",
        "Chuta, se me olvidó la chompa en la casa.",
        "Vamos a jamar algo al toque, causa.",
        "Caserita, deme la yapa, pues.",
        "Mi taita trabaja en la chacra desde temprano.",
        "Ese pituco no sabe lo que es trabajar.",
        "Estoy misio, no tengo ni para el pasaje.",
        "Dame pues un ratito, ya mismo voy.",
        "Mi ñaña cocinó un choclo con queso riquísimo.",
        "Ya pe, no seas así, causa.",
        "Achachái, el agua está helada, ñaño.",
        "Oye pata, ¿vamos al jato a ver el partido?",
    ],
    Region.NEUTRAL: [
        "En un lugar de la Mancha, de cuyo nombre no quiero acordarme.",
        "El gobierno aprobó ayer la nueva ley de presupuestos.",
        "La temperatura máxima será de veinticinco grados.",
        "Mañana iremos al museo con los niños.",
        "El libro tiene trescientas páginas y se lee en una tarde.",
        "Por favor, cierre la puerta al salir.",
        "La reunión empieza a las nueve en punto.",
        "Los científicos descubrieron una nueva especie de rana.",
        "Ella abrió la ventana y miró el mar.",
        "El tren llegó con diez minutos de retraso.",
        "Mi padre trabaja en un hospital.",
        "A causa de la lluvia se suspendió el partido.",
        "Me gusta el vino tinto con la carne.",
        "Estoy harto de esperar el autobús.",
        "La llave está encima de la mesa.",
    ],
}

ACCURACY_FLOOR = 0.90


def test_region_detection_accuracy() -> None:
    total = correct = 0
    misses: list[str] = []
    per_region: dict[str, str] = {}
    for region, sentences in LABELLED.items():
        hits = 0
        for sentence in sentences:
            detected = detect_region(sentence).region
            hits += detected is region
            if detected is not region:
                misses.append(f"{region.value}: {sentence!r} -> {detected.value}")
        per_region[region.value] = f"{hits}/{len(sentences)}"
        total += len(sentences)
        correct += hits
    accuracy = correct / total
    print(f"\nregion detection accuracy: {accuracy:.1%} ({correct}/{total}) per region: {per_region}")
    for miss in misses:
        print("  miss:", miss)
    assert accuracy >= ACCURACY_FLOOR, f"accuracy {accuracy:.1%} below {ACCURACY_FLOOR:.0%}: {misses}"


def test_seed_example_reports_its_markers() -> None:
    detection = detect_region("Che boludo, ¿cómo andás?")
    assert detection.region is Region.RIOPLATENSE
    assert detection.markers == ["che", "boludo", "andás"]
    assert 0.5 < detection.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "12345", "El cielo es azul."])
def test_text_without_markers_is_neutral(text: str) -> None:
    detection = detect_region(text)
    assert detection.region is Region.NEUTRAL
    assert detection.markers == []
    assert 0.0 <= detection.confidence <= 1.0


def test_one_weak_shared_word_is_not_a_region() -> None:
    detection = detect_region("Vuelvo nomás.")
    assert detection.region is Region.NEUTRAL
    assert detection.markers == ["nomás"]


def test_more_markers_more_confidence() -> None:
    weak = detect_region("Che, vení.")
    strong = detect_region("Che boludo, vení que el pibe trajo la guita, ¿sabés?")
    assert weak.region is strong.region is Region.RIOPLATENSE
    assert strong.confidence > weak.confidence


def test_markers_are_case_insensitive() -> None:
    assert detect_region("NO MANCHES GÜEY").region is Region.MEXICAN
