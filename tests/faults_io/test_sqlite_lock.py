"""The SQLite file locked by another process (a separate sqlite3 connection holding BEGIN
EXCLUSIVE, as a backup tool or a shell might): requests wait within the busy timeout; past it they
are answered 503 DATABASE_UNAVAILABLE in the one error shape with Retry-After, never a 500; a
client that retries with its Idempotency-Key gets exactly one job, and the worker's updates,
retried, land once the lock is gone. No job is lost or doubled."""

import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx

from tests.faults_io.conftest import SHORT_TEXT, SLOW_TEXT, admin_client, assert_ended_once, tally, wait_for

BUSY_TIMEOUT_S = 2.0

HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


def hold_lock(database: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process takes the write lock; returns once it holds it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(database), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def submit_retrying(client: httpx.Client, text: str, refusals: list[httpx.Response], key: str) -> str:
    """What a well-behaved client does: on 503, wait Retry-After and resend with the same key."""
    for _ in range(30):
        response = client.post("/api/v1/jobs", json={"text": text}, headers={"Idempotency-Key": key})
        if response.status_code == 202:
            return str(response.json()["id"])
        assert response.status_code == 503, response.text  # never a 500
        refusals.append(response)
        time.sleep(float(response.headers["retry-after"]))
    raise AssertionError("never accepted")


def test_locked_sqlite_file_waits_then_answers_503_and_loses_nothing(api_factory, worker_factory) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_SQLITE_BUSY_TIMEOUT_S": str(BUSY_TIMEOUT_S)})
    database = api.data_dir / "vocalio.db"
    worker_factory(api, "worker-1", batch_size="1", simulated_chunk_delay_s="0.5", progress_interval_s="0")
    jobs: list[str] = []
    with admin_client(api) as client:
        # 1. A lock shorter than the busy timeout: the request just waits and is accepted.
        short_lock_s = 0.75 * BUSY_TIMEOUT_S
        holder = hold_lock(database, short_lock_s)
        started = time.monotonic()
        response = client.post("/api/v1/jobs", json={"text": SHORT_TEXT})
        waited = time.monotonic() - started
        assert response.status_code == 202, response.text
        assert waited >= 0.2, f"the request should have waited for the lock ({waited:.2f} s)"
        holder.wait(10)
        jobs.append(response.json()["id"])

        # 2. A lock longer than the busy timeout, while a job is running and clients submit.
        running = client.post("/api/v1/jobs", json={"text": SLOW_TEXT}).json()["id"]
        jobs.append(running)
        wait_for(client, running, {"synthesizing"}, timeout_s=30)
        holder = hold_lock(database, 3 * BUSY_TIMEOUT_S)
        refusals: list[httpx.Response] = []
        accepted: list[str] = []
        keys = [str(uuid.uuid4()) for _ in range(3)]

        def one(key: str) -> None:
            with admin_client(api) as own:
                accepted.append(submit_retrying(own, SHORT_TEXT, refusals, key))

        openai: list[httpx.Response] = []

        def speech() -> None:  # the OpenAI-compatible route answers in OpenAI's shape, same code
            with admin_client(api) as own:
                body = {"model": "tts-1", "input": SHORT_TEXT, "voice": "alloy", "stream": False}
                openai.append(own.post("/v1/audio/speech", json=body))

        threads = [threading.Thread(target=one, args=(key,)) for key in keys] + [threading.Thread(target=speech)]
        for thread in threads:
            thread.start()
        probe = client.get(f"/api/v1/jobs/{running}")  # reads take the lock too (BEGIN IMMEDIATE)
        for thread in threads:
            thread.join(60)
        holder.wait(30)
        jobs.extend(accepted)

        assert probe.status_code == 503, probe.text
        assert refusals, "past the busy timeout the API must refuse, not hang"
        for refused in [probe, *refusals]:
            error = refused.json()["error"]
            assert error["code"] == "DATABASE_UNAVAILABLE" and error["recoverable"] and error["retry_suggested"]
            assert set(error) >= {"message", "category", "severity", "context"}
            assert int(refused.headers["retry-after"]) >= 1
        assert len(set(accepted)) == len(keys), accepted
        assert openai[0].status_code == 503, openai[0].text
        assert openai[0].json()["error"]["code"] == "DATABASE_UNAVAILABLE" and "retry-after" in openai[0].headers

        # Every job, the one running through the lock included, ends succeeded exactly once.
        for job_id in jobs:
            wait_for(client, job_id, timeout_s=90)
            assert_ended_once(client, job_id)
        listed = client.get("/api/v1/jobs", params={"limit": 100}).json()
        assert len(listed["items"]) == len(jobs), "an idempotent retry never makes a second job"
        assert "Traceback" not in api.logs()
        faults = [f"SQLite EXCLUSIVE lock {short_lock_s} s", f"SQLite EXCLUSIVE lock {3 * BUSY_TIMEOUT_S} s"]
        tally("sqlite_lock", faults, client, jobs)
