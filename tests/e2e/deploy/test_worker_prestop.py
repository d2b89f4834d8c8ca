"""The worker Deployment's preStop hook, run for real: the hook command taken from the rendered manifest, a
real eSpeak worker as PID 1 of its own PID namespace (as in its container), a real API and Redis. The hook
must start the worker's drain, let the active job finish, leave the queued jobs queued, and return only
once the worker has deregistered and exited: what a scale-in, a node drain or a spot reclaim relies on."""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.deploy import manifests as m
from tests.e2e.worker.conftest import SLOW_TEXT, SLOW_WORKER, get_job, submit, wait_progress
from tests.support.processes import ApiProcess, WorkerProcess

# A PID namespace needs CAP_SYS_ADMIN: CI and the reference machines run the suite as root.
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("nsenter")),
    reason="needs root and util-linux's unshare/nsenter for a PID namespace",
)
GRACE_S = 60  # well above the ~5 s slow job; the hook must return when the worker exits, not at its bound


@pytest.fixture
def api(tmp_path: Path, redis_url: str) -> Iterator[ApiProcess]:
    data_dir = tmp_path / "api"
    data_dir.mkdir()
    process = ApiProcess(data_dir, redis_url, {"VOCALIO_HEARTBEAT_INTERVAL_S": "1"})
    process.start()
    yield process
    process.stop()


def _prestop_command() -> list[str]:
    docs = m.load_documents(m.render_module().render_overlay("production"))
    hook = m.container(m.find(docs, "Deployment", "vocalio-worker"), "worker")["lifecycle"]["preStop"]["exec"]
    command = list(hook["command"])
    assert command[0] == "python"  # the image's interpreter; here the suite's
    return [sys.executable, *command[1:]]


def _child_pid(parent: int) -> int:
    """unshare --fork runs the worker as its child: the worker's PID outside the namespace."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise AssertionError("unshare started no worker")


def test_the_prestop_hook_drains_the_worker_before_returning(api: ApiProcess, redis_url: str, tmp_path: Path) -> None:
    worker = WorkerProcess(
        api, redis_url, tmp_path, "worker-1", {f"VOCALIO_{k.upper()}": v for k, v in SLOW_WORKER.items()}
    )
    worker.env["VOCALIO_SHUTDOWN_GRACE_S"] = str(GRACE_S)
    # The worker as PID 1 of a new PID namespace, as the container runtime starts it (network shared: loopback).
    worker.args = ["unshare", "--pid", "--fork", "--kill-child", *worker.args]
    worker.start(timeout_s=60)
    try:
        assert worker.process is not None
        worker_pid = _child_pid(worker.process.pid)
        headers = {"Authorization": f"Bearer {api.admin_key}"}
        with httpx.Client(base_url=api.base_url, headers=headers, timeout=15) as client:
            active = submit(client, SLOW_TEXT)
            wait_progress(client, active, 30)
            queued = [submit(client, f"Espera en la cola {n}.") for n in range(2)]

            started = time.monotonic()
            hook = subprocess.run(
                ["nsenter", "--target", str(worker_pid), "--pid", "--", *_prestop_command()],
                env=os.environ | {"VOCALIO_METRICS_PORT": str(worker.port), "VOCALIO_SHUTDOWN_GRACE_S": str(GRACE_S)},
                capture_output=True,
                text=True,
                timeout=GRACE_S + 30,
            )
            took_s = time.monotonic() - started
            # -9 would be the kernel's SIGKILL of the namespace's other processes when its PID 1 exits:
            # the worker waits for the hook to end first (vocalio_worker.pid_one). Not a timeout: that
            # raises TimeoutExpired, at the hook's own bound (grace + 20 s) plus 10 s.
            assert hook.returncode == 0, hook.stderr
            # The hook returned because the worker had closed its server (its last step before exiting),
            # not because its bound ran out; the process then exits cleanly on its own.
            assert took_s < GRACE_S
            assert '"deregistered"' in worker.logs()
            assert worker.process.wait(timeout=15) == 0, worker.logs()[-3000:]
            assert get_job(client, active)["status"] == "succeeded"
            for job_id in queued:
                job = get_job(client, job_id)
                assert job["status"] == "queued" and job["attempts"] == 0, job
            state = client.get("/api/v1/workers/worker-1").json()["state"]
            assert state == "SHUTDOWN"
    finally:
        worker.stop(signal.SIGKILL)
