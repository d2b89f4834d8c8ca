"""A slow and lossy network between the worker and the API: the worker reaches the API only through
a TCP proxy the test controls (tests/support/tcp_proxy.py). Delays, connections reset at random
and mid-upload, then an outage of resets, a black hole and drops: heartbeats and status updates
retry, an upload cut half-way is discarded by the API and sent again whole, the worker's breaker
opens and closes again (its gauge on the worker's own metrics port, which the proxy does not
carry), and every job ends succeeded exactly once with its audio intact."""

import threading
import time
from collections.abc import Iterator

import pytest

from tests.faults_io.conftest import (
    SLOW_TEXT,
    SLOW_WORKER,
    admin_client,
    assert_ended_once,
    events,
    metric,
    submit,
    tally,
    wait_for,
    wait_progress,
    wait_until,
    worker_state,
)
from tests.support.processes import ApiProcess
from tests.support.tcp_proxy import TcpProxy

CIRCUIT = "vocalio_worker_api_circuit_state"
FAILURES = "vocalio_worker_api_call_failures_total"
# A timeout of 2 s makes the black hole cost seconds, not the default 30 s; the short breaker
# recovery and backoff cap keep the test to seconds once the network is back.
DELAY_S = 0.005
WORKER_ENV = SLOW_WORKER | {"api_timeout_s": "2", "api_breaker_recovery_s": "2", "api_retry_max_wait_s": "1"}


@pytest.fixture
def proxy(api_factory) -> Iterator[tuple[ApiProcess, TcpProxy]]:  # type: ignore[no-untyped-def]
    api = api_factory()
    proxy = TcpProxy("127.0.0.1", api.port).start()
    yield api, proxy
    proxy.stop()


def test_slow_lossy_network_then_outage_loses_nothing(proxy, worker_factory) -> None:  # type: ignore[no-untyped-def]
    api, tcp = proxy
    worker = worker_factory(api, "worker-net", api_url=tcp.url, **WORKER_ENV)
    with admin_client(api) as client:  # the test itself talks to the API directly
        # 1. Slow and lossy: every piece delayed, a quarter of new connections reset, the live ones
        #    cut every 2 s (first at 0.5 s), and the first two uploads cut half-way. (Harsher
        #    settings only make the test longer: an upload cut every time never lands.)
        tcp.set("pass", delay_s=DELAY_S, reset_ratio=0.25, cut_uploads=2)
        flapping = threading.Event()

        def flap() -> None:
            tick = 0
            while not flapping.wait(0.5):
                tick += 1
                cut = tick % 4 == 1
                tcp.set("pass", delay_s=DELAY_S, reset_ratio=0.25, cut=cut, cut_uploads=tcp_uploads_left())

        def tcp_uploads_left() -> int:
            return max(0, 2 - tcp.counts.uploads_cut)

        flapper = threading.Thread(target=flap)
        flapper.start()
        try:
            lossy = submit(client, SLOW_TEXT)
            wait_for(client, lossy, timeout_s=90)
        finally:
            flapping.set()
            flapper.join(10)
        tcp.set("pass")
        assert_ended_once(client, lossy)
        assert tcp.counts.uploads_cut == 2 and tcp.counts.reset > 0 and tcp.counts.cut > 0, tcp.counts
        assert metric(worker, FAILURES) > 0
        assert not [p for p in (api.data_dir / "audio").iterdir() if p.name.endswith(".part")], "no partial upload kept"

        # 2. An outage mid-job: resets, then a black hole (timeouts), then drops.
        outage = submit(client, SLOW_TEXT)
        wait_progress(client, outage, 30)
        states: set[float] = set()

        def watch(seconds: float) -> None:
            until = time.monotonic() + seconds
            while time.monotonic() < until:
                states.add(metric(worker, CIRCUIT))
                time.sleep(0.2)

        for mode, seconds in (("reset", 3.0), ("blackhole", 3.0), ("drop", 2.0)):
            tcp.set(mode, cut=True)  # type: ignore[arg-type]
            watch(seconds)
        assert 2.0 in states, f"the breaker never opened: {states}"
        silent_for = worker_state(client, "worker-net")
        tcp.set("pass")

        job = wait_for(client, outage, timeout_s=90)
        assert job["status"] == "succeeded", job
        wait_until(lambda: metric(worker, CIRCUIT) == 0.0, 30, "the breaker closed again")
        wait_until(lambda: worker_state(client, "worker-net") in ("IDLE", "BUSY"), 15, "heartbeats heard again")
        assert_ended_once(client, outage)
        history = events(client, outage)
        progress = [e["progress"] for e in history if e["type"] in ("job.status", "job.progress", "job.succeeded")]
        assert progress == sorted(progress), "updates held back by the outage arrived in order"
        assert {"chunk 1/3", "chunk 2/3", "chunk 3/3"} <= {e["stage"] for e in history}
        assert silent_for == "LOST", "8 s without a heartbeat is past the 3 s LOST window"
        assert tcp.counts.dropped > 0 and tcp.counts.blackholed > 0, tcp.counts
        c = tcp.counts
        faults = [
            f"{c.reset} connections reset on connect",
            f"{c.cut} live connections cut",
            f"{c.uploads_cut} uploads cut half-way",
            f"{c.blackholed} connections black-holed",
            f"{c.dropped} connections dropped",
        ]
        tally("lossy_network", faults, client, [lossy, outage])
