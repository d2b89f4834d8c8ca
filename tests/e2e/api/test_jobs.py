import json
import socket

import httpx
import redis
from vocalio_shared.queue import ARQ_JOB_KEY_PREFIX, QUEUE_NAME, lane_of_score

from tests.e2e.api.conftest import new_key
from tests.e2e.api.flows import full_lifecycle, submit


def test_full_lifecycle_on_sqlite(admin: httpx.Client, worker_client: httpx.Client) -> None:
    full_lifecycle(admin, worker_client)


def test_jobs_enter_their_lane_of_the_queue(admin: httpx.Client, redis_url: str) -> None:
    ids = {priority: submit(admin, "Texto.", priority=priority)["id"] for priority in ("bulk", "normal", "high")}
    queue = redis.Redis.from_url(redis_url)
    for priority, job_id in ids.items():
        score = queue.zscore(QUEUE_NAME, job_id)
        assert score is not None and lane_of_score(score).value == priority
        # the queue payload: no attempt number (arq's job_try is the one), not streamed
        (spec,) = json.loads(queue.get(ARQ_JOB_KEY_PREFIX + job_id))["a"]
        assert "attempt" not in spec and spec["stream"] is False and spec["job_id"] == job_id


def test_stream_is_not_a_job_parameter(admin: httpx.Client) -> None:
    refused = admin.post("/api/v1/jobs", json={"text": "Hola.", "stream": True})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "VALIDATION_ERROR"
    job = submit(admin)
    assert "stream" not in job["params"]
    assert "stream" not in admin.get(f"/api/v1/jobs/{job['id']}").json()["params"]


def test_cancel_removes_a_queued_job_from_the_queue(admin: httpx.Client, redis_url: str) -> None:
    job = submit(admin)
    queue = redis.Redis.from_url(redis_url)
    assert queue.zscore(QUEUE_NAME, job["id"]) is not None
    assert admin.post(f"/api/v1/jobs/{job['id']}/cancel").json()["status"] == "cancelled"
    assert queue.zscore(QUEUE_NAME, job["id"]) is None


def test_list_filters_and_paginates_without_gaps(admin: httpx.Client) -> None:
    created = [submit(admin, f"Frase {i}.", priority="bulk" if i % 2 else "normal")["id"] for i in range(7)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, "priority": "bulk"} | ({"cursor": cursor} if cursor else {})
        page = admin.get("/api/v1/jobs", params=params).json()
        seen += [item["id"] for item in page["items"]]
        assert all(item["priority"] == "bulk" for item in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    expected = [job_id for i, job_id in enumerate(created) if i % 2][::-1]
    assert seen == expected
    assert admin.get("/api/v1/jobs", params={"status": "succeeded"}).json()["items"] == []


def test_idempotency_key_replays_and_conflicts(admin: httpx.Client) -> None:
    headers = {"Idempotency-Key": "chapter-1"}
    first = admin.post("/api/v1/jobs", json={"text": "Capítulo uno."}, headers=headers)
    again = admin.post("/api/v1/jobs", json={"text": "Capítulo uno."}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    conflict = admin.post("/api/v1/jobs", json={"text": "Capítulo dos."}, headers=headers)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"
    assert len(admin.get("/api/v1/jobs").json()["items"]) == 1


def test_clients_only_see_their_own_jobs(admin: httpx.Client, api) -> None:  # type: ignore[no-untyped-def]
    mine = submit(admin)
    other_key = new_key(admin)
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {other_key}"}) as other:
        assert other.get(f"/api/v1/jobs/{mine['id']}").status_code == 404
        assert other.get("/api/v1/jobs").json()["items"] == []
        assert other.post(f"/api/v1/jobs/{mine['id']}/cancel").status_code == 404


def test_validation_errors_use_the_error_shape(admin: httpx.Client) -> None:
    response = admin.post("/api/v1/jobs", json={"text": "Hola", "sample_rate": 8000, "nfe_step": 100, "bogus": 1})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and error["category"] == "VALIDATION"
    assert error["recoverable"] is False and error["retry_suggested"] is False
    fields = {item["field"] for item in error["context"]["fields"]}
    assert {"body.sample_rate", "body.nfe_step", "body.bogus"} <= fields
    malformed = admin.post("/api/v1/jobs", content=b"{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 422 and malformed.json()["error"]["code"] == "VALIDATION_ERROR"


def test_oversize_text_and_body_are_refused_and_nothing_is_stored(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_MAX_TEXT_CHARS": "1000", "VOCALIO_MAX_BODY_BYTES": "4096"})
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}) as admin:
        too_long = admin.post("/api/v1/jobs", json={"text": "a" * 1001})
        assert too_long.status_code == 413
        assert too_long.json()["error"]["code"] == "TEXT_TOO_LONG"
        assert too_long.json()["error"]["context"]["max_text_chars"] == 1000
        too_big = admin.post("/api/v1/jobs", json={"text": "a" * 500, "metadata": {"x": "y" * 5000}})
        assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "BODY_TOO_LARGE"

        def chunked():  # type: ignore[no-untyped-def]
            yield b'{"text": "'
            for _ in range(10):
                yield b"a" * 1000
            yield b'"}'

        streamed = admin.post("/api/v1/jobs", content=chunked(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "BODY_TOO_LARGE"
        assert admin.get("/api/v1/jobs").json()["items"] == []
        key_id = admin.get("/api/v1/me").json()["id"]
        assert admin.get(f"/api/v1/keys/{key_id}/usage").json()["total_characters"] == 0
        assert admin.post("/api/v1/jobs", json={"text": "a" * 1000}).status_code == 202


def http_exchange(base_url: str, head: bytes, body_parts: list[bytes]) -> bytes:
    """One raw HTTP/1.1 exchange: the whole request is sent before the answer is read, as a naive
    client does; a reset would raise ConnectionResetError."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as connection:
        connection.sendall(head)
        for part in body_parts:
            connection.sendall(part)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_a_body_over_the_limit_sent_without_expect_gets_the_413_not_a_reset(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_MAX_BODY_BYTES": "4096"})
    auth = f"Authorization: Bearer {api.admin_key}\r\n".encode()
    body = b'{"text": "' + b"a" * 5_000_000 + b'"}'
    declared = b"POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth
    answer = http_exchange(api.base_url, declared + f"Content-Length: {len(body)}\r\n\r\n".encode(), [body])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"BODY_TOO_LARGE"' in answer

    pieces = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    chunked = [f"{len(piece):x}\r\n".encode() + piece + b"\r\n" for piece in pieces] + [b"0\r\n\r\n"]
    streamed = declared + b"Transfer-Encoding: chunked\r\n\r\n"
    answer = http_exchange(api.base_url, streamed, chunked)
    assert answer.startswith(b"HTTP/1.1 413") and b'"BODY_TOO_LARGE"' in answer, answer[:200]


def test_texts_with_nothing_to_say_and_oversized_metadata_are_refused(admin: httpx.Client) -> None:
    for text in ("\x00" * 50, "hola\x00mundo", "... ¡¿?! —", " \u200b "):
        refused = admin.post("/api/v1/jobs", json={"text": text})
        assert refused.status_code == 422, (text, refused.text)
        assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    big = admin.post("/api/v1/jobs", json={"text": "Hola.", "metadata": {"notes": "x" * 20_000}})
    assert big.status_code == 422 and "16384 bytes" in big.text
    assert admin.get("/api/v1/jobs").json()["items"] == []
    fine = admin.post("/api/v1/jobs", json={"text": "Línea uno.\n\tLínea dos.\r\n", "metadata": {"n": "x" * 1000}})
    assert fine.status_code == 202, fine.text


def test_health_ready_and_metrics(api, admin: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    submit(admin, priority="bulk")
    ready = httpx.get(f"{api.base_url}/ready").json()
    assert ready["checks"] == {"database": "ok", "redis": "ok"}
    text = httpx.get(f"{api.base_url}/metrics").text
    assert 'vocalio_queue_depth{lane="bulk"} 1.0' in text
    assert 'vocalio_jobs{status="queued"} 1.0' in text
    assert 'vocalio_http_requests_total{method="POST",route="/api/v1/jobs",status="202"} 1.0' in text
    assert "vocalio_http_request_duration_seconds_bucket" in text
