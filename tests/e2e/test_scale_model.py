"""bench/scale_model.py in its bounded CI mode: a real API, redis-server and PostgreSQL, 5 and 20
simulated workers per mode (pull and push), every job done exactly once and every figure measured."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]

# Figures every round measures directly (> 0).
POSITIVE = [
    "heartbeats_per_s_idle",
    "api_cpu_ms_per_heartbeat",
    "redis_ops_per_heartbeat",
    "offered_jobs_per_s",
    "sustained_jobs_per_s",
    "dispatch_p50_ms",
    "dispatch_p99_ms",
    "pg_rows_per_job",
    "pg_bytes_per_job",
]
# A job's cost beyond the fleet's idle cost: > 0 unless the round saturated the API (then a starved
# API's long polls slow down and the difference means nothing; the model leaves those rounds out).
# Redis and PostgreSQL CPU per job are left out: over a few seconds they are a tick or two of /proc's
# 10 ms clock.
PER_JOB = ["api_cpu_ms_per_job", "redis_ops_per_job"]


@pytest.mark.timeout(900)  # the suite's 300 s is too short where the API alone takes minutes to start
def test_the_scale_model_ci_run_loses_no_job_gives_none_twice_and_measures_every_figure(tmp_path: Path) -> None:
    out, picture = tmp_path / "scale.json", tmp_path / "scale.png"
    run = subprocess.run(
        [sys.executable, "bench/scale_model.py", "--ci", "--json", str(out), "--plot", str(picture)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=840,  # 1–5 min on the 2-core reference machine, by its load; most of it starting the API
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(out.read_text())
    rounds = report["rounds"]
    assert [(r["mode"], r["workers"]) for r in rounds] == [("pull", 5), ("pull", 20), ("push", 5), ("push", 20)]
    for figures in rounds:
        assert figures["jobs"] >= 10, figures  # 10 or 20 offered, all finished
        assert figures["lost"] == 0 and figures["duplicated"] == 0, figures
        for name in POSITIVE:
            assert figures[name] > 0, (name, figures)
        if figures["sustained_jobs_per_s"] >= 0.9 * figures["offered_jobs_per_s"]:
            for name in PER_JOB:
                assert figures[name] > 0, (name, figures)
    for mode in ("pull", "push"):
        model = report["models"][mode]
        assert set(model["workers_carried"]) == {"API process", "Redis", "PostgreSQL (one core)"}
        assert all(count > 0 for count in model["workers_carried"].values()), model
        assert model["saturates_first"] in model["workers_carried"]
    assert "saturates first" in run.stdout and "API ms/hb" in run.stdout
    assert picture.stat().st_size > 10_000
