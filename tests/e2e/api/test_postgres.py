"""The same flows against a real PostgreSQL (VOCALIO_DATABASE_URL) instead of the SQLite file."""

import threading

import httpx
import pytest

from tests.e2e.api.flows import full_lifecycle, post_status, submit
from tests.e2e.api.test_events import read_events

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_api(api_factory, postgres_url: str):  # type: ignore[no-untyped-def]
    return api_factory({"VOCALIO_DATABASE_URL": postgres_url})


def test_full_lifecycle_on_postgres(pg_api) -> None:  # type: ignore[no-untyped-def]
    assert not (pg_api.data_dir / "vocalio.db").exists()
    with (
        httpx.Client(base_url=pg_api.base_url, headers={"Authorization": f"Bearer {pg_api.admin_key}"}) as admin,
        httpx.Client(base_url=pg_api.base_url, headers={"Authorization": f"Bearer {pg_api.worker_token}"}) as worker,
    ):
        full_lifecycle(admin, worker)


def test_concurrent_updates_keep_event_sequence_gapless_on_postgres(pg_api) -> None:  # type: ignore[no-untyped-def]
    with (
        httpx.Client(base_url=pg_api.base_url, headers={"Authorization": f"Bearer {pg_api.admin_key}"}) as admin,
        httpx.Client(base_url=pg_api.base_url, headers={"Authorization": f"Bearer {pg_api.worker_token}"}) as worker,
    ):
        job = submit(admin)
        post_status(worker, job["id"], "synthesizing", progress=1)

        def hammer(offset: int) -> None:
            with httpx.Client(base_url=pg_api.base_url, headers=worker.headers) as own:
                for i in range(10):
                    post_status(own, job["id"], "synthesizing", progress=offset + i)

        threads = [threading.Thread(target=hammer, args=(n * 10,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        events = admin.get(f"/api/v1/jobs/{job['id']}/events/history").json()
        assert [e["seq"] for e in events] == list(range(1, 43))
        streamed = read_events(admin, job["id"], 42)
        assert [int(e["id"]) for e in streamed] == list(range(1, 43))


def test_api_restart_keeps_state_on_postgres(pg_api) -> None:  # type: ignore[no-untyped-def]
    key = pg_api.admin_key
    with httpx.Client(base_url=pg_api.base_url, headers={"Authorization": f"Bearer {key}"}) as admin:
        job = submit(admin)
        pg_api.restart()
        assert admin.get(f"/api/v1/jobs/{job['id']}").json()["status"] == "queued"
