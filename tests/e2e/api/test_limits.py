"""Per-key limits as one admission step: what a refused submission counts (nothing), with and
without the key cache, and the queue entry and announcement written in the same round trip."""

import time

import httpx
import redis
from vocalio_shared.queue import QUEUE_NAME

from tests.e2e.api.conftest import new_key

CHARS_COUNTER = "vocalio:rate:chars:{key_id}:{day}"


def chars_counted(redis_url: str, key_id: str) -> int:
    counter = CHARS_COUNTER.format(key_id=key_id, day=int(time.time() // 86_400))
    return int(redis.Redis.from_url(redis_url).get(counter) or 0)


def test_submissions_refused_for_other_reasons_count_no_characters(api, admin: httpx.Client, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    key = new_key(admin, rate_chars_per_day=20)
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {key}"}) as client:
        key_id = client.get("/api/v1/me").json()["id"]
        refused = [
            client.post("/api/v1/jobs", json={"text": "a" * 15, "voice": "no-such-voice"}),
            client.post("/api/v1/jobs", json={"text": "a" * 15, "sample_rate": 12345}),
            client.post("/api/v1/jobs", json={"text": "a" * 15, "callback_url": "http://127.0.0.1:1/hook"}),
            client.post("/api/v1/jobs", content=b"{not json", headers={"Content-Type": "application/json"}),
        ]
        assert [r.status_code for r in refused] == [422, 422, 422, 422]
        assert refused[0].json()["error"]["code"] == "UNKNOWN_VOICE"
        assert chars_counted(redis_url, key_id) == 0

        headers = {"Idempotency-Key": "chapter-1"}
        assert client.post("/api/v1/jobs", json={"text": "a" * 15}, headers=headers).status_code == 202
        replay = client.post("/api/v1/jobs", json={"text": "a" * 15}, headers=headers)  # over quota: still replayed
        assert replay.status_code == 202 and replay.headers["Idempotent-Replayed"] == "true"
        conflict = client.post("/api/v1/jobs", json={"text": "b" * 2}, headers=headers)
        assert conflict.status_code == 409
        assert chars_counted(redis_url, key_id) == 15

        over = client.post("/api/v1/jobs", json={"text": "c" * 6})
        assert over.status_code == 429 and over.json()["error"]["code"] == "QUOTA_EXCEEDED"
        assert over.json()["error"]["context"]["requested"] == 6 and int(over.headers["Retry-After"]) > 0
        assert client.post("/api/v1/jobs", json={"text": "d" * 5}).status_code == 202  # exactly the quota
    assert chars_counted(redis_url, key_id) == 20
    assert admin.get(f"/api/v1/keys/{key_id}/usage").json()["total_characters"] == 20


def test_rate_limited_submissions_count_no_characters(api, admin: httpx.Client, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    key = new_key(admin, rate_requests_per_min=3)
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {key}"}) as client:
        key_id = client.get("/api/v1/me").json()["id"]
        codes = [client.post("/api/v1/jobs", json={"text": "hola"}).status_code for _ in range(4)]
    assert codes == [202, 202, 429, 429]  # GET /me was the first request of the minute
    assert chars_counted(redis_url, key_id) == 4 * codes.count(202)


def test_limits_and_revocation_hold_without_the_key_cache(api_factory, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_KEY_CACHE_TTL_S": "0"})
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}) as admin:
        key = new_key(admin, rate_chars_per_day=20, rate_requests_per_min=6)
        with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {key}"}) as client:
            key_id = client.get("/api/v1/me").json()["id"]
            assert client.post("/api/v1/jobs", json={"text": "a" * 15}).status_code == 202
            over = client.post("/api/v1/jobs", json={"text": "b" * 10})
            assert over.status_code == 429 and over.json()["error"]["code"] == "QUOTA_EXCEEDED"
            assert chars_counted(redis_url, key_id) == 15
            responses = [client.get("/api/v1/me") for _ in range(4)]
            limited = [r for r in responses if r.status_code == 429]
            assert limited and limited[-1].json()["error"]["code"] == "RATE_LIMITED"
            assert 1 <= int(limited[-1].headers["Retry-After"]) <= 61
            assert admin.post(f"/api/v1/keys/{key_id}/revoke").status_code == 200
            assert client.get("/api/v1/me").status_code == 401


def test_submission_enqueues_and_announces_in_one_step(api, admin: httpx.Client, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    listener = redis.Redis.from_url(redis_url).pubsub()
    listener.subscribe("vocalio:events:all")
    assert listener.get_message(timeout=5)["type"] == "subscribe"  # type: ignore[index]
    job = admin.post("/api/v1/jobs", json={"text": "Hola.", "priority": "high"}).json()
    message = listener.get_message(timeout=5)
    assert message is not None and message["data"] == f"{job['id']}:1".encode()
    queue = redis.Redis.from_url(redis_url)
    assert queue.zscore(QUEUE_NAME, job["id"]) is not None
    assert queue.pttl(f"arq:job:{job['id']}") > 6 * 86_400_000
    listener.close()
