"""The part files of uploads in progress (a job's audio, a sentence of the book cache), and their sweep.

An upload streams to a part file next to its final place, so that moving it there is atomic. A
`kill -9` of the API mid-upload, or between the fsync and the move, leaves that part file behind:
nobody will ever move it, and it is not a result. Found by the process-kill fault suite
(tests/faults): an API killed mid-upload left one for good. The names (`.upload-<host>-<pid>-<process
token>-<uuid>.part`) and the sweep's rules are those of every temp file the API writes: see temp_files.
"""

from pathlib import Path

from vocalio_api import temp_files
from vocalio_api.temp_files import HOST, PROCESS_TOKEN, SWEEP_EVERY_S, abandoned, writer_of

__all__ = ["HOST", "PROCESS_TOKEN", "SWEEP_EVERY_S", "abandoned", "new_part_path", "sweep_part_files", "writer_of"]

KIND = "upload"


def new_part_path(directory: Path) -> Path:
    return temp_files.temp_path(directory, KIND)


def sweep_part_files(directories: list[Path], abandoned_after_s: float, now: float | None = None) -> list[Path]:
    """Delete the abandoned part files in these directories; returns those deleted."""
    return temp_files.sweep(directories, abandoned_after_s, now=now)
