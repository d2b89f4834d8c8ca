#!/usr/bin/env python3
"""`make stack-test`: builds the images with podman and really runs the stack.

1. podman (with runc) and debootstrap, installed with apt when run as root and missing; podman runs
   with stack/containers.conf (CONTAINERS_CONF) so the system's configuration is left alone.
2. Stand-ins for the public base images (stack/standins/: a debootstrap rootfs, tagged with the
   public names), since there is no registry to pull from; then the Vocalio images (podman-compose build).
3. The CPU stack (compose.yaml + compose.cpu.yaml, Grafana left out), from a clone with no `.env` secret
   (secrets-init generates them; the admin key is read from the api container and its log): every service brought up in
   dependency order and its healthcheck driven until healthy (podman < 4.6 runs no healthcheck timers
   and podman-compose ignores `condition: service_healthy` there), a job submitted through the published
   API, its audio downloaded, Prometheus' targets up.
4. The split-VM layout: compose.services.yaml and compose.models.yaml (+ compose.cpu.yaml) as two
   projects that meet only through ports published on 127.0.0.1; a job across them.

Everything it creates (containers, volumes, networks of its projects) is removed at the end, also on
failure or Ctrl-C; images stay as a build cache (`--keep` leaves the stacks up for a look).
Prints one line per check and ends with `N passed, N failed`; exits non-zero when anything failed.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK = ROOT / "stack"
# Overridable so that two checkouts on one machine do not share images or projects.
IMAGE_TAG = os.environ.get("STACK_TEST_IMAGE_TAG", "stack-test")
PREFIX = os.environ.get("STACK_TEST_PREFIX", "vocalio-stacktest")
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
JOB_TEXT = "Hola, esto es una prueba de Vocalio: el 3 de mayo de 2024 llegaron 25 libros a la biblioteca."
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.0f}s] {message}", flush=True)


class Failed(Exception):
    """A check failed in a way that stops the rest of its phase (reported: already counted as a FAIL)."""

    def __init__(self, message: str, reported: bool = False) -> None:
        super().__init__(message)
        self.reported = reported


class Results:
    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            log(f"PASS {name}" + (f" ({detail})" if detail else ""))
        else:
            self.failed.append(name)
            log(f"FAIL {name}" + (f": {detail}" if detail else ""))
        return ok

    def require(self, name: str, ok: bool, detail: str = "") -> None:
        if not self.check(name, ok, detail):
            raise Failed(name, reported=True)


def run(
    cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 600, check: bool = False, quiet: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, env=env, timeout=timeout, text=True, capture_output=quiet, cwd=ROOT)
    if check and result.returncode != 0:
        tail = ((result.stdout or "") + (result.stderr or ""))[-3000:]
        raise Failed(f"{' '.join(cmd[:6])} exited {result.returncode}\n{tail}")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---- prerequisites -----------------------------------------------------------------------------


def ensure_tools() -> None:
    # dnsname: containers find each other by service name on podman's CNI networks (podman 4.3).
    tools = (
        ("podman", "podman"),
        ("runc", "runc"),
        ("debootstrap", "debootstrap"),
        ("/usr/lib/cni/dnsname", "golang-github-containernetworking-plugin-dnsname"),
    )

    def present(tool: str) -> bool:
        if tool.startswith("/"):
            return Path(tool).exists()
        return shutil.which(tool) is not None or Path(f"/usr/sbin/{tool}").exists()

    missing = [pkg for tool, pkg in tools if not present(tool)]
    if missing:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise Failed(f"missing {', '.join(missing)}: install them (apt-get install {' '.join(missing)})")
        log(f"installing {' '.join(missing)} with apt-get")
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
        if run(install, env=env, timeout=900).returncode != 0:
            run(["apt-get", "update", "-qq"], env=env, timeout=600)
            run(install, env=env, timeout=900, check=True)
    os.environ.setdefault("CONTAINERS_CONF", str(STACK / "containers.conf"))
    os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    try:
        import podman_compose  # noqa: F401
    except ImportError as exc:
        raise Failed("podman-compose is not installed: `pip install -e '.[dev]'` (make stack-test does)") from exc


# ---- one compose project -----------------------------------------------------------------------


class Project:
    """A podman-compose project: its files, its environment, its containers."""

    def __init__(self, name: str, files: list[Path], env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.files = files
        self.env_file = workdir / f"{name}.env"
        self.env_file.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
        # The developer's own VOCALIO_* settings never leak in: only the env file speaks.
        self.process_env = {k: v for k, v in os.environ.items() if not k.startswith(("VOCALIO_", "STACK_TEST_"))}
        self.started = False

    def compose_cmd(self, *args: str) -> list[str]:
        cmd = [sys.executable, "-m", "podman_compose", "--env-file", str(self.env_file), "-p", self.name]
        for file in self.files:
            cmd += ["-f", str(file)]
        return cmd + list(args)

    def compose(
        self, *args: str, timeout: float = 600, check: bool = True, quiet: bool = True, pre: Iterable[str] = ()
    ) -> subprocess.CompletedProcess[str]:
        cmd = self.compose_cmd()
        cmd[3:3] = list(pre)  # global options go before the file list
        return run(cmd + list(args), env=self.process_env, timeout=timeout, check=check, quiet=quiet)

    def container(self, service: str) -> str:
        out = run(
            [
                "podman",
                "ps",
                "-a",
                "--format",
                "{{.Names}}",
                "--filter",
                f"label=com.docker.compose.project={self.name}",
                "--filter",
                f"label=com.docker.compose.service={service}",
            ],
            check=True,
        ).stdout.split()
        if not out:
            raise Failed(f"{self.name}: no container for {service}")
        return sorted(out)[0]

    def up(self, *services: str) -> None:
        self.started = True
        self.compose("up", "-d", "--no-deps", "--no-build", *services, timeout=300)

    def state(self, name: str) -> dict:
        out = run(["podman", "inspect", "--format", "{{json .State}}", name], check=True).stdout
        return json.loads(out)

    def logs_tail(self, name: str, lines: int = 25) -> str:
        result = run(["podman", "logs", "--tail", str(lines), name])
        return (result.stdout + result.stderr).strip()

    def wait_healthy(self, results: Results, service: str, timeout: float) -> bool:
        """Drives the service's compose healthcheck (`podman healthcheck run`) until it passes."""
        name = self.container(service)
        deadline = time.monotonic() + timeout
        tries = 0
        while time.monotonic() < deadline:
            state = self.state(name)
            if not state.get("Running"):
                return results.check(
                    f"{self.name}: {service} healthy",
                    False,
                    f"container stopped (exit {state.get('ExitCode')})\n{self.logs_tail(name)}",
                )
            tries += 1
            if run(["podman", "healthcheck", "run", name], timeout=60).returncode == 0:
                return results.check(f"{self.name}: {service} healthy", True, f"after {tries} healthcheck runs")
            time.sleep(2)
        return results.check(
            f"{self.name}: {service} healthy",
            False,
            f"healthcheck still failing after {timeout:.0f}s\n{self.logs_tail(name)}",
        )

    def wait_completed(self, results: Results, service: str, timeout: float) -> bool:
        name = self.container(service)
        result = run(["podman", "wait", name], timeout=timeout)
        code = result.stdout.strip()
        return results.check(
            f"{self.name}: {service} completed successfully",
            code == "0",
            "" if code == "0" else f"exit {code or result.stderr.strip()}\n{self.logs_tail(name)}",
        )

    def published_addresses(self) -> list[str]:
        names = run(
            ["podman", "ps", "--format", "{{.Names}}", "--filter", f"label=com.docker.compose.project={self.name}"],
            check=True,
        ).stdout.split()
        lines = []
        for name in names:
            lines += [f"{name} {line}" for line in run(["podman", "port", name]).stdout.splitlines() if line.strip()]
        return lines

    def exec(self, service: str, *cmd: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return run(["podman", "exec", self.container(service), *cmd], timeout=timeout)

    def down(self) -> None:
        """compose down -v, then anything left with the project's label (containers, volumes, networks)."""
        if not self.started:
            return
        self.compose("down", "-v", "-t", "15", timeout=300, check=False)
        label = f"label=io.podman.compose.project={self.name}"
        for kind, list_cmd in (
            ("container", ["podman", "ps", "-aq", "--filter", label]),
            ("volume", ["podman", "volume", "ls", "-q", "--filter", label]),
            ("network", ["podman", "network", "ls", "-q", "--filter", label]),
        ):
            leftovers = run(list_cmd).stdout.split()
            if leftovers:
                run(["podman", kind, "rm", "-f", *leftovers], timeout=120)
        leftovers = [
            n
            for n in run(["podman", "network", "ls", "--format", "{{.Name}}"]).stdout.split()
            if n.startswith(self.name + "_")
        ]
        if leftovers:
            run(["podman", "network", "rm", "-f", *leftovers], timeout=120)
        self.started = False


# ---- HTTP against published ports --------------------------------------------------------------


def http(
    method: str,
    url: str,
    *,
    token: str | None = None,
    body: dict | None = None,
    timeout: float = 30,
    context: ssl.SSLContext | None = None,
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


AUDIO_MAGIC = {
    "wav": [b"RIFF"],
    "flac": [b"fLaC"],
    "ogg": [b"OggS"],
    "opus": [b"OggS"],
    "mp3": [b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"],
}


def job_round_trip(
    results: Results, label: str, api: str, token: str, timeout: float = 300, context: ssl.SSLContext | None = None
) -> None:
    """Submits a job through the published API, waits for it, downloads and checks its audio."""
    call = functools.partial(http, context=context)  # the proxy's CA, for an https:// API
    status, headers, raw = call(
        "POST",
        f"{api}/api/v1/jobs",
        token=token,
        body={"text": JOB_TEXT, "expand": True, "metadata": {"source": "make stack-test"}},
    )
    results.require(
        f"{label}: job accepted (POST /api/v1/jobs)",
        status == 202,
        f"HTTP {status}" + ("" if status == 202 else f" {raw[:300]!r}"),
    )
    job = json.loads(raw)
    job_id = job["id"]
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        status, _, raw = call("GET", f"{api}/api/v1/jobs/{job_id}", token=token)
        job = json.loads(raw) if status == 200 else {}
        if job.get("status") and (not seen or seen[-1] != job["status"]):
            seen.append(job["status"])
        if job.get("status") in {"succeeded", "failed", "cancelled"}:
            break
        time.sleep(1)
    results.require(
        f"{label}: job succeeded",
        job.get("status") == "succeeded",
        f"job {job_id}: {json.dumps(job.get('result'))[:200]}"
        if job.get("status") == "succeeded"
        else f"statuses {' -> '.join(seen)}; last {json.dumps(job)[:800]}",
    )
    source = (job.get("metrics") or {}).get("expand_source")
    results.check(
        f"{label}: the worker expanded the text through the llm_bridge",
        source in {"rules", "ollama", "cache"},
        f"expand_source={source} (local = the bridge was unreachable)",
    )
    status, _, raw = call("GET", f"{api}/api/v1/jobs/{job_id}/events/history", token=token)
    stages = []
    for event in json.loads(raw) if status == 200 else []:
        if not stages or stages[-1] != event["status"]:
            stages.append(event["status"])
    results.check(
        f"{label}: job went through the worker's stages (events history)",
        {"queued", "synthesizing", "succeeded"} <= set(stages),
        " -> ".join(stages) or f"HTTP {status}",
    )
    status, headers, audio = call("GET", f"{api}/api/v1/jobs/{job_id}/audio", token=token, timeout=60)
    content_type = headers.get("content-type", headers.get("Content-Type", ""))
    fmt = (job.get("params") or {}).get("output_format") or job.get("output_format") or "wav"
    magic_ok = any(audio.startswith(m) for m in AUDIO_MAGIC.get(fmt, [b""]))
    results.check(
        f"{label}: audio downloaded (GET /api/v1/jobs/{{id}}/audio)",
        status == 200 and len(audio) > 4000 and magic_ok,
        f"HTTP {status}, {len(audio)} bytes, {content_type}, {fmt}, starts {audio[:4]!r}",
    )


def check_loopback_only(results: Results, project: Project) -> None:
    lines = project.published_addresses()
    bad = [line for line in lines if "127.0.0.1:" not in line]
    results.check(
        f"{project.name}: every published port is on 127.0.0.1", bool(lines) and not bad, "; ".join(bad or lines)
    )


def check_prometheus_targets(results: Results, project: Project, jobs: set[str], timeout: float = 90) -> None:
    """Prometheus (not published) asked from inside its container: every expected job has a target up."""
    deadline = time.monotonic() + timeout
    health: dict[str, list[str]] = {}
    while time.monotonic() < deadline:
        result = project.exec("prometheus", "wget", "-qO-", "http://127.0.0.1:9090/api/v1/targets")
        if result.returncode == 0:
            targets = json.loads(result.stdout)["data"]["activeTargets"]
            health = {}
            for target in targets:
                health.setdefault(target["labels"]["job"], []).append(target["health"])
            if all(health.get(job) and all(h == "up" for h in health[job]) for job in jobs):
                break
        time.sleep(3)
    results.check(
        f"{project.name}: Prometheus has {', '.join(sorted(jobs))} up",
        all(health.get(job) and all(h == "up" for h in health[job]) for job in jobs),
        json.dumps(health),
    )


def admin_key(results: Results, project: Project) -> str:
    result = project.exec("api", "cat", "/data/admin-key.txt")
    key = result.stdout.strip()
    results.require(
        f"{project.name}: admin key readable in the api container",
        result.returncode == 0 and bool(key),
        result.stderr.strip(),
    )
    logs = run(["podman", "logs", project.container("api")])
    results.check(f"{project.name}: admin key printed by `logs api` on first start", key in logs.stdout + logs.stderr)
    return key


def secret_file(results: Results, project: Project, name: str) -> str:
    """One file of the secrets volume that secrets-init filled (there is no `.env` holding it)."""
    result = project.exec("api", "cat", f"/run/vocalio-secrets/{name}")
    results.require(f"{project.name}: secrets-init wrote {name}", result.returncode == 0 and bool(result.stdout))
    return result.stdout


def check_no_secret_in_environments(results: Results, project: Project, services: list[str]) -> None:
    """Secrets are files: no container's environment (what `inspect` shows) holds the generated worker token."""
    token = secret_file(results, project, "vocalio_worker_token").strip()
    holders = [
        service
        for service in services
        if token in run(["podman", "inspect", "--format", "{{json .Config.Env}}", project.container(service)]).stdout
    ]
    results.check(f"{project.name}: no container has a secret in its environment", not holders, ", ".join(holders))


def check_worker_registered(
    results: Results, label: str, api: str, token: str, timeout: float = 60, context: ssl.SSLContext | None = None
) -> None:
    deadline = time.monotonic() + timeout
    workers: list = []
    while time.monotonic() < deadline:
        status, _, raw = http("GET", f"{api}/api/v1/workers", token=token, context=context)
        if status == 200:
            workers = json.loads(raw)["items"]
            if any(str(w["state"]).upper() == "IDLE" for w in workers):
                break
        time.sleep(2)
    results.check(
        f"{label}: a worker registered with the API and is IDLE",
        any(str(w["state"]).upper() == "IDLE" for w in workers),
        ", ".join(f"{w['worker_id']}@{w['host']}={w['state']}" for w in workers) or "no worker",
    )


# ---- the phases --------------------------------------------------------------------------------


def build_images(results: Results, workdir: Path) -> None:
    log("stand-in base images (stack/standins/build.sh)")
    result = run(["sh", str(STACK / "standins" / "build.sh")], timeout=1800, quiet=False)
    results.require("stand-in base images built", result.returncode == 0)
    project = cpu_project(workdir)
    pre = ["--parallel", "1"]  # one build at a time: the machine has 2 cores
    if HOST_CA_BUNDLE.exists():  # builds trust what this host trusts (TLS-intercepting proxies)
        pre.append(f"--podman-build-args=-v {HOST_CA_BUNDLE}:/etc/ssl/certs/ca-certificates.crt:ro")
    log("building the Vocalio images (podman-compose build)")
    started = time.monotonic()
    result = project.compose("build", "api", "llm_bridge", "ui", "worker", timeout=3600, check=False, pre=pre)
    results.require(
        "Vocalio images built (api, llm_bridge, ui, worker cpu)",
        result.returncode == 0,
        f"{time.monotonic() - started:.0f}s" if result.returncode == 0 else (result.stdout + result.stderr)[-4000:],
    )


def secrets_env() -> dict[str, str]:
    """A fresh clone's environment: no secret at all (secrets-init generates them), only the image tag."""
    return {"VOCALIO_IMAGE_TAG": IMAGE_TAG}


_cpu_project: Project | None = None


def cpu_project(workdir: Path) -> Project:
    global _cpu_project
    if _cpu_project is None:
        env = secrets_env() | {
            "VOCALIO_BIND_ADDRESS": "127.0.0.1",
            "VOCALIO_API_PUBLISHED_PORT": str(free_port()),
            "VOCALIO_UI_PUBLISHED_PORT": str(free_port()),
        }
        files = [ROOT / "compose.yaml", ROOT / "compose.cpu.yaml", STACK / "compose.stack-test.yaml"]
        _cpu_project = Project(f"{PREFIX}-cpu", files, env, workdir)
        _cpu_project.env = env  # type: ignore[attr-defined]
    return _cpu_project


def bring_up(results: Results, project: Project, steps: list[tuple[str, list[str], float]]) -> None:
    """steps: ("healthy" | "completed", services, timeout), each step after the previous one holds."""
    for kind, services, timeout in steps:
        log(f"{project.name}: up {' '.join(services)}")
        project.up(*services)
        for service in services:
            ok = (
                project.wait_healthy(results, service, timeout)
                if kind == "healthy"
                else project.wait_completed(results, service, timeout)
            )
            if not ok:
                raise Failed(f"{project.name}: {service}", reported=True)


def cpu_stack(results: Results, workdir: Path) -> None:
    project = cpu_project(workdir)
    env = project.env  # type: ignore[attr-defined]
    try:
        bring_up(
            results,
            project,
            [
                ("completed", ["secrets-init"], 120),
                ("healthy", ["redis", "postgres"], 120),
                ("completed", ["migrate"], 180),
                ("healthy", ["api"], 180),
                ("healthy", ["llm_bridge"], 120),
                ("healthy", ["worker", "ui", "prometheus"], 180),
            ],
        )
        check_loopback_only(results, project)
        check_no_secret_in_environments(results, project, ["redis", "postgres", "api", "worker", "llm_bridge", "ui"])
        api = f"http://127.0.0.1:{env['VOCALIO_API_PUBLISHED_PORT']}"
        key = admin_key(results, project)
        check_worker_registered(results, project.name, api, key)
        job_round_trip(results, project.name, api, key)
        status, _, _ = http("GET", f"http://127.0.0.1:{env['VOCALIO_UI_PUBLISHED_PORT']}/health")
        results.check(f"{project.name}: dashboard answers on its published port", status == 200, f"HTTP {status}")
        check_prometheus_targets(results, project, {"api", "worker", "llm_bridge", "prometheus"})
    finally:
        if not KEEP:
            log(f"{project.name}: down -v")
            project.down()


CADDY_ROOT_CA = "/data/caddy/pki/authorities/local/root.crt"


def proxy_root_ca(results: Results, project: Project, timeout: float = 60) -> str:
    """The proxy's local CA certificate, as docs/operations/two-vms.md copies it (`exec proxy cat ...`)."""
    deadline = time.monotonic() + timeout
    result = project.exec("proxy", "cat", CADDY_ROOT_CA)
    while result.returncode != 0 and time.monotonic() < deadline:  # written when the first certificate is issued
        time.sleep(2)
        result = project.exec("proxy", "cat", CADDY_ROOT_CA)
    results.require(
        f"{project.name}: the proxy's local CA root is at {CADDY_ROOT_CA}",
        result.returncode == 0 and "BEGIN CERTIFICATE" in result.stdout,
        result.stderr.strip()[-300:],
    )
    return result.stdout


def check_tls(results: Results, label: str, url: str, context: ssl.SSLContext) -> None:
    """With the proxy's CA the URL answers over HTTPS; a client trusting only the public roots is refused."""
    status, _, _ = http("GET", url, context=context)
    results.check(f"{label}: {url} answers over HTTPS, verified with the proxy's CA", status == 200, f"HTTP {status}")
    try:
        status, _, _ = http("GET", url)  # the default context: the system's roots, not the local CA
        refused, detail = False, f"HTTP {status} without the CA"
    except urllib.error.URLError as error:
        refused = isinstance(error.reason, ssl.SSLCertVerificationError)
        detail = str(error.reason)
    results.check(f"{label}: a client without the proxy's CA is refused at {url}", refused, detail)


_split_projects: list[Project] = []


def split_stack(results: Results, workdir: Path) -> None:
    common = secrets_env()
    api_port, https_port, dashboard_port, metrics_port = free_port(), free_port(), free_port(), free_port()
    # podman-compose does not interpolate inside `!override`: the proxy's ports override is written here
    # (the API's HTTPS port also comes through VOCALIO_HTTPS_PUBLISHED_PORT, into models-host.env).
    ports_override = workdir / "compose.split-ports.yaml"
    ports_override.write_text(
        f'services:\n  proxy: {{ports: !override ["127.0.0.1:{https_port}:443", "127.0.0.1:{dashboard_port}:8443"]}}\n'
    )
    services = Project(
        f"{PREFIX}-services",
        [ROOT / "compose.services.yaml", STACK / "compose.split-services.yaml", ports_override],
        common
        | {
            "VOCALIO_SERVICES_ADDRESS": "127.0.0.1",
            "VOCALIO_BIND_ADDRESS": "127.0.0.1",
            "VOCALIO_API_PUBLISHED_PORT": str(api_port),
            "VOCALIO_UI_PUBLISHED_PORT": str(free_port()),
            "VOCALIO_HTTPS_PUBLISHED_PORT": str(https_port),
        },
        workdir,
    )
    _split_projects.append(services)
    models: Project | None = None
    try:
        bring_up(
            results,
            services,
            [
                ("completed", ["secrets-init"], 120),
                ("healthy", ["redis", "postgres"], 120),
                ("completed", ["migrate"], 180),
                ("healthy", ["api"], 180),
                ("healthy", ["llm_bridge", "ui", "prometheus", "proxy"], 120),
            ],
        )
        check_loopback_only(results, services)
        published = services.published_addresses()
        results.check(
            f"{services.name}: Redis and the llm_bridge are not published (the models host uses the proxy)",
            not [line for line in published if "6379/tcp" in line or "8002/tcp" in line],
            "; ".join(published),
        )
        # The models host's `.env` and CA are the two files the docs say to copy (docs/operations/two-vms.md),
        # unchanged: the test's free HTTPS port is already in models-host.env.
        copied = secret_file(results, services, "models-host.env")
        models_env = dict(line.split("=", 1) for line in copied.splitlines() if line)
        results.check(
            f"{services.name}: models-host.env is a pull worker over HTTPS with the CA, no Redis",
            models_env.get("VOCALIO_API_URL", "").startswith("https://")
            and models_env.get("VOCALIO_WORKER_MODE") == "pull"
            and "VOCALIO_REDIS_URL" not in models_env
            and "redis_password" not in copied,
            ", ".join(f"{k}={v if 'TOKEN' not in k else '***'}" for k, v in models_env.items()),
        )
        tls_dir = workdir / "tls"
        tls_dir.mkdir()
        (tls_dir / "root.crt").write_text(proxy_root_ca(results, services))
        context = ssl.create_default_context(cafile=str(tls_dir / "root.crt"))
        https_api = models_env["VOCALIO_API_URL"]
        check_tls(results, "split", f"{https_api}/health", context)
        check_tls(results, "split", f"https://127.0.0.1:{dashboard_port}/health", context)
        models = Project(
            f"{PREFIX}-models",
            [ROOT / "compose.models.yaml", ROOT / "compose.cpu.yaml", STACK / "compose.split-models.yaml"],
            models_env
            | {
                "VOCALIO_MODELS_ADDRESS": "127.0.0.1",
                "VOCALIO_IMAGE_TAG": IMAGE_TAG,
                "VOCALIO_TLS_DIR": str(tls_dir),
                "STACK_TEST_WORKER_METRICS_PORT": str(metrics_port),
            },
            workdir,
        )
        _split_projects.append(models)
        bring_up(results, models, [("healthy", ["worker"], 180)])
        worker_net = run(
            ["podman", "inspect", "--format", "{{.HostConfig.NetworkMode}}", models.container("worker")]
        ).stdout.strip()
        results.check(
            f"{models.name}: worker shares no network with the services project",
            worker_net == "host",
            f"network mode {worker_net}",
        )
        key = admin_key(results, services)
        # Through the proxy, as the worker does: it registered, pulled the job, called the llm_bridge
        # (https://.../llm-bridge) and uploaded the audio, all over HTTPS verified with the CA bundle.
        check_worker_registered(results, "split (HTTPS)", https_api, key, context=context)
        job_round_trip(results, "split (HTTPS)", https_api, key, context=context)
        status, _, body = http("GET", f"http://127.0.0.1:{metrics_port}/metrics")
        results.check(
            f"{models.name}: worker metrics on 127.0.0.1:{metrics_port}",
            status == 200 and b"vocalio_" in body,
            f"HTTP {status}",
        )
        check_prometheus_targets(results, services, {"api", "llm_bridge", "prometheus"})
    finally:
        if not KEEP:
            for project in (models, services):
                if project is not None:
                    log(f"{project.name}: down -v")
                    project.down()


KEEP = False


def main() -> int:
    global KEEP
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the stacks up (clean up with --down)")
    parser.add_argument("--down", action="store_true", help="remove what an earlier --keep run left, and exit")
    parser.add_argument("--skip-build", action="store_true", help="use the images already built")
    parser.add_argument("--only", choices=["cpu", "split"], help="run one of the two stacks")
    args = parser.parse_args()
    KEEP = args.keep

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    results = Results()
    workdir = Path(tempfile.mkdtemp(prefix="vocalio-stack-test-"))
    try:
        ensure_tools()
        if args.down:
            leftover_down()
            log("removed the containers, volumes and networks of the stack-test projects")
            return 0
        leftover_down()  # a run killed hard earlier may have left its projects behind
        if not args.skip_build:
            build_images(results, workdir)
        phases: list[tuple[str, Callable[[Results, Path], None]]] = [("cpu", cpu_stack), ("split", split_stack)]
        for name, phase in phases:
            if args.only and args.only != name:
                continue
            started = time.monotonic()
            try:
                phase(results, workdir)
            except Failed as exc:
                log(f"{name} stack stopped at: {str(exc).splitlines()[0]}")
                if not exc.reported:
                    results.check(f"{name} stack", False, str(exc))
            log(f"{name} stack took {time.monotonic() - started:.0f}s")
    except Failed as exc:
        results.check("stack-test setup", False, str(exc))
    except KeyboardInterrupt as exc:
        results.check("stack-test", False, f"interrupted ({exc})")
        if not KEEP:
            leftover_down()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    log(f"stack-test took {time.monotonic() - STARTED:.0f}s")
    print(f"{results.passed} passed, {len(results.failed)} failed", flush=True)
    return 1 if results.failed else 0


def leftover_down() -> None:
    """Removes every container, volume and network of this test's projects (labels and names)."""
    for name in (f"{PREFIX}-cpu", f"{PREFIX}-services", f"{PREFIX}-models"):
        label = f"label=io.podman.compose.project={name}"
        for kind, list_cmd in (
            ("container", ["podman", "ps", "-aq", "--filter", label]),
            ("volume", ["podman", "volume", "ls", "-q", "--filter", label]),
        ):
            ids = run(list_cmd).stdout.split()
            if ids:
                run(["podman", kind, "rm", "-f", *ids], timeout=300)
        nets = [
            n
            for n in run(["podman", "network", "ls", "--format", "{{.Name}}"]).stdout.split()
            if n.startswith(name + "_")
        ]
        if nets:
            run(["podman", "network", "rm", "-f", *nets], timeout=120)


if __name__ == "__main__":
    sys.exit(main())
