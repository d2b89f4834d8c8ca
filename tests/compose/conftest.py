"""Fixtures of the compose tests: a podman-compose that can run `config` (it checks `podman version`)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ENSURE_PODMAN = Path(__file__).with_name("ensure_podman.sh")


@pytest.fixture(scope="session")
def podman_compose() -> list[str]:
    """The command that runs podman-compose; fails (never skips) when it cannot be made to work."""
    if shutil.which("podman") is None:
        result = subprocess.run(["sh", str(ENSURE_PODMAN)], capture_output=True, text=True, timeout=600)
        if result.returncode != 0 or shutil.which("podman") is None:
            pytest.fail(f"podman is required by `podman-compose config`: {result.stderr.strip()}")
    try:
        import podman_compose  # noqa: F401
    except ImportError:
        pytest.fail("podman-compose is not installed: `pip install -e '.[dev]'` (it is in the dev extra)")
    return [sys.executable, "-m", "podman_compose"]
