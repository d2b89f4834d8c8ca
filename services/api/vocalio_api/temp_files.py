"""Files written beside their final name and moved into place, and the sweep of those a killed writer
left behind. Every file the API stores goes this way: uploads (a job's audio, a sentence of the book
cache: `storage`) and everything the books code makes (chapter files, AAC pieces, m4b parts, zips, the
read-along EPUB, `files.json`, covers).

A temp file sits in the final file's directory (so `os.replace` is atomic), and its name is unique
to its writer: `.<kind>-<host>-<pid>-<process token>-<uuid>.part<final suffix>` (the suffix kept so
ffmpeg picks the format from it). So two API replicas making the same chapter at once write two
temp files, each whole, and the last rename wins; a reader of the final name sees a whole file or
none, never half of one. Found by the process-kill fault suite (tests/faults): temp files had fixed
names (`.<x>.partial.mp3`), which two writers would share, and an API killed mid-write left them for
good (nothing swept them).

The sweep deletes a temp file (or scratch directory, `.scratch-….part`) when

- it was written on this host by a process that no longer runs (its pid is gone), or by an earlier
  process with this very pid (a pid reused, such as pid 1 of a restarted container: the process
  token differs); a live process's files, this one's or another API process's on this host, are
  never touched;
- it has not changed for `abandoned_after_s` (a writer on another host sharing the store, whose pids
  this host cannot see, and temp files named before names said who writes them). Bytes reach an
  upload's file in 1 MiB batches (storage.WRITE_BATCH_BYTES), so the bound must stay well above the
  time a slow client takes to send 1 MiB, and above BOOK_FFMPEG_TIMEOUT_S for the books' files.

Every API process runs it when it starts (the moment after a crash) and every SWEEP_EVERY_S after.
"""

import contextlib
import os
import shutil
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PART = ".part"
SWEEP_EVERY_S = 300.0
HOST = socket.gethostname().replace("-", "_")  # dashes separate the fields of the name
PROCESS_TOKEN = uuid.uuid4().hex[:12]  # this process, as opposed to an earlier one with the same pid
# Written before names said who writes them: swept once idle long enough.
_LEGACY_SUFFIXES = (".part", ".partial")  # `cover.part`, `files.json.partial`, `x.m4b.partial`
_LEGACY_SCRATCH_PREFIXES = (".m4b-", ".zip-")  # tempfile.TemporaryDirectory of the m4b and zip builders


def temp_path(directory: Path, kind: str, suffix: str = "") -> Path:
    """A new name in `directory` that only this writer uses; `kind` says what writes it (no dashes)."""
    return directory / f".{kind}-{HOST}-{os.getpid()}-{PROCESS_TOKEN}-{uuid.uuid4().hex}{PART}{suffix}"


@dataclass(frozen=True)
class Writer:
    host: str
    pid: int
    token: str


def writer_of(name: str) -> Writer | None:
    """Who writes this temp file; None for a name that does not say (or is not a temp file)."""
    head, part, _suffix = name.rpartition(PART)
    if not (name.startswith(".") and part):
        return None
    fields = head[1:].split("-")
    if len(fields) != 5 or not fields[2].isdigit():
        return None
    return Writer(host=fields[1], pid=int(fields[2]), token=fields[3])


def is_temp(name: str) -> bool:
    """A name only a temp file or scratch directory has: never one of a result (book file names
    come from `safe_filename`, which strips leading dots; results end with their format's suffix)."""
    return (name.startswith(".") and PART in name) or name.endswith(_LEGACY_SUFFIXES)


def _is_legacy_scratch(path: Path) -> bool:
    return path.name.startswith(_LEGACY_SCRATCH_PREFIXES) and path.is_dir()


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


def _last_change(path: Path) -> float:
    """A scratch directory changes when its files do (its own mtime only when entries come and go)."""
    if not path.is_dir():
        return path.stat().st_mtime
    times = [path.stat().st_mtime]
    for child in path.iterdir():
        with contextlib.suppress(FileNotFoundError):
            times.append(child.stat().st_mtime)
    return max(times)


def _candidates(directory: Path, recursive: bool) -> Iterator[Path]:
    try:
        entries = list(directory.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return
    for path in entries:
        if is_temp(path.name) or _is_legacy_scratch(path):
            yield path
        elif recursive and path.is_dir() and not path.is_symlink():
            yield from _candidates(path, recursive)


def sweep(
    directories: Iterable[Path], abandoned_after_s: float, *, recursive: bool = False, now: float | None = None
) -> list[Path]:
    """Delete the abandoned temp files and scratch directories in these directories (and, with
    `recursive`, below them); returns those deleted."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    for directory in directories:
        for path in _candidates(directory, recursive):
            try:
                if abandoned(path.name, now - _last_change(path), abandoned_after_s):
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
                    removed.append(path)
            except FileNotFoundError:  # moved into place (or swept) meanwhile
                continue
    return removed


# --- writing -------------------------------------------------------------------------------------


def fsync_path(path: Path) -> None:
    """`path`'s bytes on disk (a file another program wrote, such as ffmpeg, or a directory's entries)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(final: Path, kind: str = "write") -> Iterator[Path]:
    """A temp path beside `final` to write `final`'s new content to. When the block ends, the temp
    file is synced and renamed onto `final` (atomic: a reader sees the old file or the new one); if
    the block raises, it is removed. `final`'s directory is made if missing."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path(final.parent, kind, final.suffix)
    try:
        yield temp
        fsync_path(temp)
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # the rename itself on disk; not every filesystem allows it
        fsync_path(final.parent)


def write_atomic(final: Path, data: bytes) -> Path:
    """`final` holds `data`, whole, or keeps what it held."""
    with replacing(final) as temp:
        temp.write_bytes(data)
    return final


@contextlib.contextmanager
def scratch_dir(parent: Path) -> Iterator[Path]:
    """A directory of this writer's own in `parent` for intermediate files, removed when the block
    ends (and by the sweep, should the writer be killed first)."""
    path = temp_path(parent, "scratch")
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
