"""The soak's CI run: bench/soak.py for 60 s of load with three clients against a fresh `vocalio up`
(eSpeak, loopback): no error of any kind, every job submitted succeeded exactly once, and an RSS slope
for every process of the stack. The 10-minute run is the bench script's default; see
docs/development/benchmarks.md#load-and-soak.
"""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "test-artifacts" / "soak.json"

# The bench owns the load, the checks and the figures; the test runs the same code.
_spec = importlib.util.spec_from_file_location("soak", ROOT / "bench" / "soak.py")
assert _spec is not None and _spec.loader is not None
soak = importlib.util.module_from_spec(_spec)
sys.modules["soak"] = soak  # dataclasses look their module up
_spec.loader.exec_module(soak)

STACK = {"supervisor", "redis", "api", "worker", "llm_bridge", "ui"}
# A slope over 45 s is noise-dominated: one allocator arena or GC step of 10-20 MB in the window reads
# as 20-40 MB/min. Only a leak of about a megabyte every two jobs (~100 jobs/min here) goes past this;
# the 10-minute run is where a slow leak shows.
LEAK_MB_PER_MIN = 60.0


def test_slope_is_the_least_squares_fit_in_mb_per_minute() -> None:
    points = [(t, 100 + 0.5 * t + (1 if t % 4 else -1)) for t in range(0, 60, 2)]  # 30 MB/min, ±1 MB
    assert soak.slope_per_min(points) == pytest.approx(30.0, abs=1.0)
    assert soak.slope_per_min([(0, 100), (2, 100), (4, 100)]) == 0
    assert soak.slope_per_min([(0, 100), (2, 101)]) is None  # too few to call


def test_the_late_slope_tells_growth_that_levels_off_from_a_leak() -> None:
    levels_off = [(t, 100 + min(t, 30) * 0.5) for t in range(0, 120, 2)]  # +15 MB in 30 s, then flat
    leaks = [(t, 100 + 0.1 * t) for t in range(0, 120, 2)]  # 6 MB/min throughout
    assert soak.slope_per_min(levels_off) > 3  # the whole window's slope cannot tell them apart
    assert soak.slope_per_min(soak.later_half(levels_off)) == pytest.approx(0.0, abs=1e-9)
    assert soak.slope_per_min(soak.later_half(leaks)) == pytest.approx(6.0, abs=1e-6)
    assert [t for t, _ in soak.later_half(leaks)] == list(range(60, 120, 2))
    assert soak.later_half([]) == []


@pytest.mark.slow
@pytest.mark.timeout(480)  # up to 180 s of start-up on a loaded machine, 60 s of load, the drain, the stop
def test_a_minute_of_load_loses_nothing_and_reports_memory_per_process(tmp_path: Path) -> None:
    options = soak.Options(clients=3, duration_s=60.0, warmup_s=15.0, sample_s=1.0, drain_s=60.0)
    report = soak.run(options, keep_dir=tmp_path)
    summary = soak.render(report)
    print("\n" + summary)
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(soak.asdict(report), indent=2) + "\n")

    assert report.errors == {}, summary + "\n" + (tmp_path / "soak-up.log").read_text()[-4000:]
    assert report.submitted >= 3 * options.clients, summary  # it did put a load on the stack
    assert report.succeeded == report.submitted and report.lost == 0 and report.duplicates == 0, summary
    assert report.retried == 0, summary  # nothing was killed: no job needed a second attempt
    assert report.ok, summary
    for name in ("submit", "terminal", "end_to_end"):
        assert report.latency_ms[name]["n"] > 0, summary

    by_name = {process.name: process for process in report.memory}
    assert set(by_name) == STACK, summary
    for process in by_name.values():
        assert len(process.pids) == 1, summary  # no process was replaced during the run
        assert process.samples >= 30 and process.slope_mb_per_min is not None, summary
        assert process.slope_mb_per_min < LEAK_MB_PER_MIN, summary
