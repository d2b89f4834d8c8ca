"""How much does the stack add on top of the engine? N jobs of one fixed text, one at a time.

Usage (from the repository root, with the dev environment):

    .venv/bin/python bench/stack_overhead.py                  # 20 jobs on a fresh embedded stack
    .venv/bin/python bench/stack_overhead.py --jobs 50 --format mp3
    .venv/bin/python bench/stack_overhead.py --api-url http://127.0.0.1:8000 --api-key vk_...  # a running stack

Without --api-url it starts its own stack in a temporary directory: a redis-server, the API
(`python -m vocalio_api.server`, SQLite) and one worker (`python -m vocalio_worker`, eSpeak).
Jobs run one after another, so each job's end-to-end time has no queueing in it.

Per job: engine time (the worker's `engine_time_ms`: the engine calls only) against end-to-end time
(the API's created_at → finished_at: submit, queue pick-up, text pipeline, engine, post-processing,
encoding, upload, status updates). Overhead = end-to-end − engine, in ms and as a share of
end-to-end. Jobs/min is N over the wall time of the whole run, client round trips included.

Then where the time goes, from the worker's own per-stage timings in the job's metrics (medians;
a stage an older worker does not report shows as n/a):
queue pick-up (enqueued → the worker starts it), text pipeline, voice lookup, engine,
post-processing, encoding, status updates the job waited on, upload; "worker, other" is the rest of
the worker's latency (event-loop hops, result building); "API side" is end-to-end minus pick-up
minus the worker's latency: the submit before enqueueing and the terminal update's round trip.
Shares are of the median end-to-end time, so they hold on a loaded machine better than the ms do.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
from vocalio_cli.embedded_redis import EmbeddedRedis, free_port

TEXT = (
    "Había una vez, en un pueblo pequeño junto al río, una niña que soñaba con el mar. "
    "Cada mañana caminaba hasta la colina para mirar el horizonte. ¿Llegaría algún día a ver las olas?"
)
WORKER_TOKEN = "bench-worker-token-0123456789"


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)


class EmbeddedStack:
    def __init__(self, directory: Path, engine: str = "espeak") -> None:
        self.directory = directory
        self.engine = engine
        self.processes: list[subprocess.Popen[bytes]] = []
        self.redis = EmbeddedRedis(directory / "redis")

    def start(self) -> tuple[str, str]:
        (self.directory / "redis").mkdir()
        self.redis.start()
        api_port, worker_port = free_port(), free_port()
        common = os.environ | {
            "VOCALIO_REDIS_URL": self.redis.url,
            "VOCALIO_WORKER_TOKEN": WORKER_TOKEN,
            "VOCALIO_LOG_LEVEL": "WARNING",
        }
        api_env = common | {
            "VOCALIO_DATA_DIR": str(self.directory / "api"),
            "VOCALIO_PORT": str(api_port),
            "VOCALIO_WEBHOOK_SECRET": "bench-webhook-secret-0123456789",
        }
        (self.directory / "api").mkdir()
        api_url = f"http://127.0.0.1:{api_port}"
        worker_env = common | {
            "VOCALIO_API_URL": api_url,
            "VOCALIO_ENGINE": self.engine,
            "VOCALIO_METRICS_HOST": "127.0.0.1",
            "VOCALIO_METRICS_PORT": str(worker_port),
            "VOCALIO_WORKER_ID": "bench-worker",
            "VOCALIO_POLL_DELAY_S": "0.05",
        }
        log = (self.directory / "stack.log").open("ab")
        api = subprocess.Popen([sys.executable, "-m", "vocalio_api.server"], env=api_env, stdout=log, stderr=log)
        self.processes.append(api)
        wait_ready(f"{api_url}/ready", api)
        worker = subprocess.Popen([sys.executable, "-m", "vocalio_worker"], env=worker_env, stdout=log, stderr=log)
        self.processes.append(worker)
        wait_ready(f"http://127.0.0.1:{worker_port}/ready", worker)
        return api_url, (self.directory / "api" / "admin-key.txt").read_text().strip()

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
            process.wait(30)
        self.redis.stop()


def run_jobs(api_url: str, api_key: str, count: int, output_format: str, poll_s: float = 0.01) -> list[dict]:
    jobs = []
    with httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30) as client:
        for _ in range(count):
            created = client.post("/api/v1/jobs", json={"text": TEXT, "output_format": output_format})
            created.raise_for_status()
            job_id = created.json()["id"]
            while True:
                job = client.get(f"/api/v1/jobs/{job_id}").json()
                if job["status"] in ("succeeded", "failed", "cancelled"):
                    break
                time.sleep(poll_s)
            if job["status"] != "succeeded":
                raise RuntimeError(f"job {job_id} {job['status']}: {job.get('error')}")
            jobs.append(job)
    return jobs


STAGES = (  # (label, JobMetrics field)
    ("queue pick-up", "queue_wait_ms"),
    ("text pipeline", "text_ms"),
    ("voice lookup", "voice_ms"),
    ("engine", "engine_time_ms"),
    ("post-processing", "postprocess_ms"),
    ("encoding", "encode_ms"),
    ("status (awaited)", "status_ms"),
    ("upload", "upload_time_ms"),
)


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.mean(values), statistics.median(values), p95


def end_to_end_ms(job: dict) -> float:
    finished, created = datetime.fromisoformat(job["finished_at"]), datetime.fromisoformat(job["created_at"])
    return (finished - created).total_seconds() * 1000


def report(jobs: list[dict], wall_s: float) -> None:
    e2e = [end_to_end_ms(job) for job in jobs]
    engine = [float(job["metrics"].get("engine_time_ms") or 0.0) for job in jobs]
    overhead = [total - used for total, used in zip(e2e, engine, strict=True)]
    share = [100 * o / t for o, t in zip(overhead, e2e, strict=True) if t > 0]
    audio_s = statistics.mean(job["result"]["duration_s"] for job in jobs)
    print(f"jobs: {len(jobs)}  text: {len(TEXT)} chars  audio: {audio_s:.2f} s per job")
    print(f"{'':<18}{'mean':>10}{'median':>10}{'p95':>10}")
    rows = (("engine ms", engine), ("end-to-end ms", e2e), ("overhead ms", overhead), ("overhead %", share))
    for name, values in rows:
        print(f"{name:<18}" + "".join(f"{figure:>10.1f}" for figure in percentiles(values)))
    print(f"overhead / engine: {statistics.median(overhead) / max(statistics.median(engine), 1e-9):.1f}x (medians)")
    print(f"throughput: {60 * len(jobs) / wall_s:.1f} jobs/min (sequential, {wall_s:.1f} s wall)")
    breakdown(jobs, statistics.median(e2e))


def breakdown(jobs: list[dict], e2e_median_ms: float) -> None:
    print(f"\nwhere the time goes (median ms, share of the {e2e_median_ms:.1f} ms median end-to-end)")
    accounted = 0.0
    for label, field in STAGES:
        values = [job["metrics"][field] for job in jobs if job["metrics"].get(field) is not None]
        if not values:
            print(f"  {label:<18}{'n/a':>9}")
            continue
        median = statistics.median(values)
        accounted += median if field != "queue_wait_ms" else 0.0
        print(f"  {label:<18}{median:>9.1f}{100 * median / e2e_median_ms:>8.1f} %")
    latency = [job["metrics"].get("latency_ms") for job in jobs]
    picked = [job["metrics"].get("queue_wait_ms") for job in jobs]
    if all(value is not None for value in latency):
        worker_ms = statistics.median(latency)
        if accounted:
            other = worker_ms - accounted
            print(f"  {'worker, other':<18}{other:>9.1f}{100 * other / e2e_median_ms:>8.1f} %")
        if all(value is not None for value in picked):
            api_ms = statistics.median(
                end_to_end_ms(job) - job["metrics"]["queue_wait_ms"] - job["metrics"]["latency_ms"] for job in jobs
            )
            print(f"  {'API side':<18}{api_ms:>9.1f}{100 * api_ms / e2e_median_ms:>8.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--format", default="wav", choices=["wav", "flac", "mp3", "opus", "m4a"])
    parser.add_argument("--api-url", help="Use a running stack instead of starting one.")
    parser.add_argument("--api-key", default=os.environ.get("VOCALIO_API_KEY"))
    parser.add_argument(
        "--poll-s",
        type=float,
        default=0.01,
        help="Seconds between the client's GET /api/v1/jobs/{id} while a job runs. Each GET is API work on "
        "the same CPUs; end-to-end is the API's created_at → finished_at, so a longer interval does not lengthen it.",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vocalio-bench-") as directory:
        stack = None
        if args.api_url:
            api_url, api_key = args.api_url, args.api_key
        else:
            stack = EmbeddedStack(Path(directory))
            api_url, api_key = stack.start()
        try:
            run_jobs(api_url, api_key, 1, args.format, args.poll_s)  # warm-up: first-call imports, caches
            started = time.monotonic()
            jobs = run_jobs(api_url, api_key, args.jobs, args.format, args.poll_s)
            report(jobs, time.monotonic() - started)
        finally:
            if stack:
                stack.stop()


if __name__ == "__main__":
    main()
