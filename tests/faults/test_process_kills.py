"""kill -9 of every child of `vocalio up`, one after another and then two at once, mid-way through a
workload of a three-chapter book and plain jobs: the supervisor brings each back, every job ends
`succeeded` exactly once with one stored result, the book's sentences are synthesized once, and a
client following each job's events with Last-Event-ID across the API's deaths sees every event once.
"""

import hashlib
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from vocalio_shared.events import BOOK_SETTLED_EVENT_TYPES, TERMINAL_EVENT_TYPES

from tests.e2e.books.flows import create_book
from tests.faults.sse_follower import SseFollower
from tests.faults.up_stack import UpStack

# No sentence twice in the book: each distinct sentence is one file of the API's sentence cache.
CHAPTERS = [
    {"title": "Capítulo 1", "text": "La lluvia caía sobre el puerto. Los pescadores miraban el cielo. Nadie habló."},
    {"title": "Capítulo 2", "text": "El faro seguía apagado. Su madre decía que volvería. Tomás no la creía."},
    {"title": "Capítulo 3", "text": "Llegó un barco extraño. Traía velas negras. El capitán bajó sin mirar."},
]
# One fault per round, then two at once; each round first submits plain jobs, so every kill finds
# work queued and running.
ROUNDS: list[tuple[str, ...]] = [
    ("worker",),
    ("api",),
    ("redis",),
    ("llm_bridge",),
    ("ui",),
    ("worker", "api"),
    ("redis", "worker"),
]
JOBS_PER_ROUND = 2
FAST_RECOVERY = {
    "VOCALIO_RESTART_BACKOFF_BASE_S": "0.2",
    "VOCALIO_RESTART_BACKOFF_CAP_S": "1",
    "VOCALIO_CRASH_LOOP_RESTARTS": "10",  # this test kills a child up to three times in a minute on purpose
    "VOCALIO_HEARTBEAT_INTERVAL_S": "1",
    "VOCALIO_IN_PROGRESS_TTL_S": "3",  # a killed worker's job is taken again 3 s later, not 30
    "VOCALIO_MAX_ATTEMPTS": "8",  # one job may be running at each of the three worker kills
    "VOCALIO_RETRY_BACKOFF_S": "0.2",
    "VOCALIO_POLL_DELAY_S": "0.1",
    # slow enough that every kill lands mid-job, fast enough that the workload fits in a minute
    "VOCALIO_BATCH_SIZE": "1",
    "VOCALIO_SIMULATED_CHUNK_DELAY_S": "0.3",
}
TERMINAL = ("succeeded", "failed", "cancelled")


def follow_job(events: SseFollower, job_id: str) -> None:
    events.follow(job_id, f"/api/v1/jobs/{job_id}/events", frozenset(TERMINAL_EVENT_TYPES))


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[UpStack]:
    up = UpStack(tmp_path, FAST_RECOVERY).start()
    yield up
    code = up.stop()
    assert code == 0, up.logs()[-4000:]


def get(client: httpx.Client, path: str) -> Any:
    """A read that outlives an API restart: the test's own polling must not be the thing that fails."""
    deadline = time.monotonic() + 60
    while True:
        try:
            response = client.get(path)
            if response.status_code < 500:
                response.raise_for_status()
                return response.json()
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"GET {path} kept failing"
        time.sleep(0.3)


def wait_for_running_work(client: httpx.Client, job_ids: list[str], timeout_s: float = 60.0) -> None:
    """Until some job is being synthesized, so the kill lands mid-job."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(get(client, f"/api/v1/jobs/{job_id}")["status"] == "synthesizing" for job_id in job_ids):
            return
        time.sleep(0.1)
    raise AssertionError("no job was running when the fault was due")


def wait_terminal(client: httpx.Client, job_ids: list[str], timeout_s: float) -> dict[str, dict]:
    deadline = time.monotonic() + timeout_s
    jobs: dict[str, dict] = {}
    while time.monotonic() < deadline:
        jobs = {job_id: get(client, f"/api/v1/jobs/{job_id}") for job_id in job_ids}
        if all(job["status"] in TERMINAL for job in jobs.values()):
            return jobs
        time.sleep(0.5)
    pending = {job_id: job["status"] for job_id, job in jobs.items() if job["status"] not in TERMINAL}
    raise AssertionError(f"jobs never finished: {pending}")


def half_written_files(data_dir: Path) -> list[Path]:
    return [path for path in data_dir.rglob("*") if ".part" in path.name and path.is_file()]  # .part, .partial


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_kill_9_of_every_child_one_after_another_then_two_at_once(stack: UpStack) -> None:
    started = time.monotonic()
    key = stack.admin_key
    headers = {"Authorization": f"Bearer {key}"}
    events = SseFollower(stack.api_url, key, deadline_s=360)
    with httpx.Client(base_url=stack.api_url, headers=headers, timeout=30) as client:
        book = create_book(client, chapters=CHAPTERS)
        book_events = f"/api/v1/books/{book['id']}/events"
        events.follow("book", book_events, frozenset(BOOK_SETTLED_EVENT_TYPES))
        rendered = client.post(f"/api/v1/books/{book['id']}/render")
        assert rendered.status_code == 202, rendered.text
        chapter_jobs = [chapter["job_id"] for chapter in rendered.json()["chapters"]]
        job_ids = list(chapter_jobs)
        for job_id in chapter_jobs:
            follow_job(events, job_id)

        for round_number, victims in enumerate(ROUNDS, start=1):
            for n in range(JOBS_PER_ROUND):
                text = f"Ronda {round_number}, trabajo {n + 1}. Sigue la prueba de fallos."
                body = {"text": text, "output_format": "flac", "sample_rate": 16000}
                created = client.post("/api/v1/jobs", json=body)
                assert created.status_code == 202, created.text
                job_ids.append(created.json()["id"])
                follow_job(events, created.json()["id"])
            wait_for_running_work(client, job_ids)
            stack.kill(*victims)

        jobs = wait_terminal(client, job_ids, timeout_s=240)
        book_done = get(client, f"/api/v1/books/{book['id']}")
        histories = {job_id: get(client, f"/api/v1/jobs/{job_id}/events/history") for job_id in job_ids}
        histories["book"] = get(client, f"{book_events}/history")
        audio = {job_id: client.get(f"/api/v1/jobs/{job_id}/audio").content for job_id in job_ids}
        admin_id = next(k["id"] for k in get(client, "/api/v1/keys")["items"] if k["role"] == "admin")
        usage = get(client, f"/api/v1/keys/{admin_id}/usage")
    events.join(timeout_s=60)
    elapsed_s = time.monotonic() - started

    # Every job succeeded, exactly once, with its one stored result.
    assert {job_id: job["status"] for job_id, job in jobs.items()} == dict.fromkeys(job_ids, "succeeded")
    for job_id in job_ids:
        history = histories[job_id]
        seqs = [event["seq"] for event in history]
        assert seqs == list(range(1, len(seqs) + 1)), (job_id, seqs)  # the log itself has no gap
        types = Counter(event["type"] for event in history)
        assert types["job.succeeded"] == 1 and history[-1]["type"] == "job.succeeded", (job_id, types)
        assert types["job.failed"] == types["job.cancelled"] == 0, (job_id, types)
    audio_files = sorted(path.name for path in (stack.data_dir / "audio").iterdir() if path.is_file())
    expected_files = sorted(f"{job_id}.flac" for job_id in job_ids)
    # one file per job, nothing half-written left behind by a kill mid-upload
    assert audio_files == expected_files, set(audio_files) ^ set(expected_files)
    # In the whole data dir (audio, sentences, books, worker copies) no temp file may stay. The live API may
    # still be writing a book's delivery files after the book's last event: a live writer's temp file turns
    # into its real file within seconds; a killed writer's stays (until a sweep minutes away).
    deadline = time.monotonic() + 30
    while (half_written := half_written_files(stack.data_dir)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert half_written == [], half_written
    for job_id, payload in audio.items():
        assert hashlib.sha256(payload).hexdigest() == jobs[job_id]["result"]["sha256"], job_id
    # Usage is counted in the transaction of the success: a success applied twice would count twice.
    durations_s = sum(job["result"]["duration_s"] for job in jobs.values())
    assert usage["total_audio_seconds"] == pytest.approx(durations_s, rel=1e-6), (usage, durations_s)

    # The book: every distinct sentence synthesized (or taken from the cache) and stored once.
    assert book_done["status"] == "succeeded", book_done
    units = sum(c["sentences_synthesized"] + c["sentences_cached"] for c in book_done["chapters"])
    stored = len(list((stack.data_dir / "sentences").rglob("*.flac")))
    spoken = sum(chapter["text"].count(".") for chapter in CHAPTERS)
    assert stored == units >= spoken, book_done["chapters"]
    book_types = Counter(event["type"] for event in histories["book"])
    assert book_types["book.succeeded"] == 1 and book_types["chapter.succeeded"] == len(CHAPTERS), book_types
    assert book_types["book.failed"] == book_types["chapter.failed"] == 0, book_types

    # No lost event: each follower saw its job's whole log, in order, each event once.
    replays = 0
    for name, history in histories.items():  # every job's, and the book's
        followed = events.followed[name]
        assert followed.ended, (name, followed.received, followed.errors[-3:])
        replays += len(followed.received) - len(followed.by_id())
        assert followed.by_id() == {event["seq"]: event["type"] for event in history}, name
        assert [event_id for event_id, _ in followed.received] == sorted(followed.by_id()), name

    # The supervisor restarted each child once per kill of it, and nothing else.
    killed = Counter(stack.kills)
    restarts = {name: child["restarts"] for name, child in stack.children().items()}
    assert restarts == {name: killed[name] for name in restarts}, (restarts, killed)

    connections = sum(f.connections for f in events.followed.values())
    checked = sum(len(history) for history in histories.values())
    print(
        f"faults injected: {len(stack.kills)} kills in {len(ROUNDS)} rounds {dict(killed)}; "
        f"jobs submitted: {len(job_ids)} ({len(chapter_jobs)} chapters); lost: 0; duplicate successes: 0; "
        f"events checked: {checked} ({len(histories['book'])} of the book) over {connections} SSE connections, "
        f"replays: {replays}; "
        f"sentences: {units} stored {stored}; {elapsed_s:.0f} s"
    )
    assert replays == 0
