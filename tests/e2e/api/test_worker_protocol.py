import time

import httpx

from tests.e2e.api.flows import WORKER_ID, complete_job, post_status, result_for, submit, upload

REGISTRATION = {
    "worker_id": WORKER_ID,
    "worker_type": "tts",
    "capabilities": {
        "models": ["espeak"],
        "languages": ["es"],
        "regional_variants": ["neutral", "rioplatense"],
        "gpu_info": [],
        "max_concurrent_jobs": 2,
        "supported_sample_rates": [16000, 24000],
    },
    "host": "worker-1.internal",
    "port": 9100,
    "version": "0.1.0",
}


def heartbeat(worker: httpx.Client, status: str, **metrics: float) -> httpx.Response:
    return worker.post(f"/api/v1/workers/{WORKER_ID}/heartbeat", json={"status": status, "metrics": metrics})


def test_protocol_round_trip_and_lost_after_three_silent_intervals(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_HEARTBEAT_INTERVAL_S": "0.5"})
    auth = {"Authorization": f"Bearer {api.worker_token}"}
    with (
        httpx.Client(base_url=api.base_url, headers=auth) as worker,
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}) as operator,
    ):
        registered = worker.post("/api/v1/workers", json=REGISTRATION)
        assert registered.status_code == 201
        assert registered.json() == {"worker_id": WORKER_ID, "heartbeat_interval_s": 0.5, "state": "INITIALIZING"}

        answer = heartbeat(worker, "IDLE", cpu_percent=12.5, active_jobs=0).json()
        assert answer == {
            "next_interval_s": 0.5,
            "command": None,
            "pending_job": None,  # the pull mode's fields: a push worker asks for nothing
            "lost_job_ids": [],
            "cancel_job_ids": [],
        }
        listed = operator.get("/api/v1/workers").json()["items"][0]
        assert listed["state"] == "IDLE" and listed["capabilities"]["max_concurrent_jobs"] == 2
        assert listed["metrics"]["cpu_percent"] == 12.5

        assert operator.post(f"/api/v1/workers/{WORKER_ID}/drain").status_code == 202
        assert heartbeat(worker, "BUSY").json()["command"] == "drain"
        assert heartbeat(worker, "BUSY").json()["command"] == "drain"  # until obeyed
        assert heartbeat(worker, "DRAINING").json()["command"] is None
        assert operator.get(f"/api/v1/workers/{WORKER_ID}").json()["state"] == "DRAINING"

        assert operator.post(f"/api/v1/workers/{WORKER_ID}/resume").status_code == 202
        assert heartbeat(worker, "DRAINING").json()["command"] == "resume"
        assert heartbeat(worker, "IDLE").json()["command"] is None

        assert worker.delete(f"/api/v1/workers/{WORKER_ID}").status_code == 204
        assert operator.get(f"/api/v1/workers/{WORKER_ID}").json()["state"] == "SHUTDOWN"
        assert heartbeat(worker, "IDLE").status_code == 404  # must register again

        worker.post("/api/v1/workers", json=REGISTRATION)
        heartbeat(worker, "IDLE")
        deadline = time.monotonic() + 10
        state = "IDLE"
        while time.monotonic() < deadline and state != "LOST":
            time.sleep(0.25)
            state = operator.get(f"/api/v1/workers/{WORKER_ID}").json()["state"]
        assert state == "LOST"
        assert heartbeat(worker, "IDLE").json()["command"] is None  # a lost worker that comes back revives
        assert operator.get(f"/api/v1/workers/{WORKER_ID}").json()["state"] == "IDLE"


def test_worker_routes_need_the_worker_token(api) -> None:  # type: ignore[no-untyped-def]
    assert httpx.post(f"{api.base_url}/api/v1/workers", json=REGISTRATION).status_code == 401
    wrong = httpx.post(f"{api.base_url}/api/v1/workers", json=REGISTRATION, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403


def test_scaling_signal_counts_pending_per_live_worker(admin: httpx.Client, worker_client: httpx.Client) -> None:
    for priority in ("high", "bulk", "bulk"):
        submit(admin, priority=priority)
    signal = admin.get("/api/v1/scaling").json()
    assert signal["pending_jobs"] == 3 and signal["live_workers"] == 0 and signal["pending_per_live_worker"] is None
    worker_client.post("/api/v1/workers", json=REGISTRATION)
    heartbeat(worker_client, "IDLE")
    signal = admin.get("/api/v1/scaling").json()
    assert signal["pending_by_lane"] == {"high": 1, "normal": 0, "bulk": 2}
    assert signal["pending_per_live_worker"] == 3.0


def test_uploads_are_checked_and_only_the_current_attempt_wins(
    admin: httpx.Client, worker_client: httpx.Client
) -> None:
    job = submit(admin)
    payload = b"audio-bytes" * 100
    assert post_status(worker_client, job["id"], "preparing").json()["accepted"]
    bad = upload(worker_client, job["id"], payload, sha="0" * 64)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "UPLOAD_CHECKSUM_MISMATCH"
    early = post_status(worker_client, job["id"], "succeeded", result=result_for(payload))
    assert early.status_code == 409 and early.json()["error"]["code"] == "AUDIO_NOT_READY"

    # a second attempt (the first worker died) takes over; the first one's updates are refused
    assert post_status(worker_client, job["id"], "preparing", attempt=2).json()["accepted"]
    assert post_status(worker_client, job["id"], "synthesizing", attempt=1).json()["accepted"] is False
    assert upload(worker_client, job["id"], payload, attempt=1).status_code == 409
    assert upload(worker_client, job["id"], payload, attempt=2).status_code == 201
    done = post_status(worker_client, job["id"], "succeeded", attempt=2, result=result_for(payload))
    assert done.json()["accepted"]
    # a repeated final update (answer lost) is accepted without a second event
    assert post_status(worker_client, job["id"], "succeeded", attempt=2, result=result_for(payload)).json()["accepted"]
    events = admin.get(f"/api/v1/jobs/{job['id']}/events/history").json()
    assert [e["type"] for e in events].count("job.succeeded") == 1
    assert upload(worker_client, job["id"], payload, attempt=2).status_code == 409  # terminal: no overwrite
    assert admin.get(f"/api/v1/jobs/{job['id']}").json()["attempts"] == 2


def test_the_transition_table_is_enforced_over_http(admin: httpx.Client, worker_client: httpx.Client) -> None:
    job = submit(admin)
    assert post_status(worker_client, job["id"], "synthesizing", progress=30).json()["accepted"]
    back = post_status(worker_client, job["id"], "preparing")  # same attempt, a stage back
    assert back.status_code == 409 and back.json()["error"]["code"] == "INVALID_STATE"
    assert back.json()["error"]["context"] == {"status": "synthesizing", "to": "preparing"}
    # a newer attempt starts over from queued (its predecessor's retry report may be lost)
    assert post_status(worker_client, job["id"], "preparing", attempt=2).json()["accepted"]
    events = admin.get(f"/api/v1/jobs/{job['id']}/events/history").json()
    assert [e["type"] for e in events] == ["job.created", "job.status", "job.status"]
    assert events[-1]["data"] == {"attempt": 2, "worker_id": WORKER_ID}
    assert worker_client.get(f"/api/v1/jobs/{job['id']}/spec").status_code in (404, 405)  # removed route


def test_upload_over_the_limit_is_refused_without_keeping_bytes(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_MAX_UPLOAD_BYTES": "2048"})
    with (
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.worker_token}"}) as worker,
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}) as admin,
    ):
        job = submit(admin)

        def stream():  # type: ignore[no-untyped-def]
            for _ in range(10):
                yield b"x" * 1000

        headers = {"X-Worker-Id": WORKER_ID, "X-Job-Attempt": "1", "X-Audio-Sha256": "a" * 64}
        refused = worker.put(f"/api/v1/jobs/{job['id']}/audio", content=stream(), headers=headers)
        assert refused.status_code == 413 and refused.json()["error"]["code"] == "UPLOAD_TOO_LARGE"
        audio_dir = api.data_dir / "audio"
        assert not audio_dir.exists() or list(audio_dir.iterdir()) == []


def test_cancel_of_a_running_job_is_delivered_to_its_worker(
    admin: httpx.Client, worker_client: httpx.Client, redis_url: str
) -> None:
    import redis
    from vocalio_shared.queue import ARQ_IN_PROGRESS_KEY_PREFIX, CANCEL_KEY_PREFIX

    job = submit(admin)
    queue = redis.Redis.from_url(redis_url)
    queue.set(ARQ_IN_PROGRESS_KEY_PREFIX + job["id"], b"1")  # as arq marks a job a worker has taken
    assert post_status(worker_client, job["id"], "synthesizing", progress=40).json()["accepted"]
    answer = admin.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert answer.status_code == 202 and answer.json()["status"] == "synthesizing"
    assert answer.json()["cancel_requested"] is True
    assert queue.get(CANCEL_KEY_PREFIX + job["id"]) == b"1"
    ack = post_status(worker_client, job["id"], "synthesizing", progress=50).json()
    assert ack["cancel_requested"] is True
    assert post_status(worker_client, job["id"], "cancelled", progress=50).json()["accepted"]
    assert admin.get(f"/api/v1/jobs/{job['id']}").json()["status"] == "cancelled"


def test_complete_job_helper_runs_against_a_fresh_api(admin: httpx.Client, worker_client: httpx.Client) -> None:
    job = submit(admin, output_format="flac")
    complete_job(worker_client, job["id"], b"fLaC" + b"\x00" * 100)
    audio = admin.get(f"/api/v1/jobs/{job['id']}/audio")
    assert audio.headers["content-type"] == "audio/flac"
    assert 'filename="' in audio.headers["content-disposition"]
