"""A whole book through the stack: audio hours per wall hour, the stack's share, the cost of an edit.

Usage (from the repository root, with the dev environment):

    .venv/bin/python bench/book_throughput.py                    # 30 chapters, ~100k characters
    .venv/bin/python bench/book_throughput.py --chapters 5 --chars 15000   # a quick look
    .venv/bin/python bench/book_throughput.py --api-url http://127.0.0.1:8000 --api-key vk_...

Without --api-url it starts its own embedded stack (redis-server, the API on SQLite, one worker
with `--engine`, eSpeak by default: `stack_overhead.EmbeddedStack`). The book is generated Spanish
prose (seeded, so every run reads the same text), sent as JSON chapters, rendered, and its m4b
downloaded.

Figures:
- first render: wall time from POST /render to the m4b downloaded; audio hours per wall hour;
  the engine's time (sum of the chapter jobs' `engine_time_ms`) and the stack's share of wall time
  beyond it: (wall − engine) / wall. With one worker running one job at a time the two add up to
  the wall; a worker running several jobs at once makes engine time overlap and the share smaller.
- edit: one paragraph of one chapter changed, render again, m4b downloaded again: wall time, its
  ratio to the first render, and sentences synthesized (the edited ones only).
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from stack_overhead import EmbeddedStack

SUBJECTS = (
    "La maestra",
    "El viejo pescador",
    "Mi abuela",
    "El capitán del barco",
    "La niña del molino",
    "Don Ernesto",
    "La doctora Ibáñez",
    "El cartero",
    "Nuestro vecino",
    "La cocinera del convento",
)
VERBS = (
    "recordaba",
    "miraba en silencio",
    "escribía con cuidado",
    "buscaba sin prisa",
    "contaba a todos",
    "guardaba en un cajón",
    "soñaba cada noche con",
    "pintaba despacio",
    "describía con detalle",
)
OBJECTS = (
    "la casa junto al río",
    "las cartas de su hermano",
    "el mapa de la isla",
    "los caminos del monte",
    "una fotografía amarillenta",
    "la llave de la iglesia",
    "el reloj de la plaza",
    "las nubes de tormenta",
)
TAILS = (
    "antes de que amaneciera",
    "mientras llovía sobre el pueblo",
    "durante el largo invierno de 1923",
    "sin decir una palabra",
    "como si nada hubiera pasado",
    "a las siete y media de la tarde",
    "cuando el tren llegó con 45 minutos de retraso",
    "desde la ventana de la cocina",
)
LINES = (
    "—¿Vendrás mañana? —preguntó en voz baja.",
    "—No lo sé —respondió—, quizá el martes.",
    "¡Qué frío hacía aquella noche!",
    "Nadie sabía por qué, pero todos lo intuían.",
    "Pagó 12,50 euros por el pan y se fue.",
    "El 3 de mayo todo cambió para siempre.",
)


def sentence(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(LINES)
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def make_book(chapters: int, total_chars: int, seed: int = 17) -> list[dict]:
    rng = random.Random(seed)
    per_chapter = total_chars // chapters
    book = []
    for number in range(1, chapters + 1):
        paragraphs: list[str] = []
        while sum(len(p) + 2 for p in paragraphs) < per_chapter:
            paragraphs.append(paragraph(rng))
        book.append({"title": f"Capítulo {number}", "text": "\n\n".join(paragraphs)})
    return book


def wait_book(client: httpx.Client, book_id: str, timeout_s: float) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        book = client.get(f"/api/v1/books/{book_id}").json()
        if book["status"] in ("succeeded", "failed", "cancelled"):
            if book["status"] != "succeeded":
                raise RuntimeError(f"book {book_id} {book['status']}: {book.get('warnings')}")
            return book
        time.sleep(0.5)
    raise TimeoutError(f"book {book_id} not finished in {timeout_s:.0f} s")


def download_m4b(client: httpx.Client, book_id: str, target: Path, timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with client.stream("GET", f"/api/v1/books/{book_id}/audio", params={"format": "m4b"}) as answer:
            if answer.status_code == 409:  # assembling
                time.sleep(0.5)
                continue
            answer.raise_for_status()
            with target.open("wb") as handle:
                for piece in answer.iter_bytes():
                    handle.write(piece)
            return target.stat().st_size
    raise TimeoutError("m4b not ready")


STAGES = (  # (label, JobMetrics field): where a chapter job's time went, summed over the book
    ("queue wait", "queue_wait_ms"),
    ("text pipeline", "text_ms"),
    ("engine", "engine_time_ms"),
    ("post-processing", "postprocess_ms"),
    ("encoding", "encode_ms"),
    ("upload", "upload_time_ms"),
    ("worker latency", "latency_ms"),
)


def chapter_metrics(client: httpx.Client, book: dict) -> list[dict]:
    return [
        client.get(f"/api/v1/jobs/{chapter['job_id']}").json().get("metrics") or {}
        for chapter in book["chapters"]
        if chapter.get("job_id")
    ]


def stage_seconds(metrics: list[dict], field: str) -> float:
    return sum(float(m.get(field) or 0.0) for m in metrics) / 1000


def breakdown(metrics: list[dict], wall_s: float) -> None:
    print(f"  where the chapter jobs' time went (sums over {len(metrics)} jobs, share of {wall_s:.1f} s wall):")
    for label, field in STAGES:
        seconds = stage_seconds(metrics, field)
        print(f"    {label:<16}{seconds:>9.1f} s{100 * seconds / wall_s:>7.1f} %")


def render(client: httpx.Client, book_id: str, directory: Path, name: str, timeout_s: float) -> tuple[float, dict]:
    started = time.monotonic()
    client.post(f"/api/v1/books/{book_id}/render").raise_for_status()
    book = wait_book(client, book_id, timeout_s)
    size = download_m4b(client, book_id, directory / f"{name}.m4b", timeout_s)
    wall_s = time.monotonic() - started
    print(f"{name}: {wall_s:.1f} s wall, m4b {size / 1e6:.1f} MB")
    return wall_s, book


def run(api_url: str, api_key: str, chapters: int, chars: int, directory: Path, timeout_s: float) -> None:
    with httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=60) as client:
        text = make_book(chapters, chars)
        created = client.post(
            "/api/v1/books",
            json={"metadata": {"title": "Banco de pruebas", "authors": ["Vocalio"]}, "chapters": text},
        )
        created.raise_for_status()
        book_id = created.json()["id"]
        book_chars = sum(len(chapter["text"]) for chapter in text)
        sentences_before = 0

        first_s, book = render(client, book_id, directory, "first render", timeout_s)
        audio_s = sum(chapter["duration_s"] or 0.0 for chapter in book["chapters"])
        metrics = chapter_metrics(client, book)
        engine_s = stage_seconds(metrics, "engine_time_ms")
        sentences = sum(chapter["sentences"] or 0 for chapter in book["chapters"])
        sentences_before = sum(chapter["sentences_synthesized"] for chapter in book["chapters"])
        print(
            f"book: {len(text)} chapters, {book_chars} characters, {sentences} sentences, {audio_s / 3600:.2f} h audio"
        )
        print(f"audio hours per wall hour: {audio_s / first_s:.1f}")
        print(
            f"engine: {engine_s:.1f} s; stack beyond engine: {first_s - engine_s:.1f} s = "
            f"{100 * (first_s - engine_s) / first_s:.1f} % of wall (goal < 5 %)"
        )
        print(f"sentences synthesized: {sentences_before} of {sentences}")
        breakdown(metrics, first_s)

        middle = len(text) // 2 + 1
        edited = text[middle - 1]["text"].split("\n\n")
        edited[len(edited) // 2] = "Esta frase es nueva y solo ella debe volver a sintetizarse."
        client.patch(
            f"/api/v1/books/{book_id}/chapters/{middle}", json={"text": "\n\n".join(edited)}
        ).raise_for_status()
        edit_s, book = render(client, book_id, directory, "re-render after a one-paragraph edit", timeout_s)
        sentences_after = sum(chapter["sentences_synthesized"] for chapter in book["chapters"])
        edited_metrics = chapter_metrics(client, {"chapters": [book["chapters"][middle - 1]]})
        print(
            f"edit: {edit_s:.1f} s = {100 * edit_s / first_s:.2f} % of the first render (goal < 2 %); "
            f"sentences synthesized: {sentences_after - sentences_before}"
        )
        breakdown(edited_metrics, edit_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chapters", type=int, default=30)
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=3600, help="Seconds to wait for a render.")
    parser.add_argument("--api-url", help="Use a running stack instead of starting one.")
    parser.add_argument("--engine", default="espeak", help="VOCALIO_ENGINE of the embedded stack's worker.")
    parser.add_argument("--api-key", default=os.environ.get("VOCALIO_API_KEY"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vocalio-book-bench-") as name:
        directory = Path(name)
        stack = None
        if args.api_url:
            api_url, api_key = args.api_url, args.api_key
        else:
            stack = EmbeddedStack(directory / "stack", engine=args.engine)
            (directory / "stack").mkdir()
            api_url, api_key = stack.start()
        try:
            run(api_url, api_key, args.chapters, args.chars, directory, args.timeout)
        finally:
            if stack is not None:
                stack.stop()


if __name__ == "__main__":
    main()
