"""Slow-loris over real sockets against a real API process with short read deadlines: headers
trickled, a connection that sends nothing, a body trickled or stalled (JSON and a voice upload).
Each is cut off within its deadline with 408 REQUEST_TIMEOUT, stores nothing, and the API keeps
answering everyone else meanwhile."""

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from vocalio_cli.embedded_redis import EmbeddedRedis

from tests.e2e.hostile.conftest import HOSTILE_API_ENV, START_TIMEOUT_S
from tests.support.processes import ApiProcess

HEADER_TIMEOUT_S, IDLE_TIMEOUT_S, BODY_TIMEOUT_S = 1.5, 1.0, 3.0
SLACK_S = 2.0  # scheduling on a loaded 2-core machine


@pytest.fixture(scope="module")
def slow_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    redis = EmbeddedRedis(tmp_path_factory.mktemp("slow-redis")).start()
    env = HOSTILE_API_ENV | {
        "VOCALIO_HEADER_READ_TIMEOUT_S": str(HEADER_TIMEOUT_S),
        "VOCALIO_BODY_IDLE_TIMEOUT_S": str(IDLE_TIMEOUT_S),
        "VOCALIO_BODY_READ_TIMEOUT_S": str(BODY_TIMEOUT_S),
    }
    api = ApiProcess(Path(tmp_path_factory.mktemp("slow-api")), f"redis://{redis.host}:{redis.port}/0", env)
    api.start(timeout_s=START_TIMEOUT_S)
    yield api
    api.stop()
    redis.stop()


def _connect(api: ApiProcess) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", api.port), timeout=HEADER_TIMEOUT_S + BODY_TIMEOUT_S + 10)
    return sock


def _trickle(sock: socket.socket, data: bytes, every_s: float, for_s: float) -> None:
    """One byte every `every_s` for at most `for_s`, stopping when the server closes."""
    start = time.monotonic()
    for byte in data:
        if time.monotonic() - start > for_s:
            return
        try:
            sock.sendall(bytes([byte]))
        except OSError:  # reset or closed by the server: what we want
            return
        time.sleep(every_s)


def _read_answer(sock: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except OSError:
        pass
    return b"".join(chunks)


def _status_and_error(answer: bytes) -> tuple[int, dict]:  # type: ignore[type-arg]
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return status, json.loads(body)["error"] if body else {}


def _jobs(api: ApiProcess) -> list:  # type: ignore[type-arg]
    response = httpx.get(f"{api.base_url}/api/v1/jobs", headers={"Authorization": f"Bearer {api.admin_key}"})
    return response.json()["items"]  # type: ignore[no-any-return]


def test_headers_trickled_are_cut_off_at_the_header_deadline(slow_api: ApiProcess) -> None:
    request = b"POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    with _connect(slow_api) as sock:
        start = time.monotonic()
        _trickle(sock, request, every_s=0.1, for_s=HEADER_TIMEOUT_S + SLACK_S + 5)
        answer = _read_answer(sock)
        elapsed = time.monotonic() - start
    status, error = _status_and_error(answer)
    assert status == 408 and error["code"] == "REQUEST_TIMEOUT", answer[:300]
    assert HEADER_TIMEOUT_S - 0.2 <= elapsed <= HEADER_TIMEOUT_S + SLACK_S


def test_a_connection_that_sends_nothing_is_closed(slow_api: ApiProcess) -> None:
    with _connect(slow_api) as sock:
        start = time.monotonic()
        answer = _read_answer(sock)
        elapsed = time.monotonic() - start
    assert _status_and_error(answer)[0] == 408
    assert elapsed <= HEADER_TIMEOUT_S + SLACK_S


@pytest.mark.parametrize("how", ["trickled", "stalled"])
def test_a_json_body_too_slow_is_408_and_nothing_is_stored(slow_api: ApiProcess, how: str) -> None:
    body = json.dumps({"text": "Hola " * 200}).encode()
    head = (
        f"POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {slow_api.admin_key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with _connect(slow_api) as sock:
        sock.sendall(head + body[:50])
        start = time.monotonic()
        if how == "trickled":  # inside the idle deadline every time, past the whole-body one
            _trickle(sock, body[50:], every_s=IDLE_TIMEOUT_S / 4, for_s=BODY_TIMEOUT_S + SLACK_S + 3)
        answer = _read_answer(sock)
        elapsed = time.monotonic() - start
    status, error = _status_and_error(answer)
    assert status == 408 and error["code"] == "REQUEST_TIMEOUT", answer[:300]
    bound = BODY_TIMEOUT_S if how == "trickled" else IDLE_TIMEOUT_S
    assert elapsed <= bound + SLACK_S, f"{how}: cut off after {elapsed:.1f} s"
    assert _jobs(slow_api) == []


def test_a_voice_upload_trickled_is_408_and_leaves_no_file(slow_api: ApiProcess) -> None:
    boundary = "hostileboundary"
    parts = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nLenta\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="transcript"\r\n\r\nHola.\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="consent"\r\n\r\ntrue\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="v.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\n"
        ).encode()
        + b"RIFF"
        + b"\0" * 100_000
    )
    head = (
        f"POST /api/v1/voices HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {slow_api.admin_key}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(parts) + 200_000}\r\n\r\n"
    ).encode()
    with _connect(slow_api) as sock:
        sock.sendall(head + parts)  # the file's first part is in: the parser has a spool file open
        start = time.monotonic()
        _trickle(sock, b"\0" * 1000, every_s=IDLE_TIMEOUT_S / 4, for_s=BODY_TIMEOUT_S + SLACK_S + 3)
        answer = _read_answer(sock)
        elapsed = time.monotonic() - start
    status, error = _status_and_error(answer)
    assert status == 408 and error["code"] == "REQUEST_TIMEOUT", answer[:300]
    assert elapsed <= BODY_TIMEOUT_S + SLACK_S
    voices = httpx.get(f"{slow_api.base_url}/api/v1/voices", headers={"Authorization": f"Bearer {slow_api.admin_key}"})
    assert voices.json()["items"] == []
    voices_dir = slow_api.data_dir / "voices"
    assert not voices_dir.exists() or list(voices_dir.iterdir()) == []


def test_others_are_answered_while_slow_clients_hold_connections(slow_api: ApiProcess) -> None:
    sockets = [_connect(slow_api) for _ in range(20)]
    try:
        for sock in sockets:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # never finished
        start = time.monotonic()
        response = httpx.get(f"{slow_api.base_url}/health", timeout=5)
        assert response.status_code == 200 and time.monotonic() - start < 1.0
        assert all(_status_and_error(_read_answer(sock))[0] == 408 for sock in sockets)
    finally:
        for sock in sockets:
            sock.close()
