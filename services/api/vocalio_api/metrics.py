"""The API's Prometheus metrics (names from vocalio_shared.metric_names) and request middleware.

With several API processes on one port (VOCALIO_API_WORKERS > 1) every process writes its values
to files in PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode, chosen when that
variable is set before prometheus_client is imported) and /metrics merges them all: counters and
histograms summed. The gauges describe the database and are set by the process answering the scrape
just before it collects, so the most recent value is the one shown ("mostrecent").
"""

import os
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from vocalio_shared import metric_names as names

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    names.HTTP_REQUESTS_TOTAL, "HTTP requests by route and status", ["method", "route", "status"], registry=REGISTRY
)
HTTP_LATENCY = Histogram(
    names.HTTP_REQUEST_DURATION_SECONDS,
    "HTTP request latency by route",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's own variable
SCRAPE_TIME = "mostrecent"  # multiprocess mode of the gauges /metrics sets from the database

JOBS = Gauge(names.JOBS_BY_STATUS, "Jobs by status", ["status"], registry=REGISTRY, multiprocess_mode=SCRAPE_TIME)
JOBS_CREATED = Counter(names.JOBS_CREATED_TOTAL, "Jobs accepted", ["priority"], registry=REGISTRY)
JOBS_FINISHED = Counter(names.JOBS_FINISHED_TOTAL, "Jobs finished", ["status"], registry=REGISTRY)
JOB_DURATION = Histogram(
    names.JOB_DURATION_SECONDS,
    "Seconds from submission to a terminal state",
    ["status"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge(
    names.QUEUE_DEPTH, "Jobs waiting per lane", ["lane"], registry=REGISTRY, multiprocess_mode=SCRAPE_TIME
)
WORKERS = Gauge(names.WORKERS_BY_STATE, "Workers by state", ["state"], registry=REGISTRY, multiprocess_mode=SCRAPE_TIME)
PENDING_PER_WORKER = Gauge(
    names.PENDING_PER_LIVE_WORKER,
    "Queued jobs per live worker (scaling signal)",
    registry=REGISTRY,
    multiprocess_mode=SCRAPE_TIME,
)
WEBHOOKS = Counter(names.WEBHOOK_DELIVERIES_TOTAL, "Webhook delivery attempts", ["outcome"], registry=REGISTRY)
AUDIO_SECONDS = Counter(names.AUDIO_SECONDS_STORED_TOTAL, "Seconds of audio stored", registry=REGISTRY)
RATE_LIMITED = Counter(names.RATE_LIMITED_TOTAL, "Requests refused by a limit", ["reason"], registry=REGISTRY)
# outcome: stored (a new sentence) | already_present (a repeat upload of a key: the cache missed a redo)
SENTENCES_STORED = Counter(
    names.SENTENCES_STORED_TOTAL, "Sentence-cache uploads accepted", ["outcome"], registry=REGISTRY
)
SENTENCES_REMOVED = Counter(
    names.SENTENCES_REMOVED_TOTAL, "Sentence-cache files removed by the sweep (no chapter uses them)", registry=REGISTRY
)
# a loop that runs once across replicas counts in the replica whose turn it was
BACKGROUND_RUNS = Counter(
    names.BACKGROUND_RUNS_TOTAL, "Runs of the API's background loops", ["task"], registry=REGISTRY
)


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_DIR_ENV))


def exposition() -> bytes:
    """The text /metrics answers: this process's registry, or every process's values merged."""
    if not multiprocess():
        return generate_latest(REGISTRY)
    merged = CollectorRegistry()
    MultiProcessCollector(merged)
    return generate_latest(merged)


def _route_template(scope: Scope) -> str:
    """The router records the matched route in the (shared) scope; read it after the app ran."""
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))


class MetricsMiddleware:
    """Counts requests by route template (not raw path, which would explode label cardinality)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = _route_template(scope)
            method = scope.get("method", "GET")
            HTTP_REQUESTS.labels(method, route, str(status_holder["status"])).inc()
            HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)
