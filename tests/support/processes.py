"""Real service processes for tests: start, wait until ready, stop, restart, read their logs."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from vocalio_cli.embedded_redis import free_port


class ServiceProcess:
    def __init__(self, name: str, args: list[str], env: dict[str, str], ready_url: str, log_dir: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.ready_url = ready_url
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 30.0) -> "ServiceProcess":
        env = os.environ | self.env | {"PYTHONUNBUFFERED": "1"}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.args, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.logs()[-3000:]}")
            try:
                if httpx.get(self.ready_url, timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"{self.name} not ready after {timeout_s}s:\n{self.logs()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 15.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def restart(self) -> "ServiceProcess":
        self.stop()
        return self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class ApiProcess(ServiceProcess):
    """`vocalio api` on a free loopback port with its own data dir."""

    def __init__(self, data_dir: Path, redis_url: str, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.worker_token = "test-worker-token-0123456789"
        self.webhook_secret = "test-webhook-secret-0123456789"
        env = {
            "VOCALIO_DATA_DIR": str(data_dir),
            "VOCALIO_REDIS_URL": redis_url,
            "VOCALIO_PORT": str(self.port),
            "VOCALIO_HOST": "127.0.0.1",
            "VOCALIO_WORKER_TOKEN": self.worker_token,
            "VOCALIO_WEBHOOK_SECRET": self.webhook_secret,
            "VOCALIO_LOG_LEVEL": "INFO",
        } | (extra_env or {})
        args = [sys.executable, "-m", "vocalio_api.server"]
        super().__init__("api", args, env, f"{self.base_url}/ready", data_dir)

    @property
    def admin_key(self) -> str:
        return (self.data_dir / "admin-key.txt").read_text().strip()


class WorkerProcess(ServiceProcess):
    """`python -m vocalio_worker` (eSpeak engine) against an ApiProcess, its HTTP surface on a free port."""

    def __init__(
        self,
        api: ApiProcess,
        redis_url: str,
        log_dir: Path,
        worker_id: str = "worker-1",
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.worker_id = worker_id
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.worker_token = api.worker_token
        env = {
            "VOCALIO_API_URL": api.base_url,
            "VOCALIO_REDIS_URL": redis_url,
            "VOCALIO_WORKER_TOKEN": api.worker_token,
            "VOCALIO_WORKER_ID": worker_id,
            "VOCALIO_ENGINE": "espeak",
            "VOCALIO_METRICS_HOST": "127.0.0.1",
            "VOCALIO_METRICS_PORT": str(self.port),
            "VOCALIO_ADVERTISED_HOST": "127.0.0.1",
            "VOCALIO_LOG_LEVEL": "INFO",
            "VOCALIO_POLL_DELAY_S": "0.1",
            "VOCALIO_IN_PROGRESS_TTL_S": "3",
            "VOCALIO_KOKORO_OFFLINE": "1",  # a test worker never reaches for the Kokoro release on the network
        } | (extra_env or {})
        args = [sys.executable, "-m", "vocalio_worker"]
        super().__init__(worker_id, args, env, f"{self.base_url}/ready", log_dir)

    def metrics_text(self) -> str:
        return httpx.get(f"{self.base_url}/metrics", timeout=5).text


class UiProcess(ServiceProcess):
    """`python -m vocalio_ui.server` (the dashboard) against an ApiProcess, on a free loopback port."""

    def __init__(self, api: ApiProcess, log_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {
            "VOCALIO_API_URL": api.base_url,
            "VOCALIO_UI_HOST": "127.0.0.1",
            "VOCALIO_UI_PORT": str(self.port),
            "VOCALIO_UI_SESSION_SECRET": "test-ui-session-secret-0123456789",
            "VOCALIO_UI_POLL_INTERVAL_S": "1",
            "VOCALIO_LOG_LEVEL": "INFO",
        } | (extra_env or {})
        args = [sys.executable, "-m", "vocalio_ui.server"]
        super().__init__("ui", args, env, f"{self.base_url}/health", log_dir)
