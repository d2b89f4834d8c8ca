"""Sentence QA on a real stack (API, Redis, a worker process): an engine whose first draw of a
sentence is bad gets it drawn again; the second draw is kept with its seed, the cache holds only
the good one; a sentence that never passes is kept and flagged; a user's render-again of one
sentence makes exactly that one again."""

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from vocalio_shared.books import sentence_seed
from vocalio_worker.qa_settings import SentenceQASettings
from vocalio_worker.sentence_cache import decode_sentence, sentence_qa_of
from vocalio_worker.sentence_qa import check_sentence

from tests.e2e.books.conftest import ChapterJobs, chapter, finished, sentence_files, stored_sentences
from tests.support.processes import ApiProcess, WorkerProcess
from tests.worker.test_redraw_double import BOOK_SEED

CHAPTER = (
    "La lluvia caía sobre el puerto desde la madrugada. Los pescadores miraban el cielo sin decir nada.\n\n"
    "Nunca volvió a ver a su hermano en el pueblo."
)
UNITS = 4  # the title and three sentences
RATE = 44100


@pytest.fixture
def double_worker(api: ApiProcess, redis_url: str, tmp_path: Path) -> Iterator[WorkerProcess]:
    """The real worker process speaking with `RedrawDouble` (tests/worker/test_redraw_double.py)."""
    worker = WorkerProcess(api, redis_url, tmp_path, "worker-redraw", {"VOCALIO_DATA_DIR": str(tmp_path / "worker")})
    worker.args = [sys.executable, "-m", "tests.worker.test_redraw_double"]
    worker.start(timeout_s=90)
    yield worker
    worker.stop(timeout_s=30)


def stored(api: ApiProcess, key: str) -> bytes:
    [path] = [path for path in sentence_files(api) if path.stem == key]
    return path.read_bytes()


def test_a_bad_first_draw_is_drawn_again_and_only_the_good_one_is_cached(
    client: httpx.Client, api: ApiProcess, chapter_jobs: ChapterJobs, double_worker: WorkerProcess
) -> None:
    job = finished(client, chapter_jobs.create(CHAPTER, chapter()))
    metrics, segments = job["metrics"], job["result"]["segments"]
    assert (metrics["sentences_synthesized"], metrics["sentences_cached"]) == (UNITS, 0)
    assert (metrics["sentences_redrawn"], metrics["sentences_flagged"]) == (2, 1)  # the flagged one was re-drawn too
    title, harbour, fishermen, never = (segment["qa"] for segment in segments)
    assert title["passed"] and title["draws"] == 1 and fishermen["draws"] == 1
    spoken = segments[1]["text"]
    assert (harbour["passed"], harbour["draws"], harbour["draw"]) == (True, 2, 1)
    assert harbour["seed"] == sentence_seed(BOOK_SEED, spoken, 1)
    assert segments[1]["seed"] == sentence_seed(BOOK_SEED, spoken, 0)  # the key names the first draw asked for
    assert (never["passed"], never["failures"], never["draws"]) == (False, ["loop"], 3)
    voice_stats = job["result"]["voice_stats"]
    assert 8 < voice_stats["speaking_rate_cps"] < 20 and 60 < voice_stats["pitch_median_hz"] < 300

    # the cache: one file per sentence, none twice; the harbour sentence's is the good draw, with its QA
    assert len(sentence_files(api)) == UNITS and stored_sentences(client, "stored") == UNITS
    assert stored_sentences(client, "already_present") == 0
    data = stored(api, segments[1]["key"])
    assert sentence_qa_of(data) is not None and sentence_qa_of(data).model_dump() == harbour  # type: ignore[union-attr]
    samples = decode_sentence(data, RATE)
    checks = check_sentence(samples, RATE, spoken, engine="espeak", speed=1.0, settings=SentenceQASettings())
    assert checks.passed, checks.scores

    # assembled again from the cache: the same QA comes back with every segment, nothing drawn
    again = finished(client, chapter_jobs.create(CHAPTER, chapter()))
    assert (again["metrics"]["sentences_synthesized"], again["metrics"]["sentences_redrawn"]) == (0, 0)
    assert [s["qa"] for s in again["result"]["segments"]] == [s["qa"] for s in segments]

    # render again the flagged sentence only: a new first draw, so a new key; the rest from the cache
    redraw = chapter(redraw_from={segments[3]["key"]: never["draw"] + never["draws"]})
    retried = finished(client, chapter_jobs.create(CHAPTER, redraw))
    assert (retried["metrics"]["sentences_synthesized"], retried["metrics"]["sentences_cached"]) == (1, UNITS - 1)
    new = retried["result"]["segments"][3]
    assert new["key"] != segments[3]["key"] and new["qa"]["draw"] == 3
    assert new["seed"] == sentence_seed(BOOK_SEED, new["text"], 3)
    assert [s["key"] for s in retried["result"]["segments"][:3]] == [s["key"] for s in segments[:3]]
