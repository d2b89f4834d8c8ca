"""`vocalio up`'s supervisor: keeps each child process running, the way compose's `restart:` does.

A child that dies (a crash, an OOM kill, a `kill -9`) is started again after a backoff that doubles
with each restart inside the crash-loop window (0.5 s, 1 s, 2 s, ... up to 30 s, ±20 % jitter so
children that died together do not come back in lockstep). A child that dies
`crash_loop_restarts` times within `crash_loop_window_s` is a crash loop: the supervisor gives up,
stops everything and exits non-zero with a message naming the child and its last exit code, rather
than restarting it for ever.

The supervisor's state (each child's pid, state, restarts, last exit code) is written to a JSON
file after every change (`STATUS_FILE` in the data dir, replaced atomically): `vocalio status`
prints it and the dashboard's Workers page shows it. Children find the file through
`VOCALIO_SUPERVISOR_STATUS_FILE`.
"""

import os
import random
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import structlog
from pydantic import Field, ValidationError
from vocalio_shared.schemas.supervisor import ChildStatus, SupervisorStatus
from vocalio_shared.settings import CommonSettings

STATUS_FILE = "supervisor.json"
STATUS_FILE_ENV = "VOCALIO_SUPERVISOR_STATUS_FILE"
POLL_S = 0.2

log = structlog.get_logger("cli.supervisor")


class SupervisorSettings(CommonSettings):
    """`vocalio up`'s restart policy."""

    restart_backoff_base_s: float = Field(default=0.5, gt=0, description="First wait before restarting a child.")
    restart_backoff_cap_s: float = Field(default=30.0, gt=0, description="Longest wait before restarting a child.")
    crash_loop_restarts: int = Field(
        default=5, ge=1, description="Restarts of one child within the window after which `vocalio up` gives up."
    )
    crash_loop_window_s: float = Field(default=60.0, gt=0, description="The crash-loop window.")

    def policy(self) -> "RestartPolicy":
        return RestartPolicy(
            backoff_base_s=self.restart_backoff_base_s,
            backoff_cap_s=self.restart_backoff_cap_s,
            crash_loop_restarts=self.crash_loop_restarts,
            crash_loop_window_s=self.crash_loop_window_s,
        )


@dataclass(frozen=True)
class RestartPolicy:
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 30.0
    jitter: float = 0.2  # ± this share of the delay
    crash_loop_restarts: int = 5
    crash_loop_window_s: float = 60.0

    def delay_s(self, recent_restarts: int, rng: random.Random) -> float:
        """The wait before a restart, given the restarts already made inside the window."""
        delay = min(self.backoff_cap_s, self.backoff_base_s * 2**recent_restarts)
        return delay * (1 + rng.uniform(-self.jitter, self.jitter))


class ChildState(StrEnum):
    STARTING = "starting"  # spawned, not ready yet
    RUNNING = "running"
    BACKOFF = "backoff"  # died; waiting to be started again
    STOPPED = "stopped"


@dataclass
class Supervised:
    """One child. `spawn` starts it and returns its process; `ready` says it serves (None: at once)."""

    name: str
    spawn: Callable[[], subprocess.Popen[Any]]
    ready: Callable[[], bool] | None = None
    stop_grace_s: float = 15.0
    process: subprocess.Popen[Any] | None = None
    state: ChildState = ChildState.STOPPED
    restarts: int = 0
    recent: deque[float] = field(default_factory=deque)  # restart times inside the window
    last_exit_code: int | None = None
    last_exit_at: float | None = None
    started_at: float | None = None
    next_start_at: float | None = None

    def start(self) -> None:
        self.process = self.spawn()
        self.state = ChildState.STARTING if self.ready else ChildState.RUNNING
        self.started_at = time.time()
        self.next_start_at = None

    def public(self) -> ChildStatus:
        alive = self.process is not None and self.process.poll() is None
        return ChildStatus(
            name=self.name,
            state=self.state.value,
            pid=self.process.pid if self.process is not None and alive else None,
            restarts=self.restarts,
            last_exit_code=self.last_exit_code,
            last_exit=describe_exit(self.last_exit_code) if self.last_exit_code is not None else None,
            last_exit_at=self.last_exit_at,
            started_at=self.started_at,
            next_start_at=self.next_start_at,
        )


class GaveUp(RuntimeError):
    """A child is in a crash loop."""


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Supervisor:
    def __init__(
        self,
        children: list[Supervised],
        status_path: Path,
        policy: RestartPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.children = children
        self.status_path = status_path
        self.policy = policy or RestartPolicy()
        self.rng = rng or random.Random()
        self.state = "starting"
        self.reason: str | None = None

    # --- start, watch, stop ------------------------------------------------------------------------

    def start_all(self, wait_ready: Callable[[Supervised], None]) -> None:
        """In order, each ready before the next starts (the API before the worker that registers with it)."""
        for child in self.children:
            child.start()
            self.write_status()
            wait_ready(child)
            child.state = ChildState.RUNNING
        self.state = "running"
        self.write_status()

    def poll_once(self, now: float | None = None) -> None:
        """One look at every child: note deaths, restart those due, mark the ready. Raises GaveUp."""
        now = time.monotonic() if now is None else now
        changed = False
        for child in self.children:
            if child.state in (ChildState.STARTING, ChildState.RUNNING):
                assert child.process is not None
                code = child.process.poll()
                if code is not None:
                    self._died(child, code, now)
                    changed = True
                elif child.state == ChildState.STARTING and child.ready is not None and child.ready():
                    child.state = ChildState.RUNNING
                    log.info("child_ready", child=child.name, pid=child.process.pid, restarts=child.restarts)
                    changed = True
            elif child.state == ChildState.BACKOFF and child.next_start_at is not None and now >= child.next_start_at:
                try:
                    child.start()
                except Exception as error:  # could not even spawn (a port still taken): counts as a death
                    log.warning("child_start_failed", child=child.name, error=repr(error))
                    self._died(child, 1, now)
                else:
                    assert child.process is not None
                    log.info("child_restarted", child=child.name, pid=child.process.pid, restarts=child.restarts)
                changed = True
        if changed:
            self.write_status()

    def _died(self, child: Supervised, code: int, now: float) -> None:
        policy = self.policy
        child.last_exit_code, child.last_exit_at = code, time.time()
        while child.recent and now - child.recent[0] > policy.crash_loop_window_s:
            child.recent.popleft()
        if len(child.recent) >= policy.crash_loop_restarts:
            child.state = ChildState.STOPPED
            self.state, self.reason = (
                "gave_up",
                (
                    f"{child.name} keeps dying ({describe_exit(code)}): {len(child.recent) + 1} exits within "
                    f"{policy.crash_loop_window_s:.0f} s; giving up (see its log lines above)"
                ),
            )
            log.error("crash_loop", child=child.name, exit=describe_exit(code), restarts=child.restarts)
            self.write_status()
            raise GaveUp(self.reason)
        delay = policy.delay_s(len(child.recent), self.rng)
        child.recent.append(now)
        child.restarts += 1
        child.state, child.next_start_at = ChildState.BACKOFF, now + delay
        log.warning(
            "child_exited",
            child=child.name,
            exit=describe_exit(code),
            restart_in_s=round(delay, 2),
            restarts=child.restarts,
            restarts_in_window=len(child.recent),
        )

    def watch(self, stopping: Callable[[], bool]) -> int:
        """Until told to stop (0) or a crash loop (1)."""
        while not stopping():
            try:
                self.poll_once()
            except GaveUp:
                return 1
            time.sleep(POLL_S)
        return 0

    def stop_all(self) -> None:
        """Newest first: SIGTERM, its grace (a draining worker finishes its job), then SIGKILL."""
        if self.state != "gave_up":
            self.state = "stopping"
        self.write_status()
        for child in reversed(self.children):
            process = child.process
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(child.stop_grace_s)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            child.state = ChildState.STOPPED
        if self.state != "gave_up":
            self.state = "stopped"
        self.write_status()

    # --- status ------------------------------------------------------------------------------------

    def status(self) -> SupervisorStatus:
        return SupervisorStatus(
            supervisor_pid=os.getpid(),
            state=self.state,
            reason=self.reason,
            updated_at=time.time(),
            children=[child.public() for child in self.children],
        )

    def write_status(self) -> None:
        self.status_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.status_path.with_suffix(".json.partial")
        partial.write_text(self.status().model_dump_json(indent=2))
        partial.replace(self.status_path)


def read_status(path: Path) -> dict[str, Any] | None:
    """The status file as JSON-ready data, with `alive`: whether its supervisor process still runs."""
    try:
        status = SupervisorStatus.model_validate_json(path.read_text())
    except (FileNotFoundError, ValidationError):
        return None
    return status.model_dump() | {"alive": _pid_alive(status.supervisor_pid)}


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
