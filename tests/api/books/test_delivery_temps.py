"""The books' delivery files are written through temp_files: a writer killed mid-write leaves only a
temp file of its own (never a short file under the final name), the sweep removes it and a dead
writer's scratch directory, and two writers of the same file at once never mix their bytes.

Writers are real processes, killed -9 as the fault suite kills the API."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from vocalio_api import temp_files

WRITE_HALF_AND_WAIT = """
import sys, time
from pathlib import Path
from vocalio_api import temp_files
final = Path(sys.argv[1])
with temp_files.scratch_dir(final.parent.parent) as scratch:
    (scratch / "raw.m4b").write_bytes(b"half a mux")
    with temp_files.replacing(final) as temp:
        temp.write_bytes(b"half a chapter")
        print(temp.name, scratch.name, flush=True)
        time.sleep(60)
"""

REWRITE = """
import sys
from pathlib import Path
from vocalio_api import temp_files
final, byte, times = Path(sys.argv[1]), bytes([int(sys.argv[2])]), int(sys.argv[3])
for _ in range(times):
    temp_files.write_atomic(final, byte * 200_000)
"""


def start_writer(final: Path) -> tuple[subprocess.Popen[str], Path, Path]:
    child = subprocess.Popen(
        [sys.executable, "-c", WRITE_HALF_AND_WAIT, str(final)], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    assert child.stdout is not None
    temp_name, scratch_name = child.stdout.readline().split()
    return child, final.parent / temp_name, final.parent.parent / scratch_name


def test_a_killed_writers_temp_and_scratch_go_a_live_writers_stay_and_no_result_is_touched(tmp_path: Path) -> None:
    book = tmp_path / "books" / "b1"
    chapters = book / "chapters"
    killed, killed_temp, killed_scratch = start_writer(chapters / "0123456789abcdef.mp3")
    alive, alive_temp, alive_scratch = start_writer(chapters / "fedcba9876543210.mp3")
    results = [chapters / "aaaaaaaaaaaaaaaa.mp3", book / "out" / "k" / "m4b" / "Mi .party.m4b", book / "cover.jpg"]
    for path in results:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"whole")
    legacy = chapters / ".0123456789abcdef.partial.mp3"  # the fixed name of before, which nothing swept
    legacy.write_bytes(b"half")
    try:
        killed.kill()
        killed.wait()
        # what a reader looks at, the final name, does not exist: nothing half-written can be served
        assert not (chapters / "0123456789abcdef.mp3").exists()
        assert killed_temp.exists() and ".part" in killed_temp.name and killed_temp.suffix == ".mp3"

        removed = temp_files.sweep([tmp_path / "books"], abandoned_after_s=3600, recursive=True)
        assert sorted(removed) == sorted([killed_temp, killed_scratch])
        assert alive_temp.exists() and alive_scratch.exists() and legacy.exists()
        assert all(path.read_bytes() == b"whole" for path in results)
    finally:
        alive.kill()
        alive.wait()
    removed = temp_files.sweep([tmp_path / "books"], abandoned_after_s=3600, recursive=True)
    assert sorted(removed) == sorted([alive_temp, alive_scratch])  # its writer is gone now
    later = time.time() + 3601  # a name that does not say who wrote it goes once idle that long
    assert temp_files.sweep([tmp_path / "books"], abandoned_after_s=3600, recursive=True, now=later) == [legacy]
    assert all(path.read_bytes() == b"whole" for path in results)


def test_two_writers_of_the_same_file_at_once_never_mix_and_a_reader_sees_whole_files(tmp_path: Path) -> None:
    final = tmp_path / "chapters" / "0123456789abcdef.mp3"
    temp_files.write_atomic(final, b"\0" * 200_000)
    writers = [
        subprocess.Popen([sys.executable, "-c", REWRITE, str(final), str(byte), "40"], env=os.environ)
        for byte in (1, 2)
    ]
    seen: set[bytes] = set()
    torn: list[int] = []

    def read_while_written() -> None:
        while any(writer.poll() is None for writer in writers):
            data = final.read_bytes()
            if len(data) != 200_000 or len(set(data)) != 1:
                torn.append(len(data))
            seen.add(data[:1])

    reader = threading.Thread(target=read_while_written)
    reader.start()
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0]
    reader.join(timeout=10)
    assert torn == []
    assert seen <= {b"\0", b"\1", b"\2"} and (seen & {b"\1", b"\2"})
    assert final.read_bytes() in (b"\1" * 200_000, b"\2" * 200_000)
    assert [path.name for path in final.parent.iterdir()] == [final.name]  # no temp left by either
