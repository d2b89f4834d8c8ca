"""The worker's last step when it is PID 1 of its PID namespace (its container): wait until it is alone.

When PID 1 of a namespace exits, the kernel SIGKILLs every other process in it. The preStop hook
(deploy/kubernetes/base/worker.yaml) runs in the worker's namespace and returns once the worker's HTTP
server has closed, polling it every second; the worker closes that server last and then exits within
milliseconds, so the hook was mostly killed mid-sleep (exit -9, a FailedPreStopHook event) instead of
returning 0. Found by tests/e2e/deploy/test_worker_prestop.py. So, with its work done, PID 1 waits
(bounded) for the other processes of its namespace to end before it exits.

Linux only (/proc); anywhere else, or when the worker is not PID 1, it returns at once.
"""

import os
import time
from pathlib import Path

# The hook notices the closed server within its 1 s poll and exits: a few seconds cover a busy node,
# and bound the wait for something else left in the namespace (a `kubectl exec` shell).
ALONE_WAIT_S = 5.0
_POLL_S = 0.05


def namespace_peers(proc: Path = Path("/proc")) -> list[int]:
    """The live processes (as `proc` numbers them) that share this process's PID namespace, itself excluded."""
    try:
        own_namespace = os.readlink(proc / "self" / "ns" / "pid")
        own_pid = int(os.readlink(proc / "self"))
    except OSError:
        return []
    peers = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == own_pid:
            continue
        try:
            if os.readlink(entry / "ns" / "pid") != own_namespace:
                continue
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except (OSError, IndexError):  # gone meanwhile, or not ours to look at
            continue
        if state not in ("Z", "X"):  # a zombie has ended already: nothing left to kill
            peers.append(int(entry.name))
    return peers


def wait_until_alone(timeout_s: float = ALONE_WAIT_S) -> list[int]:
    """As PID 1, wait up to `timeout_s` for the namespace's other processes to end; returns those left."""
    if os.getpid() != 1:
        return []
    deadline = time.monotonic() + timeout_s
    while (peers := namespace_peers()) and time.monotonic() < deadline:
        time.sleep(_POLL_S)
    return peers
