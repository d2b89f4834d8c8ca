"""PostgreSQL restarted mid-load (a real server from `pgserver`, stopped with `pg_ctl -m fast` for
a few seconds, then started again): while it is down, requests are answered 503
DATABASE_UNAVAILABLE with Retry-After (never a 500) and the worker's updates are retried; once it
is back, the same API process (no restart of its own: stale pooled connections are pinged and
replaced) takes every request again, and every job submitted before, during and after the outage
ends succeeded exactly once."""

import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults_io.conftest import SHORT_TEXT, admin_client, assert_ended_once, get_job, tally, wait_for, wait_until

pytestmark = pytest.mark.postgres

OUTAGE_S = 4.0


class Postgres:
    """A PostgreSQL of this test's own (the suite's shared one must not go away under other tests)."""

    def __init__(self, pgdata: Path) -> None:
        import pgserver

        self.server = pgserver.get_server(pgdata, cleanup_mode="stop")

    def url(self, database: str) -> str:
        base, _, query = self.server.get_uri().partition("?")
        return f"{base.rsplit('/', 1)[0]}/{database}" + (f"?{query}" if query else "")

    def stop(self) -> None:
        import psutil

        # SIGINT is PostgreSQL's "fast" shutdown: every open connection is cut at once, as a crash or
        # an operator's restart would. (pg_ctl, run as pgserver's system user, may not reach pgdata.)
        postmaster = psutil.Process(self.server.get_pid())
        postmaster.send_signal(signal.SIGINT)
        postmaster.wait(30)

    def start(self) -> None:
        self.server.ensure_postgres_running()


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    import psycopg

    # Not under pytest's basetemp: pytest makes /tmp/pytest-of-<user> 0700 whenever any run starts,
    # and pgserver's own system user must still reach pgdata to start the server again.
    pgdata = Path(tempfile.mkdtemp(prefix="vocalio-pg-restart-"))
    server = Postgres(pgdata)
    try:
        with psycopg.connect(server.server.get_uri(), autocommit=True) as connection:
            connection.execute("CREATE DATABASE vocalio_restart")
        yield server
    finally:
        server.server.cleanup()
        shutil.rmtree(pgdata, ignore_errors=True)


def submit_retrying(client: httpx.Client, refusals: list[int]) -> str:
    """A client that honours 503 + Retry-After and resends with the same Idempotency-Key."""
    key = str(uuid.uuid4())
    for _ in range(60):
        response = client.post("/api/v1/jobs", json={"text": SHORT_TEXT}, headers={"Idempotency-Key": key})
        if response.status_code == 202:
            return str(response.json()["id"])
        assert response.status_code == 503, response.text
        error = response.json()["error"]
        assert error["code"] == "DATABASE_UNAVAILABLE" and error["recoverable"], error
        refusals.append(response.status_code)
        time.sleep(min(1.0, float(response.headers["retry-after"])))
    raise AssertionError("never accepted")


def test_postgres_restart_mid_load(postgres: Postgres, api_factory, worker_factory) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_DATABASE_URL": postgres.url("vocalio_restart")})
    api_pid = api.process.pid
    # a short breaker recovery: the worker retries soon after the database is back (the default is 30 s)
    worker_factory(api, "worker-1", api_breaker_recovery_s="2", api_retry_max_wait_s="1")
    jobs: list[str] = []
    refusals: list[int] = []
    stop_load = threading.Event()

    def load() -> None:  # a steady client, submitting all through the restart
        with admin_client(api) as own:
            while not stop_load.is_set():
                jobs.append(submit_retrying(own, refusals))
                time.sleep(1.0)

    with admin_client(api) as client:
        loader = threading.Thread(target=load)
        loader.start()
        try:
            wait_until(lambda: len(jobs) >= 2, 60, "the load under way")
            before = len(jobs)
            postgres.stop()
            down = time.monotonic()
            ready = httpx.get(f"{api.base_url}/ready", timeout=10)
            assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("error"), ready.text
            time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down)))
            postgres.start()
            time.sleep(3)
        finally:
            stop_load.set()
            loader.join(60)
        assert before >= 2 and len(jobs) > before, (before, len(jobs))
        assert refusals, "requests during the outage are refused with 503, not left hanging"

        # the same API process serves again: nothing restarted it
        assert api.process is not None and api.process.pid == api_pid and api.running
        assert httpx.get(f"{api.base_url}/ready", timeout=10).status_code == 200
        for job_id in jobs:
            wait_for(client, job_id, timeout_s=90)
            assert_ended_once(client, job_id)
        assert len({get_job(client, j)["id"] for j in jobs}) == len(jobs)
        listed = client.get("/api/v1/jobs", params={"limit": 200}).json()["items"]
        assert len(listed) == len(jobs), "no job doubled by a retried submission"
        assert " 500 " not in api.logs() and "unhandled error" not in api.logs()
        tally("postgres_restart", [f"PostgreSQL fast shutdown, {OUTAGE_S} s down, restart"], client, jobs)
