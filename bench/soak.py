"""Load and soak: N concurrent clients against a fresh embedded stack (`vocalio up`, eSpeak) for a bounded time.

Usage (from the repository root, with the dev environment):

    .venv/bin/python bench/soak.py                                   # 4 clients, 10 minutes, 60 s warm-up
    .venv/bin/python bench/soak.py --clients 8 --duration-s 120 --warmup-s 20
    .venv/bin/python bench/soak.py --json soak.json --env VOCALIO_MAX_CONCURRENT_JOBS=2

It starts `vocalio up` in a temporary directory on free loopback ports (Redis, the API on SQLite, one
eSpeak worker, llm_bridge, the dashboard, under the supervisor) and gives each client a key of its own
(a tenant each, with a request rate no client reaches, so a 429 is an error, not the limiter at work).
Each client, in a closed loop until --duration-s is over: submits a job (`POST /api/v1/jobs` with an
Idempotency-Key, resent with the same key if the request fails), follows its events over SSE
(`GET /api/v1/jobs/{id}/events`, again with Last-Event-ID if the stream breaks), reads the job and
downloads its audio (checked against the result's size and sha256). Jobs in flight at the end are
waited for (--drain-s), then every key's job list is checked against what its client submitted.

It prints one summary block:
- jobs/min: jobs downloaded after the warm-up, over the time after the warm-up;
- p50/p99 of the submit latency (the POST's round trip), of submit → terminal event and of the
  end-to-end time (submit → audio downloaded and checked), for jobs submitted after the warm-up;
- errors by kind (the whole run, warm-up included): HTTP statuses and transport errors per step,
  streams that ended early, failed or cancelled jobs, a second `job.succeeded`, wrong audio, jobs the
  API lists that no client submitted (or the reverse), a child the supervisor restarted, an error or
  a traceback in the stack's logs;
- lost jobs: submitted (202) but not succeeded by the end of the drain;
- the RSS of every process of the stack (the supervisor and each child it runs), sampled every
  --sample-s: at the start of the load, after the warm-up, at the end of the load, and the
  least-squares slope in MB/min over the samples after the warm-up (the warm-up is left out because
  first requests fill import caches, connection pools and allocator arenas; that growth is not a leak),
  and the same slope over the later half of those samples alone: growth that levels off (arenas
  filling up) shows a late slope near zero, a leak keeps its slope to the end.

Exits 1 when there was any error or lost job: every submitted job must end `succeeded` exactly once.
"""

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from httpx_sse import SSEError, aconnect_sse
from vocalio_cli.embedded_redis import free_port

TEXTS = (
    "Había una vez, en un pueblo pequeño junto al río, una niña que soñaba con el mar.",
    "Cada mañana caminaba hasta la colina para mirar el horizonte. ¿Llegaría algún día a ver las olas?",
    "El viejo pescador le contaba historias de tormentas, de barcos perdidos y de islas lejanas.",
    "Una tarde de otoño, un viajero llegó al pueblo con un mapa dibujado a mano.",
)
TERMINAL_EVENTS = frozenset({"job.succeeded", "job.failed", "job.cancelled"})
START_TIMEOUT_S = 180.0  # a first start imports everything on a shared 2-core machine
SUBMIT_TRIES = 3
STREAM_TRIES = 5  # connections to one job's event stream before the job is given up
RETRY_PAUSE_S = 0.5
SSE_TIMEOUT = httpx.Timeout(10.0, read=30.0)  # read above the API's 15 s ping
LOG_PROBLEM = re.compile(r'"level":\s*"(error|critical)"|^\S*\s*\|\s*Traceback|^Traceback')
MB = 1024 * 1024


@dataclass
class Options:
    clients: int = 4
    duration_s: float = 600.0
    warmup_s: float = 60.0
    sample_s: float = 2.0
    drain_s: float = 120.0
    output_format: str = "wav"
    env: dict[str, str] = field(default_factory=dict)  # extra settings for the stack's processes


@dataclass
class JobRecord:
    client: int
    submitted_at_s: float  # since the load began
    job_id: str | None = None
    submit_ms: float | None = None
    terminal_ms: float | None = None  # submit → terminal event
    end_to_end_ms: float | None = None  # submit → audio downloaded and checked
    terminal: str | None = None
    succeeded_events: int = 0  # job.succeeded in the job's event history after the drain: exactly one
    attempts: int | None = None
    duration_s: float = 0.0  # the result's, summed against the key's usage
    done_at_s: float | None = None  # audio downloaded and checked, since the load began


@dataclass
class ProcessMemory:
    name: str
    pids: list[int]  # more than one: the supervisor restarted it
    samples: int
    start_mb: float
    after_warmup_mb: float
    end_mb: float
    slope_mb_per_min: float | None  # least squares over the samples after the warm-up
    late_slope_mb_per_min: float | None  # the same over the later half of those samples


@dataclass
class Report:
    clients: int
    duration_s: float
    warmup_s: float
    measured_s: float
    drained_s: float
    submitted: int
    succeeded: int
    lost: int
    duplicates: int
    retried: int  # succeeded on a second attempt or later (not an error, but no fault was injected)
    jobs_per_min: float
    latency_ms: dict[str, dict[str, float]]  # submit / terminal / end_to_end → p50, p99, max, n
    errors: dict[str, int]
    error_examples: dict[str, str]
    memory: list[ProcessMemory]
    rss_samples: dict[str, list[tuple[float, float]]]  # name → (seconds since the load began, MB), for plots

    @property
    def ok(self) -> bool:
        return not self.errors and self.lost == 0 and self.duplicates == 0 and self.submitted > 0


class Errors:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, str] = {}

    def add(self, kind: str, example: str = "") -> None:
        self.counts[kind] += 1
        self.examples.setdefault(kind, example[:300])

    def http(self, step: str, error: BaseException | httpx.Response) -> None:
        if isinstance(error, httpx.Response):
            code = ""
            with contextlib.suppress(ValueError, AttributeError):  # not the documented error body
                code = " " + str(error.json().get("error", {}).get("code", ""))
            self.add(f"{step}: HTTP {error.status_code}{code}".rstrip(), error.text)
        else:
            self.add(f"{step}: {type(error).__name__}", repr(error))


class UpStack:
    """`vocalio up` as a child process, on free loopback ports, with a data dir of its own."""

    def __init__(self, root: Path, extra_env: dict[str, str]) -> None:
        self.data_dir = root / "data"
        self.log_path = root / "up.log"
        ports = {name: free_port() for name in ("api", "worker", "bridge", "ui")}
        self.api_url = f"http://127.0.0.1:{ports['api']}"
        self.env = (
            {k: v for k, v in os.environ.items() if not k.startswith("VOCALIO_")}
            | {
                "VOCALIO_DATA_DIR": str(self.data_dir),
                "VOCALIO_PORT": str(ports["api"]),
                "VOCALIO_METRICS_PORT": str(ports["worker"]),
                "VOCALIO_LLM_BRIDGE_PORT": str(ports["bridge"]),
                "VOCALIO_UI_PORT": str(ports["ui"]),
                "VOCALIO_ENGINE": "espeak",
                "VOCALIO_KOKORO_OFFLINE": "1",
            }
            | extra_env
        )
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from vocalio_cli.main import app; app()", "up"],
                env=self.env,
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while "Vocalio is up." not in self.logs():
            if self.process.poll() is not None:
                raise RuntimeError(f"vocalio up exited with {self.process.returncode}:\n{self.logs()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"vocalio up not up after {START_TIMEOUT_S:.0f} s:\n{self.logs()[-3000:]}")
            time.sleep(0.3)

    @property
    def admin_key(self) -> str:
        return (self.data_dir / "admin-key.txt").read_text().strip()

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def children(self) -> list[dict[str, Any]]:
        return list(json.loads((self.data_dir / "supervisor.json").read_text())["children"])

    def pids(self) -> dict[str, int]:
        """Every process of the stack by name: the supervisor, then each child it runs."""
        assert self.process is not None
        found = {"supervisor": self.process.pid}
        for child in self.children():
            if child.get("pid"):
                found[child["name"]] = int(child["pid"])
        return found

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(150)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class MemorySampler:
    """RSS of every process of the stack, by name, every `interval_s`; follows a restarted child's new pid."""

    def __init__(self, stack: UpStack, interval_s: float) -> None:
        self.stack = stack
        self.interval_s = interval_s
        self.samples: dict[str, list[tuple[float, int, float]]] = {}  # name → (t since load start, pid, MB)
        self.started = 0.0

    def sample(self) -> None:
        now = time.monotonic() - self.started
        for name, pid in self.stack.pids().items():
            try:
                rss = psutil.Process(pid).memory_info().rss
            except psutil.Error:
                continue  # between a death and the supervisor's restart
            self.samples.setdefault(name, []).append((now, pid, rss / MB))

    async def run(self, until: float) -> None:
        while time.monotonic() < until:
            self.sample()
            await asyncio.sleep(self.interval_s)
        self.sample()

    def report(self, warmup_s: float, load_s: float) -> list[ProcessMemory]:
        memory = []
        for name, samples in self.samples.items():
            # A restarted child's slope is its last process's own: a new process starts small again.
            last_pid = samples[-1][1]
            in_window = [(t, pid, mb) for t, pid, mb in samples if warmup_s <= t <= load_s + self.interval_s]
            window = [(t, mb) for t, _, mb in in_window]
            measured = [(t, mb) for t, pid, mb in in_window if pid == last_pid]
            after_warmup = window[0][1] if window else samples[-1][2]
            memory.append(
                ProcessMemory(
                    name=name,
                    pids=list(dict.fromkeys(pid for _, pid, _ in samples)),
                    samples=len(measured),
                    start_mb=samples[0][2],
                    after_warmup_mb=after_warmup,
                    end_mb=window[-1][1] if window else samples[-1][2],
                    slope_mb_per_min=slope_per_min(measured),
                    late_slope_mb_per_min=slope_per_min(later_half(measured)),
                )
            )
        return memory


def later_half(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The samples in the later half of the time the points span."""
    if not points:
        return []
    middle = (points[0][0] + points[-1][0]) / 2
    return [(t, mb) for t, mb in points if t >= middle]


def slope_per_min(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MB) in MB per minute; None under three points."""
    if len(points) < 3:
        return None
    xs = [t for t, _ in points]
    ys = [mb for _, mb in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    return 60 * sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Soak:
    def __init__(self, stack: UpStack, options: Options) -> None:
        self.stack = stack
        self.options = options
        self.errors = Errors()
        self.records: list[JobRecord] = []
        self.submitted: dict[int, set[str]] = {}  # client → job ids answered 202
        self.started = 0.0
        self.load_end = 0.0
        self.counter = 0
        self.drained_s = 0.0  # after the load, until the last client's job was done

    def since_start(self) -> float:
        return time.monotonic() - self.started

    def admin(self) -> httpx.AsyncClient:
        admin = {"Authorization": f"Bearer {self.stack.admin_key}"}
        return httpx.AsyncClient(base_url=self.stack.api_url, headers=admin, timeout=60)

    async def create_keys(self) -> list[tuple[str, str]]:
        """(key id, secret) per client."""
        async with self.admin() as http:
            keys = []
            for number in range(self.options.clients):
                body = {"name": f"soak-{number}", "role": "client", "rate_requests_per_min": 1_000_000}
                response = (await http.post("/api/v1/keys", json=body)).raise_for_status().json()
                keys.append((response["id"], response["key"]))
            return keys

    async def client(self, number: int, key: str) -> None:
        self.submitted[number] = set()
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=self.stack.api_url, headers=headers, timeout=30) as http:
            while time.monotonic() < self.load_end:
                await self.one_job(number, http)

    async def one_job(self, number: int, http: httpx.AsyncClient) -> None:
        self.counter += 1
        text = f"{TEXTS[self.counter % len(TEXTS)]} Pedido {self.counter}."
        record = JobRecord(client=number, submitted_at_s=self.since_start())
        self.records.append(record)
        began = time.monotonic()
        job_id = await self.submit(http, text)
        if job_id is None:
            return
        record.job_id = job_id
        record.submit_ms = 1000 * (time.monotonic() - began)
        self.submitted[number].add(job_id)
        await self.follow(http, record)
        record.terminal_ms = 1000 * (time.monotonic() - began)
        if record.terminal != "job.succeeded":
            return
        if await self.download(http, record):
            record.end_to_end_ms = 1000 * (time.monotonic() - began)
            record.done_at_s = self.since_start()

    async def submit(self, http: httpx.AsyncClient, text: str) -> str | None:
        body = {"text": text, "output_format": self.options.output_format}
        idempotency = {"Idempotency-Key": str(uuid.uuid4())}  # a resend is the same job, never a second one
        for _ in range(SUBMIT_TRIES):
            try:
                response = await http.post("/api/v1/jobs", json=body, headers=idempotency)
            except httpx.HTTPError as error:
                self.errors.http("submit", error)
            else:
                if response.status_code == 202:
                    return str(response.json()["id"])
                self.errors.http("submit", response)
                if response.status_code < 500 and response.status_code != 429:
                    await asyncio.sleep(RETRY_PAUSE_S)  # refused for good; a pause, not a hot loop of refusals
                    return None
            await asyncio.sleep(RETRY_PAUSE_S)
        return None

    async def follow(self, http: httpx.AsyncClient, record: JobRecord) -> None:
        """The job's events until its terminal one, as EventSource does: reconnect with Last-Event-ID."""
        seen: dict[int, str] = {}
        last: int | None = None
        for _ in range(STREAM_TRIES):
            headers = {"Last-Event-ID": str(last)} if last is not None else {}
            path = f"/api/v1/jobs/{record.job_id}/events"
            try:
                async with aconnect_sse(http, "GET", path, headers=headers, timeout=SSE_TIMEOUT) as source:
                    if source.response.status_code != 200:
                        await source.response.aread()
                        self.errors.http("events", source.response)
                        await asyncio.sleep(RETRY_PAUSE_S)
                        continue
                    async for event in source.aiter_sse():
                        if not event.data:  # httpx-sse hands over pings as empty events
                            continue
                        seq = int(event.id)
                        if seen.setdefault(seq, event.event) != event.event:
                            self.errors.add("events: one seq, two types", f"{record.job_id} seq {seq}")
                        last = seq
                        if event.event in TERMINAL_EVENTS:
                            record.terminal = event.event
                if record.terminal:
                    break
                self.errors.add("events: stream ended before the terminal event", str(record.job_id))
            except (httpx.HTTPError, SSEError) as error:
                self.errors.http("events", error)
            if record.terminal:
                break
            await asyncio.sleep(RETRY_PAUSE_S)
        if record.terminal is None:
            self.errors.add("events: no terminal event", str(record.job_id))
        elif record.terminal != "job.succeeded":
            self.errors.add(f"job {record.terminal.removeprefix('job.')}", str(record.job_id))

    async def download(self, http: httpx.AsyncClient, record: JobRecord) -> bool:
        try:
            response = await http.get(f"/api/v1/jobs/{record.job_id}")
            if response.status_code != 200:
                self.errors.http("get job", response)
                return False
            job = response.json()
            record.attempts = job.get("attempts")
            record.duration_s = float((job.get("result") or {}).get("duration_s") or 0.0)
            if job["status"] != "succeeded" or not job.get("result"):
                self.errors.add(f"get job: {job['status']} after job.succeeded", str(record.job_id))
                return False
            digest, size = hashlib.sha256(), 0
            async with http.stream("GET", f"/api/v1/jobs/{record.job_id}/audio") as audio:
                if audio.status_code != 200:
                    await audio.aread()
                    self.errors.http("download", audio)
                    return False
                async for chunk in audio.aiter_bytes():
                    digest.update(chunk)
                    size += len(chunk)
        except httpx.HTTPError as error:
            self.errors.http("download", error)
            return False
        if digest.hexdigest() != job["result"]["sha256"] or size != job["result"]["size_bytes"]:
            self.errors.add("download: not the result's sha256/size", str(record.job_id))
            return False
        return True

    async def reconcile(self, keys: list[tuple[str, str]]) -> None:
        """After the drain, per key: its job list against what its client was answered (nothing
        missing, nothing extra), each job's whole event history (one `job.succeeded`, at the end, no
        `job.failed`: the SSE stream stops at the first terminal event, so a second one shows only
        here), and its usage (jobs counted once each, audio seconds the sum of its results)."""
        await asyncio.gather(*(self.reconcile_key(number, key_id, key) for number, (key_id, key) in enumerate(keys)))

    async def reconcile_key(self, number: int, key_id: str, key: str) -> None:
        records = {r.job_id: r for r in self.records if r.client == number and r.job_id}
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=self.stack.api_url, headers=headers, timeout=60) as http:
            listed: list[dict[str, Any]] = []
            cursor: str | None = None
            while True:
                params: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
                page = (await http.get("/api/v1/jobs", params=params)).raise_for_status().json()
                listed += page["items"]
                cursor = page.get("next_cursor")
                if not cursor:
                    break
            for job_id, record in records.items():
                path = f"/api/v1/jobs/{job_id}/events/history"
                history = (await http.get(path, params={"limit": 1000})).raise_for_status().json()
                kinds = [event["type"] for event in history]
                record.succeeded_events = kinds.count("job.succeeded")
                if record.succeeded_events > 1:
                    self.errors.add("events history: job.succeeded twice", job_id)
                elif record.terminal == "job.succeeded" and record.succeeded_events == 0:
                    self.errors.add("events history: no job.succeeded, which the stream had sent", job_id)
                if "job.failed" in kinds:
                    self.errors.add("events history: a job.failed", job_id)
                if record.succeeded_events and kinds[-1] != "job.succeeded":
                    self.errors.add(f"events history: {kinds[-1]} after job.succeeded", job_id)
        ids = Counter(job["id"] for job in listed)
        for job_id, times in ids.items():
            if times > 1:
                self.errors.add("job list: a job twice", job_id)
        for job_id in ids.keys() - records.keys():
            self.errors.add("job list: a job no client was answered", job_id)
        for job_id in records.keys() - ids.keys():
            self.errors.add("job list: a submitted job missing", job_id)
        async with self.admin() as admin:
            usage = (await admin.get(f"/api/v1/keys/{key_id}/usage")).raise_for_status().json()
        if usage["total_jobs"] != len(records):
            self.errors.add("usage: jobs not counted once each", f"{usage['total_jobs']} for {len(records)} submitted")
        audio_s = sum(r.duration_s for r in records.values())
        if abs(usage["total_audio_seconds"] - audio_s) > 1e-6 * max(audio_s, 1.0):
            self.errors.add(
                "usage: audio seconds not the sum of the results", f"{usage['total_audio_seconds']} != {audio_s}"
            )

    def check_restarts(self) -> None:
        for child in self.stack.children():
            if child.get("restarts"):
                self.errors.add(f"restarted by the supervisor: {child['name']}", str(child.get("last_exit")))

    def check_logs(self) -> None:
        """The whole log, the stop included: a child that errs while draining is a finding too."""
        for line in self.stack.logs().splitlines():
            if LOG_PROBLEM.search(line):
                service = line.split("|", 1)[0].strip() if "|" in line else "supervisor"
                self.errors.add(f"stack log: error in {service}", line)

    async def run(self, sampler: MemorySampler) -> None:
        keys = await self.create_keys()
        self.started = sampler.started = time.monotonic()
        self.load_end = self.started + self.options.duration_s
        memory = asyncio.create_task(sampler.run(self.load_end))
        clients = [asyncio.create_task(self.client(number, key)) for number, (_, key) in enumerate(keys)]
        await memory
        _, pending = await asyncio.wait(clients, timeout=self.options.drain_s)
        for task in pending:  # still in a job after the drain: those jobs are lost
            task.cancel()
        await asyncio.gather(*clients, return_exceptions=True)
        for task in clients:
            if not task.cancelled() and task.exception() is not None:
                self.errors.add(f"client crashed: {type(task.exception()).__name__}", repr(task.exception()))
        self.drained_s = time.monotonic() - self.load_end
        await self.reconcile(keys)
        self.check_restarts()

    def report(self, sampler: MemorySampler) -> Report:
        options = self.options
        answered = [record for record in self.records if record.job_id]
        succeeded = [record for record in answered if record.done_at_s is not None]
        measured_s = max(options.duration_s - options.warmup_s, 1e-9)
        in_window = [r for r in succeeded if options.warmup_s <= (r.done_at_s or 0) <= options.duration_s]
        after_warmup = [r for r in answered if r.submitted_at_s >= options.warmup_s]
        latency: dict[str, dict[str, float]] = {}
        for name in ("submit", "terminal", "end_to_end"):
            values = [v for r in after_warmup if (v := getattr(r, f"{name}_ms")) is not None]
            if values:
                latency[name] = {
                    "p50": percentile(values, 0.5),
                    "p99": percentile(values, 0.99),
                    "max": max(values),
                    "n": len(values),
                }
        lost = [r for r in answered if r.done_at_s is None]
        return Report(
            clients=options.clients,
            duration_s=options.duration_s,
            warmup_s=options.warmup_s,
            measured_s=measured_s,
            drained_s=self.drained_s,
            submitted=len(answered),
            succeeded=len(succeeded),
            lost=len(lost),
            duplicates=sum(1 for r in answered if r.succeeded_events > 1),
            retried=sum(1 for r in succeeded if (r.attempts or 1) > 1),
            jobs_per_min=60 * len(in_window) / measured_s,
            latency_ms=latency,
            errors=dict(self.errors.counts.most_common()),
            error_examples=self.errors.examples,
            memory=sampler.report(options.warmup_s, options.duration_s),
            rss_samples={
                name: [(round(t, 2), round(mb, 2)) for t, _, mb in rows] for name, rows in sampler.samples.items()
            },
        )


def run(options: Options, keep_dir: Path | None = None) -> Report:
    """Start a stack, soak it, stop it; the report. The stack's log is kept in keep_dir if given."""
    if options.warmup_s >= options.duration_s:
        raise ValueError("--warmup-s must be shorter than --duration-s")
    with tempfile.TemporaryDirectory(prefix="vocalio-soak-") as directory:
        stack = UpStack(Path(directory), options.env)
        soak = Soak(stack, options)
        sampler = MemorySampler(stack, options.sample_s)
        try:
            stack.start()
            asyncio.run(soak.run(sampler))
        finally:
            code = stack.stop()
            if keep_dir is not None:
                keep_dir.mkdir(parents=True, exist_ok=True)
                (keep_dir / "soak-up.log").write_text(stack.logs())
        if code != 0:
            soak.errors.add(f"vocalio up exited with {code} on SIGTERM", stack.logs()[-300:])
        soak.check_logs()
        return soak.report(sampler)


def rate(mb_per_min: float | None) -> str:
    return "n/a" if mb_per_min is None else f"{mb_per_min:+.2f}"


def render(report: Report) -> str:
    """The summary block."""
    lines: list[str] = []
    out = lines.append
    window = f"{report.measured_s:.0f} s after a {report.warmup_s:.0f} s warm-up"
    out(f"soak: {report.clients} clients, {report.duration_s:.0f} s of load ({window}), eSpeak, loopback")
    out(
        f"jobs: {report.submitted} submitted, {report.succeeded} succeeded, {report.lost} lost, "
        f"{report.duplicates} duplicates, {report.retried} retried; drain {report.drained_s:.1f} s"
    )
    out(f"throughput: {report.jobs_per_min:.1f} jobs/min (downloaded, after the warm-up)")
    labels = {"submit": "submit", "terminal": "to terminal event", "end_to_end": "end-to-end"}
    out(f"latency ms (jobs submitted after the warm-up){'':>3}{'p50':>9}{'p99':>9}{'max':>9}{'n':>7}")
    for name, figures in report.latency_ms.items():
        row = "".join(f"{figures[k]:>9.1f}" for k in ("p50", "p99", "max"))
        out(f"  {labels[name]:<45}{row}{int(figures['n']):>7}")
    out(f"errors: {sum(report.errors.values())}")
    for kind, count in report.errors.items():
        out(f"  {count:>5}  {kind}  (e.g. {report.error_examples.get(kind, '')[:120]})")
    out(
        f"RSS MB{'':<14}{'start':>9}{'warm':>9}{'end':>9}{'MB/min':>9}{'late':>9}"
        "  (slope: least squares after the warm-up; late: over its later half)"
    )
    for process in report.memory:
        slope, late = rate(process.slope_mb_per_min), rate(process.late_slope_mb_per_min)
        restarted = f"  pids {process.pids}" if len(process.pids) > 1 else ""
        out(
            f"  {process.name:<18}{process.start_mb:>9.1f}{process.after_warmup_mb:>9.1f}"
            f"{process.end_mb:>9.1f}{slope:>9}{late:>9}{restarted}"
        )
    out("result: " + ("OK" if report.ok else "FAILED (errors or lost jobs)"))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=4, help="Concurrent clients, each with a key of its own.")
    parser.add_argument("--duration-s", type=float, default=600.0, help="Seconds of load, warm-up included.")
    parser.add_argument(
        "--warmup-s", type=float, default=60.0, help="First seconds left out of the figures (errors still count)."
    )
    parser.add_argument("--sample-s", type=float, default=2.0, help="Seconds between RSS samples.")
    parser.add_argument("--drain-s", type=float, default=120.0, help="How long jobs in flight at the end may take.")
    parser.add_argument("--format", default="wav", choices=["wav", "flac", "mp3", "opus", "m4a"])
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="A setting for the stack (repeatable)."
    )
    parser.add_argument("--json", type=Path, help="Also write the report as JSON to this file.")
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.env)
    options = Options(args.clients, args.duration_s, args.warmup_s, args.sample_s, args.drain_s, args.format, extra)
    report = run(options)
    print(render(report))
    if args.json:
        args.json.write_text(json.dumps(asdict(report), indent=2) + "\n")
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
