"""POST /api/v1/jobs at fixed rates against a real API (SQLite + real Redis) on loopback.

Open-loop load: requests are sent on a fixed schedule whatever the answers do, and latency is
measured from the scheduled send time (so a stalled server is not hidden by a stalled client).
Each rate also runs GET /health at the same rate as the reference: the floor that uvicorn, the
loopback and this load generator cost on this machine. Reports p50/p99 per rate, the ratio to the
reference, the API process's CPU time per POST (from /proc; steadier than latency on a shared
machine), and the highest rate held with p99 < 50 ms.

    python bench/api_load.py [--seconds 5] [--rates 25,50,100,200,300,400,600]

The load generator shares this machine's cores with the API, so figures are a lower bound.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vocalio_cli.embedded_redis import EmbeddedRedis

from tests.support.processes import ApiProcess

P99_TARGET_MS = 50.0
TEXT = "El capítulo empieza en una estación de tren, a las siete y media de la mañana. " * 4


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run_rate(
    client: httpx.AsyncClient, method: str, path: str, rate: float, seconds: float, body: dict | None
) -> tuple[list[float], int]:
    interval = 1.0 / rate
    count = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter() + 0.05

    async def one(index: int) -> None:
        nonlocal errors
        scheduled = start + index * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            response = await client.request(method, path, json=body)
            if response.status_code >= 400:
                errors += 1
        except httpx.HTTPError:
            errors += 1
        latencies.append((time.perf_counter() - scheduled) * 1000)

    await asyncio.gather(*(one(i) for i in range(count)))
    return latencies, errors


async def main(rates: list[float], seconds: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="vocalio-bench-"))
    redis_server = EmbeddedRedis(workdir / "redis").start()
    api = ApiProcess(
        workdir / "api",
        redis_server.url,
        {
            "VOCALIO_RATE_REQUESTS_PER_MIN": "10000000",
            "VOCALIO_RATE_CHARS_PER_DAY": "2000000000",
            "VOCALIO_LOG_LEVEL": "WARNING",
        },
    )
    api.data_dir.mkdir(parents=True)
    api.start()
    assert api.process is not None
    api_pid = api.process.pid
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    held = 0.0
    print(
        f"{'rate/s':>7} {'POST p50':>9} {'POST p99':>9} {'health p50':>10} {'health p99':>10} "
        f"{'p99 ratio':>9} {'errors':>6} {'CPU/POST':>9}"
    )
    try:
        async with httpx.AsyncClient(base_url=api.base_url, headers=headers, limits=limits, timeout=30) as client:
            await run_rate(client, "POST", "/api/v1/jobs", 20, 1.0, {"text": TEXT})  # warm-up
            for rate in rates:
                reference, _ = await run_rate(client, "GET", "/health", rate, seconds, None)
                cpu_before = cpu_seconds(api_pid)
                posts, errors = await run_rate(
                    client, "POST", "/api/v1/jobs", rate, seconds, {"text": TEXT, "priority": "bulk"}
                )
                cpu_after = cpu_seconds(api_pid)
                cpu_ms = "n/a"
                if cpu_before is not None and cpu_after is not None:
                    cpu_ms = f"{(cpu_after - cpu_before) * 1000 / len(posts):.1f}ms"
                p50, p99 = statistics.median(posts), percentile(posts, 0.99)
                r50, r99 = statistics.median(reference), percentile(reference, 0.99)
                print(
                    f"{rate:>7.0f} {p50:>8.1f}ms {p99:>8.1f}ms {r50:>9.1f}ms {r99:>9.1f}ms "
                    f"{p99 / max(r99, 1e-6):>8.1f}x {errors:>6} {cpu_ms:>9}",
                    flush=True,
                )
                if p99 < P99_TARGET_MS and errors == 0:
                    held = rate
                else:
                    break
    finally:
        api.stop()
        redis_server.stop()
    print(f"\nhighest rate held with p99 < {P99_TARGET_MS:.0f} ms: {held:.0f} POST /api/v1/jobs per second")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rates", default="25,50,75,100,150,200,300,400")
    args = parser.parse_args()
    asyncio.run(main([float(r) for r in args.rates.split(",")], args.seconds))
