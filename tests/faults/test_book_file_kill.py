"""kill -9 of a writer of a book's delivery file mid-write: it leaves a temp file of its own beside the
chapter file's name (never a short file under that name), and the next API process to start deletes
it (vocalio_api.temp_files), so nothing half-written stays under data_dir/books.

The writer is a child process writing the way the API's books code writes (temp_files.replacing),
held mid-write on purpose, so the kill lands mid-write every time; the fault suite's workload test
(test_process_kills.py) meets the same case by chance."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import ApiProcess

WRITE_HALF_AND_WAIT = """
import sys, time
from pathlib import Path
from vocalio_api import temp_files
with temp_files.replacing(Path(sys.argv[1])) as temp:
    temp.write_bytes(b"half a chapter")
    print(temp.name, flush=True)
    time.sleep(60)
"""


@pytest.fixture
def api(tmp_path: Path, redis_url: str) -> Iterator[ApiProcess]:
    process = ApiProcess(tmp_path / "api", redis_url)
    process.data_dir.mkdir(parents=True)
    yield process
    process.stop()


@pytest.mark.timeout(240)
def test_a_chapter_file_half_written_by_a_killed_writer_is_removed_when_the_api_starts(api: ApiProcess) -> None:
    chapter = api.data_dir / "books" / "0b6f1e7c-0000-4000-8000-000000000001" / "chapters" / "0123456789abcdef.mp3"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITE_HALF_AND_WAIT, str(chapter)], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    assert writer.stdout is not None
    temp = chapter.parent / writer.stdout.readline().strip()
    writer.kill()
    writer.wait()
    assert temp.exists() and not chapter.exists()  # what the kill leaves: a temp file nobody will move

    api.start(timeout_s=120)
    deadline = time.monotonic() + 30
    while temp.exists():
        assert time.monotonic() < deadline, f"the abandoned temp file stayed: {temp}"
        time.sleep(0.05)
    assert not chapter.exists()
    assert "removed abandoned book files" in api.logs()
