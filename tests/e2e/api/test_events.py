import json
import threading

import httpx
from httpx_sse import connect_sse

from tests.e2e.api.flows import post_status, submit


def read_events(client: httpx.Client, job_id: str, count: int, last_event_id: str | None = None) -> list[dict]:
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    events = []
    with connect_sse(client, "GET", f"/api/v1/jobs/{job_id}/events", headers=headers, timeout=20) as source:
        for sse in source.iter_sse():
            events.append({"id": sse.id, "event": sse.event, "data": json.loads(sse.data)})
            if len(events) == count:
                break
    return events


def test_stream_delivers_live_events_and_ends_at_a_terminal_one(admin: httpx.Client, worker_client) -> None:  # type: ignore[no-untyped-def]
    job = submit(admin)
    received: list[dict] = []
    reader = threading.Thread(target=lambda: received.extend(read_events(admin, job["id"], 99)))
    reader.start()
    post_status(worker_client, job["id"], "preparing")
    post_status(worker_client, job["id"], "synthesizing", progress=30)
    admin.post(f"/api/v1/jobs/{job['id']}/cancel")
    post_status(worker_client, job["id"], "cancelled", progress=30)
    reader.join(timeout=20)
    assert not reader.is_alive(), "stream did not end after the terminal event"
    assert [e["event"] for e in received] == [
        "job.created",
        "job.status",
        "job.status",
        "job.cancel_requested",
        "job.cancelled",
    ]
    assert [int(e["id"]) for e in received] == [1, 2, 3, 4, 5]
    assert received[2]["data"]["progress"] == 30


def test_resume_with_last_event_id_after_api_restart(api, admin: httpx.Client, worker_client) -> None:  # type: ignore[no-untyped-def]
    job = submit(admin)
    post_status(worker_client, job["id"], "preparing")
    first = read_events(admin, job["id"], 2)
    assert [e["id"] for e in first] == ["1", "2"]

    api.stop()
    api.start()  # same data dir, same database: nothing forgotten
    post_status(worker_client, job["id"], "synthesizing", progress=10)
    post_status(worker_client, job["id"], "synthesizing", progress=60)

    resumed = read_events(admin, job["id"], 2, last_event_id=first[-1]["id"])
    assert [e["id"] for e in resumed] == ["3", "4"]
    assert [e["data"]["progress"] for e in resumed] == [10, 60]
    via_query = admin.get(f"/api/v1/jobs/{job['id']}/events/history", params={"after": 3}).json()
    assert [e["seq"] for e in via_query] == [4]
