"""The worker as PID 1 waits for the other processes of its PID namespace (the preStop hook) before exiting."""

import subprocess
import sys
import time

import pytest
from vocalio_worker import pid_one

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_a_live_child_is_a_peer_and_a_zombie_or_reaped_one_is_not() -> None:
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert child.pid in pid_one.namespace_peers()
        child.kill()
        deadline = time.monotonic() + 5
        while pid_one.namespace_peers().count(child.pid) and time.monotonic() < deadline:
            time.sleep(0.02)  # killed, not yet reaped: a zombie, which PID 1's exit cannot kill again
        assert child.pid not in pid_one.namespace_peers()
    finally:
        child.kill()
        child.wait()
    assert child.pid not in pid_one.namespace_peers()


def test_not_pid_1_returns_at_once() -> None:
    started = time.monotonic()
    assert pid_one.wait_until_alone(timeout_s=5) == []
    assert time.monotonic() - started < 1
