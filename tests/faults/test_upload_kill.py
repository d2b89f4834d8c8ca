"""kill -9 of the API mid-upload: the part file it was writing is left behind, and the next API
process to start deletes it (vocalio_api.upload_temps), so nothing half-written stays in the store.

The upload is held open on purpose (headers and part of the body sent, the rest never), so the
kill lands mid-upload every time, not by chance as in the workload test."""

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import ApiProcess


@pytest.fixture
def api(tmp_path: Path, redis_url: str) -> Iterator[ApiProcess]:
    process = ApiProcess(tmp_path / "api", redis_url)
    process.data_dir.mkdir(parents=True)
    yield process.start(timeout_s=120)
    process.stop()


def part_files(api: ApiProcess) -> list[Path]:
    return sorted((api.data_dir / "audio").glob(".upload-*.part"))


def wait_until(condition: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.mark.timeout(240)
def test_a_part_file_of_an_api_killed_mid_upload_is_removed_when_the_api_comes_back(api: ApiProcess) -> None:
    head = (
        "PUT /api/v1/jobs/0b6f1e7c-0000-4000-8000-000000000001/audio HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{api.port}\r\n"
        f"Authorization: Bearer {api.worker_token}\r\n"
        "X-Worker-Id: worker-1\r\nX-Job-Attempt: 1\r\n"
        f"X-Audio-Sha256: {'a' * 64}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Length: 400000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", api.port), timeout=10) as upload:
        upload.sendall(head.encode() + b"\0" * 100_000)  # a quarter of the body; the rest never comes
        wait_until(lambda: part_files(api), 30, "the upload never reached the audio store")
        left = part_files(api)
        api.kill()
    assert part_files(api) == left  # what a kill -9 leaves: nobody will ever move it into place

    api.start(timeout_s=120)
    wait_until(lambda: not part_files(api), 30, f"the abandoned part file stayed: {left}")
    assert "removed abandoned uploads" in api.logs()
