"""Text pipeline throughput on a novel-sized text: characters per second and times faster than speech.

Builds a ~300-page novel (about 600,000 characters) from varied sentences of the kinds a Spanish
audiobook contains (narration, dialogue, dates, money, measures, abbreviations, regional speech),
then runs analyze() on every paragraph (region detection + normalize + lexicon + chunking), the
same work a worker does. Real-time speech is the audio the pipeline itself estimates for that
text (estimated_duration_s), so the ratio is "seconds of speech prepared per second of CPU".

Usage: .venv/bin/python bench/text_throughput.py [--pages 300] [--min-ratio 100]
Exits with status 1 if the pipeline is less than --min-ratio times faster than real time.
"""

import argparse
import random
import sys
import time

from vocalio_shared.schemas.jobs import LexiconEntry
from vocalio_text import analyze, normalize

CHARS_PER_PAGE = 2000

SENTENCES = [
    "En un lugar de la Mancha, de cuyo nombre no quiero acordarme, vivía un hidalgo de los de lanza en astillero.",
    "—¿Vienes o no? —preguntó ella desde la puerta, con la maleta en la mano.",
    "—No lo sé… —respondió él—. Quizá mañana, si deja de llover.",
    "El 12 de octubre de 1492 las carabelas avistaron tierra después de 70 días de travesía.",
    "La casa costaba 150.000 € y el banco solo prestaba el 80 % del valor.",
    "El Sr. Martínez y la Dra. Gómez llegaron a las 14:30 a la estación del Norte.",
    "Durante el siglo XIX la ciudad pasó de 20.000 a 1,5 millones de habitantes.",
    "«La vida es sueño», repetía el viejo profesor, y los alumnos asentían sin entender.",
    "Caminaron 12 km bajo un sol de 38 °C antes de encontrar el primer pozo.",
    "Felipe II mandó construir el monasterio, que tardó 21 años en terminarse.",
    "Che boludo, ¿cómo andás? Hace mil años que no te veo por el barrio.",
    "No manches, güey, ¿de veras te vas a ir a vivir a Monterrey?",
    "Para la receta necesitas 250 g de harina, 3 huevos, 1/2 taza de azúcar y 200 ml de leche.",
    "Llamó al 912-345-678 tres veces, pero nadie contestó hasta el 3 de mayo.",
    "El capítulo IV termina con una carta fechada el 5/11/1936 en Madrid.",
    "Ella tenía 1 hermana y 2 hermanos, y todos vivían en la 3.ª planta del edificio.",
    "La lluvia golpeaba los cristales; el viento, furioso, arrancaba las tejas una a una.",
    "Pagó $25,50 por el libro y US$ 3 por el café, según escribió en su diario.",
    "El tren salía a las 7:45 a. m. y llegaba a la frontera pasado el mediodía.",
    "Escríbeme a lectores@editorial.es o visita www.editorial.es para más información.",
    "Quedó 2.º en la carrera de 10.000 m, a solo 3,2 segundos del ganador.",
    "Ya pe, causa, vamos al jato que empieza el partido.",
    "Asere, ¿qué bolá? Dame un chin de café antes de salir.",
    "Aquella noche, bajo la luz amarilla de los faroles, la ciudad parecía otra.",
    "El artículo 14 de la Constitución dice que los españoles son iguales ante la ley.",
]


def build_novel(pages: int, seed: int = 6) -> list[str]:
    """Paragraphs of 3 to 8 sentences until the text reaches `pages` pages."""
    rng = random.Random(seed)
    target = pages * CHARS_PER_PAGE
    paragraphs: list[str] = []
    size = 0
    while size < target:
        paragraph = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 8)))
        paragraphs.append(paragraph)
        size += len(paragraph) + 1
    return paragraphs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--min-ratio", type=float, default=100.0)
    args = parser.parse_args()

    paragraphs = build_novel(args.pages)
    characters = sum(len(paragraph) for paragraph in paragraphs)
    lexicon = [LexiconEntry(term="Monterrey", say="monterréi"), LexiconEntry(term="Mancha", say="mancha")]

    started, started_cpu = time.perf_counter(), time.process_time()
    normalized_chars = sum(len(normalize(paragraph)) for paragraph in paragraphs)
    normalize_s = time.perf_counter() - started
    # CPU time too: on a shared machine the wall clock measures the neighbours as much as the code.
    normalize_cpu_s = time.process_time() - started_cpu

    started = time.perf_counter()
    speech_s = 0.0
    chunks = 0
    for paragraph in paragraphs:
        result = analyze(paragraph, lexicon=lexicon)
        speech_s += result.estimated_duration_s
        chunks += len(result.chunks)
    analyze_s = time.perf_counter() - started

    total_s = normalize_s + analyze_s
    chars_per_s = characters / analyze_s
    realtime_ratio = speech_s / analyze_s
    print(
        f"text: {args.pages} pages, {len(paragraphs)} paragraphs, {characters:,} characters "
        f"-> {normalized_chars:,} spoken characters, {chunks:,} chunks"
    )
    print(
        f"normalize only: {normalize_s:.2f} s ({characters / normalize_s:,.0f} chars/s); "
        f"CPU {normalize_cpu_s:.2f} s ({characters / normalize_cpu_s:,.0f} chars/s)"
    )
    print(f"analyze (detect + normalize + lexicon + chunk): {analyze_s:.2f} s ({chars_per_s:,.0f} chars/s)")
    print(f"normalize + analyze: {total_s:.2f} s ({2 * characters / total_s:,.0f} chars/s over both passes)")
    print(f"speech estimated for this text: {speech_s / 3600:.1f} h ({speech_s:,.0f} s)")
    print(f"ratio to real-time speech: {realtime_ratio:,.0f}x (threshold {args.min_ratio:.0f}x)")
    return 0 if realtime_ratio >= args.min_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
