"""Chapter jobs on a real stack: only missing sentences are synthesized, whatever happens in between."""

import hashlib
import itertools
import time
from collections.abc import Callable

import httpx
import pytest

from tests.e2e.books.conftest import (
    ChapterJobs,
    chapter,
    finished,
    sentence_files,
    sentences_done,
    stored_sentences,
)
from tests.e2e.worker.conftest import get_job, wait_for
from tests.support.processes import ApiProcess, WorkerProcess

CHAPTER = (
    "La lluvia caía sobre el puerto desde la madrugada. Los pescadores miraban el cielo sin decir nada.\n\n"
    "Tomás llegó tarde, con las botas llenas de barro. Nadie le preguntó dónde había estado.\n\n"
    "—¿Saldremos hoy? —dijo al fin el más viejo. El mar respondió con una ola contra el muelle."
)
UNITS = 7  # the title and six sentences, each one chunk for eSpeak


def audio_sha256(client: httpx.Client, job_id: str) -> str:
    response = client.get(f"/api/v1/jobs/{job_id}/audio")
    assert response.status_code == 200, response.text
    return hashlib.sha256(response.content).hexdigest()


def test_render_again_then_edit_one_sentence(
    client: httpx.Client,
    api: ApiProcess,
    chapter_jobs: ChapterJobs,
    worker_factory: Callable[..., WorkerProcess],
) -> None:
    first_worker = worker_factory("worker-1")

    # (1) first render: every sentence synthesized, each uploaded once
    first = finished(client, chapter_jobs.create(CHAPTER, chapter()))
    metrics, result = first["metrics"], first["result"]
    assert (metrics["sentences_synthesized"], metrics["sentences_cached"]) == (UNITS, 0)
    assert result["format"] == "flac" and result["sample_rate"] == 44100
    segments = result["segments"]
    assert [s["source_text"] for s in segments][:3] == [
        "Capítulo 1",
        "La lluvia caía sobre el puerto desde la madrugada.",
        "Los pescadores miraban el cielo sin decir nada.",
    ]
    assert len(segments) == UNITS and segments[0]["text"] == "Capítulo uno"
    assert all(s["key"] and s["seed"] is not None for s in segments)
    assert all(a["end_s"] <= b["start_s"] for a, b in itertools.pairwise(segments))
    assert segments[-1]["end_s"] <= result["duration_s"] + 0.01
    assert len(sentence_files(api)) == UNITS and stored_sentences(client, "stored") == UNITS
    first_audio = audio_sha256(client, first["id"])

    # (2) the same chapter on a fresh worker (no local copies): nothing synthesized, same file
    first_worker.stop()
    worker_factory("worker-2")
    again = finished(client, chapter_jobs.create(CHAPTER, chapter()))
    assert (again["metrics"]["sentences_synthesized"], again["metrics"]["sentences_cached"]) == (0, UNITS)
    assert again["result"]["sha256"] == first["result"]["sha256"] and audio_sha256(client, again["id"]) == first_audio
    assert again["result"]["segments"] == segments
    assert again["stage"] == "done"

    # (3) one sentence edited: exactly that one synthesized, the others' timings shift but keep their keys
    edited_text = CHAPTER.replace("sin decir nada.", "sin decir una palabra.")
    edited = finished(client, chapter_jobs.create(edited_text, chapter()))
    assert (edited["metrics"]["sentences_synthesized"], edited["metrics"]["sentences_cached"]) == (1, UNITS - 1)
    new_keys = [s["key"] for s in edited["result"]["segments"]]
    assert [k for k in new_keys if k not in {s["key"] for s in segments}] == [new_keys[2]]
    assert stored_sentences(client, "stored") == UNITS + 1
    assert stored_sentences(client, "already_present") == 0  # no sentence was ever made twice


def test_a_changed_pinned_voice_fails_the_chapter_clearly(
    client: httpx.Client, chapter_jobs: ChapterJobs, worker_factory: Callable[..., WorkerProcess]
) -> None:
    worker_factory()
    job = wait_for(client, chapter_jobs.create(CHAPTER, chapter(voice_sha256="f" * 64)))
    assert job["status"] == "failed" and job["error"]["code"] == "UNKNOWN_VOICE", job
    assert "pinned voice changed" in job["error"]["message"]
    assert stored_sentences(client, "stored") == 0


@pytest.mark.parametrize("delay_s", ["0.6"])
def test_kill_9_mid_chapter_resumes_without_redoing_a_sentence(
    client: httpx.Client,
    api: ApiProcess,
    chapter_jobs: ChapterJobs,
    worker_factory: Callable[..., WorkerProcess],
    delay_s: str,
) -> None:
    slow = {"batch_size": "1", "simulated_chunk_delay_s": delay_s, "progress_interval_s": "0"}
    long_chapter = "\n\n".join(f"Párrafo {n}. " + CHAPTER.split("\n\n")[n % 3] for n in range(1, 6))
    sentences = 1 + 5 * 3  # the title, then five paragraphs of three sentences ("Párrafo n." is one)
    units = 1 + 5 + 3 * 2  # distinct ones: paragraphs 4 and 5 repeat 1 and 2 after their "Párrafo n."
    first = worker_factory("worker-1", **slow)
    job_id = chapter_jobs.create(long_chapter, chapter())
    deadline = time.monotonic() + 90
    while sentences_done(client, job_id) < 5:
        assert time.monotonic() < deadline, get_job(client, job_id)
        time.sleep(0.05)
    first.kill()
    made_before_kill = len(sentence_files(api))
    assert 4 <= made_before_kill < units

    worker_factory("worker-2", **slow)
    job = finished(client, job_id, timeout_s=120)
    assert job["attempts"] == 2 and job["worker_id"] == "worker-2", job
    metrics = job["metrics"]
    assert metrics["sentences_synthesized"] + metrics["sentences_cached"] == units
    assert metrics["sentences_cached"] >= made_before_kill
    # What the cache received over both attempts: every sentence once, none twice.
    assert stored_sentences(client, "stored") == units and stored_sentences(client, "already_present") == 0
    assert len(sentence_files(api)) == units
    assert len(job["result"]["segments"]) == sentences


def test_kill_9_of_the_api_mid_chapter_loses_no_sentence(
    client: httpx.Client,
    api: ApiProcess,
    chapter_jobs: ChapterJobs,
    worker_factory: Callable[..., WorkerProcess],
) -> None:
    """The worker keeps rendering while the API is down; its uploads and updates wait and land."""
    worker_factory("worker-1", batch_size="1", simulated_chunk_delay_s="0.5", progress_interval_s="0")
    job_id = chapter_jobs.create(CHAPTER, chapter())
    deadline = time.monotonic() + 90
    while sentences_done(client, job_id) < 2:
        assert time.monotonic() < deadline, get_job(client, job_id)
        time.sleep(0.05)
    api.kill()
    time.sleep(2.0)  # a sentence or more is made while nobody can take it
    api.start(timeout_s=90)
    job = finished(client, job_id, timeout_s=120)
    assert job["attempts"] == 1, job
    assert (job["metrics"]["sentences_synthesized"], job["metrics"]["sentences_cached"]) == (UNITS, 0)
    assert len(sentence_files(api)) == UNITS
