"""Prometheus binaries for the observability tests: installed by ensure_prometheus.sh when missing."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PROMETHEUS_DIR = ROOT / "prometheus"
GRAFANA_DIR = ROOT / "grafana"
ENSURE_PROMETHEUS = Path(__file__).with_name("ensure_prometheus.sh")


def require_binary(name: str) -> str:
    """The path of `prometheus` or `promtool`; fails the test (never skips) when it cannot be had."""
    path = shutil.which(name)
    if path is None:
        result = subprocess.run(["sh", str(ENSURE_PROMETHEUS)], capture_output=True, text=True, timeout=900)
        path = shutil.which(name)
        if path is None:
            pytest.fail(f"{name} is required by the observability tests: {result.stderr.strip()}")
    return path
