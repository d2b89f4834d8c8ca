"""Whole flows through the API over HTTP, shared by the SQLite and PostgreSQL suites."""

import hashlib

import httpx

WORKER_ID = "worker-test-1"


def submit(client: httpx.Client, text: str = "Hola, ¿cómo estás?", **fields: object) -> dict:
    response = client.post("/api/v1/jobs", json={"text": text, **fields})
    assert response.status_code == 202, response.text
    return response.json()


def post_status(worker: httpx.Client, job_id: str, status: str, **fields: object) -> httpx.Response:
    body = {"worker_id": WORKER_ID, "status": status, "attempt": 1} | fields
    return worker.post(f"/api/v1/jobs/{job_id}/status", json=body)


def upload(
    worker: httpx.Client, job_id: str, payload: bytes, attempt: int = 1, sha: str | None = None
) -> httpx.Response:
    headers = {
        "X-Worker-Id": WORKER_ID,
        "X-Job-Attempt": str(attempt),
        "X-Audio-Sha256": sha or hashlib.sha256(payload).hexdigest(),
        "Content-Type": "application/octet-stream",
    }
    return worker.put(f"/api/v1/jobs/{job_id}/audio", content=payload, headers=headers)


def result_for(payload: bytes, output_format: str = "wav") -> dict:
    return {
        "duration_s": 1.5,
        "sample_rate": 24000,
        "channels": 1,
        "format": output_format,
        "size_bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }


def complete_job(worker: httpx.Client, job_id: str, payload: bytes) -> None:
    """What a worker does: stages with progress, upload, then success with the result."""
    assert post_status(worker, job_id, "preparing", progress=0).json()["accepted"]
    assert post_status(worker, job_id, "synthesizing", progress=30, stage="chunk 1/2").json()["accepted"]
    assert post_status(worker, job_id, "synthesizing", progress=50, stage="chunk 1/2").json()["accepted"]
    assert post_status(worker, job_id, "encoding", progress=70).json()["accepted"]
    assert upload(worker, job_id, payload).status_code == 201
    done = post_status(
        worker,
        job_id,
        "succeeded",
        progress=100,
        result=result_for(payload),
        metrics={"latency_ms": 12.5, "detected_region": "neutral"},
    )
    assert done.status_code == 200 and done.json()["accepted"], done.text


def full_lifecycle(client: httpx.Client, worker: httpx.Client) -> None:
    """create → get → list → progress → audio → download with Range → events; and cancel."""
    job = submit(client, "Había una vez un libro.", output_format="wav", priority="high")
    fetched = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert fetched["status"] == "queued" and fetched["priority"] == "high"
    assert job["id"] in [item["id"] for item in client.get("/api/v1/jobs").json()["items"]]

    payload = b"RIFF" + bytes(range(256)) * 40
    complete_job(worker, job["id"], payload)
    done = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert done["status"] == "succeeded" and done["progress"] == 100
    assert done["result"]["sha256"] == hashlib.sha256(payload).hexdigest()
    assert done["metrics"]["latency_ms"] == 12.5

    audio = client.get(f"/api/v1/jobs/{job['id']}/audio")
    assert audio.status_code == 200 and audio.content == payload
    assert audio.headers["content-type"] == "audio/wav"
    part = client.get(f"/api/v1/jobs/{job['id']}/audio", headers={"Range": "bytes=4-13"})
    assert part.status_code == 206 and part.content == payload[4:14]
    assert part.headers["content-range"] == f"bytes 4-13/{len(payload)}"

    events = client.get(f"/api/v1/jobs/{job['id']}/events/history").json()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    types = [e["type"] for e in events]
    assert types[0] == "job.created" and types[-1] == "job.succeeded"
    assert "job.progress" in types

    other = submit(client, "Otro texto.")
    cancelled = client.post(f"/api/v1/jobs/{other['id']}/cancel")
    assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/jobs/{other['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "INVALID_STATE"
    # the cancelled job's worker updates are refused
    assert post_status(worker, other["id"], "preparing").json()["accepted"] is False
