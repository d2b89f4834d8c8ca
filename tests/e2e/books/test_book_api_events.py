"""A book's event stream: the job stream's conventions (ids = seq, names = types, Last-Event-ID),
chapter events from the chapter jobs' own transitions, and the book's own when its status changes."""

import json
import threading
import time

import httpx
import redis
from httpx_sse import connect_sse
from vocalio_shared.queue import BOOK_EVENTS_CHANNEL_PREFIX

from tests.e2e.api.flows import post_status
from tests.e2e.books.flows import create_book, finish_chapter_job


def read_book_events(client: httpx.Client, book_id: str, last_event_id: str | None = None) -> list[dict]:
    """Until the stream ends (after a settling event with nothing newer)."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    with connect_sse(client, "GET", f"/api/v1/books/{book_id}/events", headers=headers, timeout=60) as source:
        return [{"id": sse.id, "event": sse.event, "data": json.loads(sse.data)} for sse in source.iter_sse()]


def test_the_stream_follows_a_render_to_the_end(api, admin: httpx.Client, worker_client: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    book = create_book(admin, settings={"voice": "espeak:es"})
    received: list[dict] = []
    reader = threading.Thread(target=lambda: received.extend(read_book_events(admin, book["id"])))
    reader.start()
    rendered = admin.post(f"/api/v1/books/{book['id']}/render").json()
    ids = [chapter["job_id"] for chapter in rendered["chapters"]]
    assert post_status(worker_client, ids[0], "synthesizing", progress=20).json()["accepted"]
    for job_id in ids:
        finish_chapter_job(worker_client, job_id)
    reader.join(timeout=60)
    assert not reader.is_alive(), "the stream did not end after book.succeeded"

    assert [int(e["id"]) for e in received] == list(range(1, len(received) + 1))
    assert [e["data"]["seq"] for e in received] == [int(e["id"]) for e in received]
    types = [e["event"] for e in received]
    assert types[:6] == [
        "book.created",
        "book.render_started",
        "chapter.queued",
        "book.status",  # draft → queued
        "chapter.queued",
        "chapter.queued",
    ]
    assert types[-1] == "book.succeeded" and received[-1]["data"]["progress"] == 100
    assert types.count("chapter.succeeded") == 3
    assert received[1]["data"]["data"]["chapters"] == [c["id"] for c in rendered["chapters"]]
    first_progress = next(e for e in received if e["event"] == "chapter.status")
    assert first_progress["data"]["chapter_id"] == rendered["chapters"][0]["id"]
    assert first_progress["data"]["data"]["number"] == 1 and first_progress["data"]["data"]["progress"] == 20
    assert first_progress["data"]["status"] == "synthesizing"  # the book's status at that moment
    finished = [e["data"] for e in received if e["event"] == "chapter.succeeded"]
    assert [f["data"]["number"] for f in finished] == [1, 2, 3]
    assert [f["data"]["job_id"] for f in finished] == ids
    progress = [e["data"]["progress"] for e in received]
    assert progress == sorted(progress), "the book's progress never goes back during a render"

    # Resumable: after Last-Event-ID, exactly the rest; a settled book's stream ends at once.
    rest = read_book_events(admin, book["id"], last_event_id="3")
    assert [e["id"] for e in rest] == [e["id"] for e in received[3:]]
    history = admin.get(f"/api/v1/books/{book['id']}/events/history", params={"after": 4, "limit": 2}).json()
    assert [e["seq"] for e in history] == [5, 6]
    assert "Traceback" not in api.logs()


def test_edits_and_a_pause_are_events_too(admin: httpx.Client, worker_client: httpx.Client) -> None:
    book = create_book(admin, settings={"voice": "espeak:es"})
    url = f"/api/v1/books/{book['id']}"
    admin.patch(f"{url}/chapters/1", json={"title": "Uno"})
    ids = [c["job_id"] for c in admin.post(f"{url}/render").json()["chapters"]]
    assert post_status(worker_client, ids[0], "synthesizing", progress=10).json()["accepted"]
    admin.post(f"{url}/pause")
    post_status(worker_client, ids[0], "cancelled", progress=10)
    events = read_book_events(admin, book["id"])
    types = [e["event"] for e in events]
    assert types[1] == "book.edited" and events[1]["data"]["data"]["fields"] == ["title"]
    assert types.count("chapter.cancelled") == 3 and "chapter.cancel_requested" in types
    assert types[-1] == "book.paused" and events[-1]["data"]["status"] == "paused"


def test_each_event_is_announced_on_redis_once_committed(admin: httpx.Client, redis_url: str) -> None:
    """The wake-up call of the stream (it also polls): the book's channel carries the new seq."""
    book = create_book(admin)
    client = redis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    try:
        pubsub.subscribe(BOOK_EVENTS_CHANNEL_PREFIX + book["id"])
        assert pubsub.get_message(timeout=5)["type"] == "subscribe"
        assert admin.patch(f"/api/v1/books/{book['id']}", json={"metadata": {"genre": "Novela"}}).status_code == 200
        deadline = time.monotonic() + 20
        message = None
        while message is None and time.monotonic() < deadline:
            message = pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
        assert message is not None and message["data"] == b"2"  # book.created was 1, book.edited is 2
    finally:
        pubsub.close()
        client.close()
