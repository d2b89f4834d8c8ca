"""A book rendered by a real eSpeak worker process: the chapter jobs run on the bulk lane, the book
aggregates them to `succeeded`, each chapter's FLAC master can be downloaded, an edit re-renders one."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.books.flows import create_book
from tests.e2e.books.test_book_api import job_ids, render
from tests.e2e.books.test_book_api_events import read_book_events
from tests.support.processes import ApiProcess, WorkerProcess


@pytest.fixture
def worker(api_factory, redis_url: str, tmp_path: Path) -> Iterator[tuple[ApiProcess, WorkerProcess]]:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_HEARTBEAT_INTERVAL_S": "1"})
    process = WorkerProcess(api, redis_url, tmp_path, "book-worker")
    process.start(timeout_s=120)
    yield api, process
    process.stop(timeout_s=30)


def wait_for_book(client: httpx.Client, book_id: str, status: str, timeout_s: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout_s
    book: dict = {}
    while time.monotonic() < deadline:
        book = client.get(f"/api/v1/books/{book_id}").json()
        if book["status"] == status:
            return book
        assert book["status"] not in ("failed", "cancelled"), book
        time.sleep(0.3)
    raise AssertionError(f"book never became {status}: {book}")


def test_a_real_worker_renders_the_book(worker) -> None:  # type: ignore[no-untyped-def]
    api, _worker = worker
    chapters = [
        {"title": "Capítulo 1", "text": "Era una mañana fría. El viento soplaba."},
        {"title": "Capítulo 2", "text": "Nadie sabía su nombre."},
    ]
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    with httpx.Client(base_url=api.base_url, headers=headers, timeout=30) as client:
        book = create_book(client, chapters=chapters)
        ids = job_ids(render(client, book["id"]))
        done = wait_for_book(client, book["id"], "succeeded")
        first, second = done["chapters"]
        assert first["duration_s"] > 0.5 and second["start_s"] == pytest.approx(first["duration_s"])
        assert done["audio_minutes_done"] > 0 and done["progress"] == 100
        audio = client.get(first["audio_url"])
        assert audio.status_code == 200 and audio.content[:4] == b"fLaC"
        assert client.get(f"/api/v1/jobs/{ids[0]}").json()["result"]["sample_rate"] == 44100
        assert client.get(second["captions_url"]).text.startswith("WEBVTT")
        assert read_book_events(client, book["id"])[-1]["event"] == "book.succeeded"

        client.patch(f"/api/v1/books/{book['id']}/chapters/2", json={"text": "Nadie sabía su apellido."})
        again = job_ids(render(client, book["id"]))
        assert again[0] == ids[0] and again[1] not in ids
        assert wait_for_book(client, book["id"], "succeeded")["chapters"][1]["job_id"] == again[1]
