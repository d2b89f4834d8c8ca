"""Several API processes at once: three replicas started together against one real PostgreSQL and
one real Redis, and one API with VOCALIO_API_WORKERS=3 on one port (docs/operations/api-replicas.md)."""

import hashlib
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.api.flows import submit
from tests.e2e.api.test_voices import TRANSCRIPT, speechlike, wav_bytes
from tests.support.processes import ApiProcess

REPLICAS = 3
HEARTBEAT_S = 1.0  # the lost-worker sweep runs every half interval: 0.5 s
LOST_WORKERS_EVERY_S = 0.5


def metric_sum(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include `labels` (counters: the _total sample)."""
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


class SlowReceiver:
    """A loopback webhook receiver that answers slowly, so replicas' delivery loops overlap."""

    def __init__(self, delay_s: float = 0.3) -> None:
        self.deliveries: Counter[str] = Counter()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(delay_s)
                receiver.deliveries[self.headers["X-Vocalio-Delivery"]] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def wait_until(check, timeout_s: float = 60.0, what: str = "condition") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def replicas(tmp_path: Path, redis_url: str, postgres_url: str):  # type: ignore[no-untyped-def]
    """Three API processes, one data dir (the shared store), started at the same moment."""
    clip = wav_bytes(speechlike())
    (tmp_path / "neutral.wav").write_bytes(clip)
    registry = tmp_path / "voices.toml"
    registry.write_text(
        f'[[voice]]\nname = "Neutra"\nregion = "neutral"\nurl = "{tmp_path / "neutral.wav"}"\n'
        f'sha256 = "{hashlib.sha256(clip).hexdigest()}"\ntranscript = "{TRANSCRIPT}"\n\n'
        f'[[voice]]\nname = "Porteña"\nregion = "rioplatense"\nurl = "{tmp_path / "neutral.wav"}"\n'
        f'sha256 = "{hashlib.sha256(clip).hexdigest()}"\ntranscript = "{TRANSCRIPT}"\n'
    )
    env = {
        "VOCALIO_DATABASE_URL": postgres_url,
        "VOCALIO_DEFAULT_VOICES_FILE": str(registry),
        "VOCALIO_WEBHOOK_ALLOWLIST": '["127.0.0.1/32"]',
        "VOCALIO_HEARTBEAT_INTERVAL_S": str(HEARTBEAT_S),
        "VOCALIO_JOB_LEASE_TTL_S": str(2 * HEARTBEAT_S),
    }
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    apis = [ApiProcess(data_dir, redis_url, env) for _ in range(REPLICAS)]
    for n, api in enumerate(apis):
        api.log_path = tmp_path / f"api{n}.log"
    try:
        with ThreadPoolExecutor(REPLICAS) as pool:
            list(pool.map(lambda api: api.start(timeout_s=120), apis))
        yield apis
    finally:
        for api in apis:
            api.stop()


@pytest.mark.postgres
def test_three_replicas_started_at_once_share_one_database_and_redis(replicas: list[ApiProcess]) -> None:
    logs = [api.logs() for api in replicas]
    # migrations: applied by one replica; the others waited for its lock and found the schema at head
    assert sum(log.count('"database migrated"') for log in logs) == 1
    # the first admin key: created once, and it works on every replica
    assert sum(log.count("admin API key created") for log in logs) == 1
    key = replicas[0].admin_key
    clients = [
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30) for api in replicas
    ]
    try:
        keys = clients[1].get("/api/v1/keys").json()["items"]
        assert [k["role"] for k in keys] == ["admin"]
        assert all(client.get("/api/v1/me").status_code == 200 for client in clients)

        # default voices: registered once per region, whichever replica took the registration mutex
        def registered() -> bool:
            ready = [httpx.get(f"{api.base_url}/ready", timeout=10).json() for api in replicas]
            return all(not {"neutral", "rioplatense"} & set(r["default_voices"]["missing"]) for r in ready)

        wait_until(registered, what="the default voices")
        time.sleep(1.0)  # any replica that would register a second copy has had its chance
        names = Counter(voice["name"] for voice in clients[2].get("/api/v1/voices").json()["items"])
        assert names == {"Neutra": 1, "Porteña": 1}

        # webhooks: every replica's loop runs, each delivery is sent exactly once
        receiver = SlowReceiver()
        try:
            jobs = [submit(clients[n % REPLICAS], callback_url=receiver.url) for n in range(12)]
            for n, job in enumerate(jobs):
                assert clients[(n + 1) % REPLICAS].post(f"/api/v1/jobs/{job['id']}/cancel").status_code == 202
            wait_until(lambda: len(receiver.deliveries) == len(jobs), what="12 webhook deliveries")
            time.sleep(2.5)  # more than two turns of every replica's delivery loop
            assert sorted(receiver.deliveries.values()) == [1] * len(jobs)
        finally:
            receiver.server.shutdown()
        scraped = [client.get("/metrics").text for client in clients]
        assert sum(metric_sum(text, "vocalio_webhook_deliveries_total", outcome="delivered") for text in scraped) == 12

        # a periodic loop (lost workers, every 0.5 s) runs once per interval across the replicas
        def lost_worker_runs() -> float:
            texts = [client.get("/metrics").text for client in clients]
            return sum(metric_sum(text, "vocalio_background_runs_total", task="lost-workers") for text in texts)

        wait_until(lambda: lost_worker_runs() > 0, what="the lost-worker sweep's first run")
        before, started = lost_worker_runs(), time.monotonic()
        time.sleep(3.0)
        runs, elapsed = lost_worker_runs() - before, time.monotonic() - started
        # a turn lasts one interval, so at most one run per interval (+1 for the window's edges);
        # in every replica it would be about three times as many
        assert 1 <= runs <= elapsed / LOST_WORKERS_EVERY_S + 1, (runs, elapsed)
    finally:
        for client in clients:
            client.close()


def test_one_api_with_three_worker_processes_merges_their_metrics(tmp_path: Path, redis_url: str) -> None:
    scratch = tmp_path / "tmp"  # where the launcher makes its metrics directory
    scratch.mkdir()
    api = ApiProcess(tmp_path / "data", redis_url, {"VOCALIO_API_WORKERS": "3", "TMPDIR": str(scratch)})
    api.data_dir.mkdir()
    try:
        api.start(timeout_s=120)
        assert api.process is not None
        children = Path(f"/proc/{api.process.pid}/task/{api.process.pid}/children")
        # uvicorn's workers, plus multiprocessing's resource tracker
        wait_until(lambda: len(children.read_text().split()) >= 3, what="three worker processes")
        metrics_dirs = list(scratch.glob("vocalio-api-metrics-*"))
        assert len(metrics_dirs) == 1
        requests = 90

        def hit(_: int) -> int:
            with httpx.Client(base_url=api.base_url, timeout=30) as own:  # a new connection each
                return own.get("/health").status_code

        with ThreadPoolExecutor(12) as pool:
            assert set(pool.map(hit, range(requests))) == {200}
        # each worker writes its own file; /metrics, whichever process answers, sums them
        assert len({path.name.split("_")[-1] for path in metrics_dirs[0].glob("counter_*.db")}) == 3
        for _ in range(6):
            text = httpx.get(f"{api.base_url}/metrics", timeout=30).text
            assert metric_sum(text, "vocalio_http_requests_total", route="/health") == requests
            assert metric_sum(text, "vocalio_queue_depth", lane="normal") == 0  # a gauge, not summed per process
    finally:
        api.stop()
    assert not list(scratch.iterdir())  # the launcher removed its metrics directory
