"""`vocalio up`'s supervisor on real child processes: restart with backoff, the crash-loop limit, the
status file and `vocalio status`."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner
from vocalio_cli.main import app
from vocalio_cli.supervisor import (
    ChildState,
    RestartPolicy,
    Supervised,
    Supervisor,
    describe_exit,
    read_status,
)

FAST = RestartPolicy(backoff_base_s=0.05, backoff_cap_s=0.4, jitter=0.0, crash_loop_restarts=3, crash_loop_window_s=60)


def python_child(name: str, code: str) -> Supervised:
    return Supervised(name, lambda: subprocess.Popen([sys.executable, "-c", code]), stop_grace_s=5)


def sleeper(name: str) -> Supervised:
    return python_child(name, "import time; time.sleep(120)")


def until(condition, timeout_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def supervisor(tmp_path: Path) -> Supervisor:
    return Supervisor([sleeper("api"), sleeper("worker")], tmp_path / "supervisor.json", FAST)


def test_a_killed_child_is_started_again_and_the_others_are_left_alone(supervisor: Supervisor) -> None:
    supervisor.start_all(lambda child: None)
    api, worker = supervisor.children
    assert api.process is not None and worker.process is not None
    first_pid, api_pid = worker.process.pid, api.process.pid
    try:
        os.kill(first_pid, signal.SIGKILL)

        def restarted() -> bool:
            supervisor.poll_once()
            return worker.process is not None and worker.process.pid != first_pid and worker.state == ChildState.RUNNING

        until(restarted)
        assert worker.restarts == 1 and worker.last_exit_code == -signal.SIGKILL
        assert api.process.pid == api_pid and api.restarts == 0
        status = read_status(supervisor.status_path)
        assert status is not None and status["alive"] and status["state"] == "running"
        by_name = {child["name"]: child for child in status["children"]}
        assert by_name["worker"]["pid"] == worker.process.pid
        assert by_name["worker"]["restarts"] == 1 and by_name["worker"]["last_exit"] == "killed by SIGKILL"
    finally:
        supervisor.stop_all()
    assert all(child.process is not None and child.process.poll() is not None for child in supervisor.children)
    assert json.loads(supervisor.status_path.read_text())["state"] == "stopped"


def test_a_crash_loop_gives_up_with_the_child_and_its_exit_code(tmp_path: Path) -> None:
    supervisor = Supervisor(
        [sleeper("api"), python_child("worker", "raise SystemExit(3)")], tmp_path / "supervisor.json", FAST
    )
    supervisor.start_all(lambda child: None)
    started = time.monotonic()
    try:
        code = supervisor.watch(lambda: False)
    finally:
        supervisor.stop_all()
    assert code == 1
    assert time.monotonic() - started < 5  # 0.05 + 0.1 + 0.2 s of backoff, then the fourth exit gives up
    worker = supervisor.children[1]
    assert worker.restarts == FAST.crash_loop_restarts
    assert supervisor.reason is not None and "worker" in supervisor.reason and "exit code 3" in supervisor.reason
    status = json.loads(supervisor.status_path.read_text())
    assert status["state"] == "gave_up" and status["reason"] == supervisor.reason


def test_deaths_further_apart_than_the_window_never_add_up_to_a_loop(tmp_path: Path) -> None:
    child = python_child("worker", "raise SystemExit(1)")
    supervisor = Supervisor([child], tmp_path / "supervisor.json", FAST)
    supervisor.start_all(lambda child: None)
    now = 1000.0
    for _ in range(10):  # one death every 100 s: each restart waits the first backoff only
        assert child.process is not None
        child.process.wait()
        supervisor.poll_once(now)
        assert child.state == ChildState.BACKOFF and child.next_start_at == pytest.approx(now + FAST.backoff_base_s)
        now += 100.0
        supervisor.poll_once(now)  # due: started again
    assert child.restarts == 10 and supervisor.state == "running"
    supervisor.stop_all()


def test_backoff_doubles_to_its_cap_with_bounded_jitter() -> None:
    policy = RestartPolicy(backoff_base_s=0.5, backoff_cap_s=30.0, jitter=0.0)
    assert [policy.delay_s(n, random.Random(1)) for n in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    jittered = RestartPolicy(backoff_base_s=1.0, jitter=0.2)
    delays = [jittered.delay_s(0, random.Random(seed)) for seed in range(200)]
    assert min(delays) >= 0.8 and max(delays) <= 1.2 and max(delays) - min(delays) > 0.2


def test_exit_codes_are_said_plainly() -> None:
    assert describe_exit(-9) == "killed by SIGKILL"
    assert describe_exit(3) == "exit code 3"


def test_vocalio_status_prints_the_children_and_says_when_nothing_runs(supervisor: Supervisor, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["status", "--data-dir", str(tmp_path / "elsewhere")])
    assert missing.exit_code == 1 and "not running" in missing.output

    supervisor.start_all(lambda child: None)
    try:
        shown = runner.invoke(app, ["status", "--data-dir", str(tmp_path)])
        assert shown.exit_code == 0, shown.output
        assert "vocalio up: running" in shown.output
        assert [line.split()[0] for line in shown.output.splitlines()[2:]] == ["api", "worker"]
        as_json = runner.invoke(app, ["status", "--data-dir", str(tmp_path), "--json"])
        assert json.loads(as_json.output)["children"][1]["state"] == "running"
    finally:
        supervisor.stop_all()
    stopped = runner.invoke(app, ["status", "--data-dir", str(tmp_path)])
    assert stopped.exit_code == 1 and "stopped" in stopped.output
