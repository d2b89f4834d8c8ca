"""The sweep of abandoned upload part files: a dead writer's go at once, a live one's stay.

Writers are real processes: a child writes a part file named the way the API names them, and is
killed -9 (as the fault suite kills the API mid-upload) or left running."""

import os
import subprocess
import sys
import time
from pathlib import Path

from vocalio_api import upload_temps

WRITE_AND_WAIT = """
import sys, time
from pathlib import Path
from vocalio_api.upload_temps import new_part_path
path = new_part_path(Path(sys.argv[1]))
path.write_bytes(b"half an upload")
print(path.name, flush=True)
time.sleep(60)
"""


def writer_process(directory: Path) -> tuple[subprocess.Popen[str], Path]:
    child = subprocess.Popen(
        [sys.executable, "-c", WRITE_AND_WAIT, str(directory)], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    assert child.stdout is not None
    return child, directory / child.stdout.readline().strip()


def test_a_killed_writers_part_file_goes_and_a_live_writers_stays(tmp_path: Path) -> None:
    killed, killed_part = writer_process(tmp_path)
    alive, alive_part = writer_process(tmp_path)
    try:
        killed.kill()
        killed.wait()
        removed = upload_temps.sweep_part_files([tmp_path], abandoned_after_s=3600)
        assert removed == [killed_part]
        assert alive_part.exists() and not killed_part.exists()
    finally:
        alive.kill()
        alive.wait()


def test_this_processes_own_upload_stays_and_a_reused_pids_goes(tmp_path: Path) -> None:
    own = upload_temps.new_part_path(tmp_path)
    own.write_bytes(b"in progress")
    # the same host and pid, another process token: an earlier process with this pid (a restarted container)
    earlier = tmp_path / f".upload-{upload_temps.HOST}-{os.getpid()}-0123456789ab-{'0' * 32}.part"
    earlier.write_bytes(b"left behind")
    assert upload_temps.sweep_part_files([tmp_path], abandoned_after_s=3600) == [earlier]
    assert own.exists()


def test_a_part_file_the_host_cannot_judge_goes_only_once_idle_long_enough(tmp_path: Path) -> None:
    other_host = tmp_path / f".upload-otherhost-1-0123456789ab-{'1' * 32}.part"
    unnamed = tmp_path / f".upload-{'2' * 32}.part"  # named before names said who writes them
    final = tmp_path / "job.flac"
    for path in (other_host, unnamed, final):
        path.write_bytes(b"x")
    assert upload_temps.sweep_part_files([tmp_path], abandoned_after_s=600) == []
    later = time.time() + 601
    removed = upload_temps.sweep_part_files([tmp_path, tmp_path / "missing"], abandoned_after_s=600, now=later)
    assert sorted(removed) == sorted([other_host, unnamed])
    assert final.exists()  # only part files are ever swept
