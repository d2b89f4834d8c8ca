"""The API is killed and started again while a worker runs: the worker's circuit to the API, opened by
the outage, lets a heartbeat through within seconds of the API answering again (the cool-down starts
short and doubles only while probes fail), so the API shows the worker alive again at once rather
than `lost` for the 30 s of `VOCALIO_API_BREAKER_RECOVERY_S` (issue 20)."""

import time
from datetime import UTC, datetime

import httpx

from tests.e2e.worker.conftest import wait_until
from tests.e2e.worker.test_api_outage import metric
from tests.support.processes import ApiProcess

# Well under the 30 s cap the circuit used to stay open for, well over a heartbeat (1 s) and a probe.
BACK_WITHIN_S = 10.0


def test_the_worker_is_back_within_seconds_of_an_api_restart(api: ApiProcess, worker_factory) -> None:  # type: ignore[no-untyped-def]
    worker = worker_factory()  # the defaults: 5 failures open it, 0.5 s first cool-down, 30 s cap
    api.kill()
    wait_until(lambda: metric(worker, "vocalio_worker_api_circuit_state") == 2.0, 30, "the circuit opened")

    api.start(timeout_s=120)
    ready_at, ready_clock = datetime.now(UTC), time.monotonic()
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    with httpx.Client(base_url=api.base_url, headers=headers, timeout=15) as client:

        def beat_since_restart() -> bool:
            seen = client.get("/api/v1/workers/worker-1").json()
            last = seen.get("last_heartbeat_at")
            return seen["state"] != "LOST" and last is not None and datetime.fromisoformat(last) >= ready_at

        wait_until(beat_since_restart, BACK_WITHIN_S, f"a heartbeat within {BACK_WITHIN_S:g} s of the restart")
        back_s = time.monotonic() - ready_clock
        wait_until(lambda: metric(worker, "vocalio_worker_api_circuit_state") == 0.0, BACK_WITHIN_S, "circuit closed")
        state = client.get("/api/v1/workers/worker-1").json()["state"]
    assert state in ("IDLE", "BUSY"), state
    print(f"worker back {back_s:.1f} s after the API was ready")
