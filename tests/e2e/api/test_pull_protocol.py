"""The pull half of the worker protocol over HTTP against a real API and Redis: jobs leased in
heartbeat answers, leases renewed by heartbeats, lapsed leases re-given as the next attempt, and the
older attempt fenced out of the result."""

import time

import httpx

from tests.e2e.api.flows import post_status, result_for, submit, upload
from tests.e2e.api.test_worker_protocol import REGISTRATION

INTERVAL_S = 0.5
LEASE_TTL_S = 1.0


def register(worker: httpx.Client, worker_id: str) -> None:
    response = worker.post("/api/v1/workers", json=REGISTRATION | {"worker_id": worker_id})
    assert response.status_code == 201, response.text


def pull_beat(worker: httpx.Client, worker_id: str, wants: int = 1, wait_s: float = 0.0, **extra: object) -> dict:
    body = {"status": "IDLE", "wants_jobs": wants, "wait_s": wait_s} | extra
    response = worker.post(f"/api/v1/workers/{worker_id}/heartbeat", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_lease_renew_lapse_fence_and_release(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_HEARTBEAT_INTERVAL_S": str(INTERVAL_S), "VOCALIO_JOB_LEASE_TTL_S": str(LEASE_TTL_S)})
    auth = {"Authorization": f"Bearer {api.worker_token}"}
    with (
        httpx.Client(base_url=api.base_url, headers=auth, timeout=10) as worker,
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}) as client,
    ):
        register(worker, "pull-a")
        register(worker, "pull-b")
        # nothing queued: a long poll is held (capped by the interval), then answers empty
        started = time.monotonic()
        empty = pull_beat(worker, "pull-a", wait_s=5)
        assert empty["pending_job"] is None and INTERVAL_S * 0.8 <= time.monotonic() - started < 3

        job_id = submit(client, "Hola desde la cola.", output_format="wav")["id"]
        given = pull_beat(worker, "pull-a")["pending_job"]
        assert given["job_id"] == job_id and given["attempt"] == 1 and given["spec"]["text"] == "Hola desde la cola."
        assert given["status_path"] == f"/api/v1/jobs/{job_id}/status" and given["lease_ttl_s"] == LEASE_TTL_S
        assert pull_beat(worker, "pull-b")["pending_job"] is None  # never given twice
        assert post_status(worker, job_id, "preparing", progress=0, worker_id="pull-a").json()["accepted"]

        # renewed by heartbeats past the TTL: still held
        lease_a = {"leases": [{"job_id": job_id, "attempt": 1}]}
        for _ in range(4):
            time.sleep(LEASE_TTL_S / 2)
            assert pull_beat(worker, "pull-a", wants=0, **lease_a)["lost_job_ids"] == []
        assert pull_beat(worker, "pull-b")["pending_job"] is None

        # pull-a goes silent past the TTL: pull-b gets the job as attempt 2
        time.sleep(LEASE_TTL_S + 0.3)
        again = pull_beat(worker, "pull-b")["pending_job"]
        assert again["job_id"] == job_id and again["attempt"] == 2
        assert pull_beat(worker, "pull-a", wants=0, **lease_a)["lost_job_ids"] == [job_id]
        assert post_status(worker, job_id, "preparing", progress=0, worker_id="pull-b", attempt=2).json()["accepted"]

        # pull-a's late result and audio are refused; pull-b's win
        stale = b"RIFF" + b"\x01" * 400
        assert upload(worker, job_id, stale, attempt=1).status_code == 409
        late = post_status(worker, job_id, "succeeded", progress=100, worker_id="pull-a", result=result_for(stale))
        assert late.json()["accepted"] is False
        release = f"/api/v1/workers/pull-a/leases/{job_id}/release"
        assert worker.post(release, json={"attempt": 1, "outcome": "done"}).json() == {"released": False}

        fresh = b"RIFF" + b"\x02" * 400
        assert upload(worker, job_id, fresh, attempt=2).status_code == 201
        done = post_status(
            worker, job_id, "succeeded", progress=100, worker_id="pull-b", attempt=2, result=result_for(fresh)
        )
        assert done.json()["accepted"], done.text
        release = f"/api/v1/workers/pull-b/leases/{job_id}/release"
        assert worker.post(release, json={"attempt": 2, "outcome": "done"}).json() == {"released": True}
        assert client.get(f"/api/v1/jobs/{job_id}/audio").content == fresh
        time.sleep(LEASE_TTL_S + 0.3)
        assert pull_beat(worker, "pull-a")["pending_job"] is None  # finished: off the queue for good


def test_no_job_for_a_draining_worker_and_push_heartbeats_unchanged(api_factory) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_HEARTBEAT_INTERVAL_S": str(INTERVAL_S), "VOCALIO_JOB_LEASE_TTL_S": str(LEASE_TTL_S)})
    auth = {"Authorization": f"Bearer {api.worker_token}"}
    with (
        httpx.Client(base_url=api.base_url, headers=auth, timeout=10) as worker,
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}) as client,
    ):
        register(worker, "pull-a")
        job_id = submit(client, "Espera.")["id"]
        assert client.post("/api/v1/workers/pull-a/drain").status_code == 202
        drained = pull_beat(worker, "pull-a")
        assert drained["command"] == "drain" and drained["pending_job"] is None
        assert pull_beat(worker, "pull-a", status="DRAINING")["pending_job"] is None
        # a push worker's heartbeat (no wants_jobs, no leases) never takes a job off the queue
        push = worker.post("/api/v1/workers/pull-a/heartbeat", json={"status": "IDLE"}).json()
        assert push["pending_job"] is None and push["lost_job_ids"] == []
        assert client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "queued"
        assert client.post("/api/v1/workers/pull-a/resume").status_code == 202
        assert pull_beat(worker, "pull-a")["pending_job"]["job_id"] == job_id
