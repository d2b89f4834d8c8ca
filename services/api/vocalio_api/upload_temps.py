"""Temporary files of uploads in progress, and the sweep of those a killed API process left behind.

An upload (a job's audio, a sentence of the book cache) streams to a part file next to its final
place, so that moving it there is atomic. A `kill -9` of the API mid-upload, or between the fsync
and the move, leaves that part file behind: nobody will ever move it, and it is not a result. Found
by the process-kill fault suite (tests/faults): an API killed mid-upload left one for good.

A part file's name says who writes it: `.upload-<host>-<pid>-<process token>-<uuid>.part`. The
sweep deletes a part file when

- it was written on this host by a process that no longer runs (its pid is gone), or by an earlier
  process with this very pid (a pid reused, such as pid 1 of a restarted container: the process
  token differs); a live process's uploads, this one's or another API process's on this host, are
  never touched;
- it has not changed for `abandoned_upload_after_s` (a writer on another host sharing the store,
  whose pids this host cannot see, and part files named before names said who writes them). Bytes
  reach the file in 1 MiB batches (storage.WRITE_BATCH_BYTES), so the bound must stay well above
  the time a slow client takes to send 1 MiB.

It runs when the API starts (the moment after a crash) and every SWEEP_EVERY_S after.
"""

import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

PREFIX = ".upload-"
SUFFIX = ".part"
SWEEP_EVERY_S = 300.0
HOST = socket.gethostname().replace("-", "_")  # dashes separate the fields of the name
PROCESS_TOKEN = uuid.uuid4().hex[:12]  # this process, as opposed to an earlier one with the same pid


def new_part_path(directory: Path) -> Path:
    return directory / f"{PREFIX}{HOST}-{os.getpid()}-{PROCESS_TOKEN}-{uuid.uuid4().hex}{SUFFIX}"


@dataclass(frozen=True)
class Writer:
    host: str
    pid: int
    token: str


def writer_of(name: str) -> Writer | None:
    """Who writes this part file; None for a name that does not say (or is not a part file)."""
    if not (name.startswith(PREFIX) and name.endswith(SUFFIX)):
        return None
    fields = name[len(PREFIX) : -len(SUFFIX)].split("-")
    if len(fields) != 4 or not fields[1].isdigit():
        return None
    return Writer(host=fields[0], pid=int(fields[1]), token=fields[2])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def abandoned(name: str, idle_s: float, abandoned_after_s: float) -> bool:
    writer = writer_of(name)
    if writer is not None and writer.host == HOST:
        if writer.pid == os.getpid():
            return writer.token != PROCESS_TOKEN
        if not _pid_alive(writer.pid):
            return True
    return idle_s > abandoned_after_s


def sweep_part_files(directories: list[Path], abandoned_after_s: float, now: float | None = None) -> list[Path]:
    """Delete the abandoned part files in these directories; returns those deleted."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    for directory in directories:
        try:
            candidates = [path for path in directory.iterdir() if path.name.startswith(PREFIX)]
        except FileNotFoundError:
            continue
        for path in candidates:
            try:
                idle_s = now - path.stat().st_mtime
                if abandoned(path.name, idle_s, abandoned_after_s):
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:  # moved into place (or swept) meanwhile
                continue
    return removed
