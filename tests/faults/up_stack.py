"""`vocalio up` as a real child process of the test, and the fault it injects: kill -9 of its children.

The supervisor's status file (data/supervisor.json) says which pid each child has; a kill is over when
the supervisor has started that child again and it is `running` (ready) under a new pid.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from vocalio_cli.embedded_redis import free_port

START_TIMEOUT_S = 150.0  # a first start imports everything on a shared 2-core machine
BACK_TIMEOUT_S = 90.0  # one child back after a kill: backoff plus its start


class UpStack:
    """One `vocalio up` on free loopback ports with a data dir of its own, eSpeak as the engine."""

    def __init__(self, root: Path, extra_env: dict[str, str]) -> None:
        self.root = root
        self.data_dir = root / "data"
        self.ports = {name: free_port() for name in ("api", "worker", "bridge", "ui")}
        self.api_url = f"http://127.0.0.1:{self.ports['api']}"
        self.log_path = root / "up.log"
        self.env = (
            {k: v for k, v in os.environ.items() if not k.startswith("VOCALIO_")}
            | {
                "VOCALIO_DATA_DIR": str(self.data_dir),
                "VOCALIO_PORT": str(self.ports["api"]),
                "VOCALIO_METRICS_PORT": str(self.ports["worker"]),
                "VOCALIO_LLM_BRIDGE_PORT": str(self.ports["bridge"]),
                "VOCALIO_UI_PORT": str(self.ports["ui"]),
                "VOCALIO_ENGINE": "espeak",
                "VOCALIO_KOKORO_OFFLINE": "1",
            }
            | extra_env
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.kills: list[str] = []  # every child killed, in order

    def start(self) -> "UpStack":
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
            assert self.process.poll() is None, self.logs()[-4000:]
            assert time.monotonic() < deadline, f"vocalio up not up after {START_TIMEOUT_S:.0f} s"
            time.sleep(0.3)
        return self

    @property
    def admin_key(self) -> str:
        found = re.search(r"Admin key\s+(vk_\S+)", self.logs())
        assert found is not None, self.logs()[-3000:]
        return found.group(1)

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def children(self) -> dict[str, dict[str, Any]]:
        status = json.loads((self.data_dir / "supervisor.json").read_text())
        return {child["name"]: child for child in status["children"]}

    def kill(self, *names: str) -> None:
        """kill -9 of these children at once; returns when each is running again under a new pid."""
        before = self.children()
        for name in names:
            assert before[name]["state"] == "running" and before[name]["pid"], before[name]
        for name in names:
            os.kill(before[name]["pid"], signal.SIGKILL)
            self.kills.append(name)
        deadline = time.monotonic() + BACK_TIMEOUT_S
        waiting = set(names)
        while waiting:
            assert self.process is not None and self.process.poll() is None, self.logs()[-4000:]
            assert time.monotonic() < deadline, f"{sorted(waiting)} not back: {self.children()}"
            now = self.children()
            for name in list(waiting):
                child = now[name]
                if child["state"] == "running" and child["pid"] not in (None, before[name]["pid"]):
                    assert child["restarts"] == before[name]["restarts"] + 1, child
                    assert child["last_exit"] == "killed by SIGKILL", child
                    waiting.discard(name)
            time.sleep(0.2)

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
