"""Hostile uploads against a real API process: voice clips and EPUBs that are bombs (huge declared
sizes, decompression bombs), malformed, or named to escape a directory or to confuse a reader
(path traversal, RTL override, NUL, very long names). Each is refused with a 4xx in the error body
within the documented limits, and nothing is stored: every database table keeps its row count and
the data directory its files."""

import io
import socket
import sqlite3
import struct
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile

from tests.e2e.ui.voice_clips import TRANSCRIPT, speechlike_wav
from tests.support.epub_builder import build_epub, zip_of
from tests.support.processes import ApiProcess

# Files of the running API itself (the database, its journal, the log): not what an upload stores.
OWN_FILES = {"vocalio.db", "vocalio.db-wal", "vocalio.db-shm", "vocalio.db-journal", "api.log", "admin-key.txt"}


def _stored(api: ApiProcess) -> tuple[dict[str, int], set[str]]:
    """Every table's row count and every file under the data dir but the API's own."""
    with sqlite3.connect(api.data_dir / "vocalio.db") as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
    files = {
        str(p.relative_to(api.data_dir)) for p in api.data_dir.rglob("*") if p.is_file() and p.name not in OWN_FILES
    }
    return counts, files


@pytest.fixture
def admin(hostile_api: ApiProcess) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {hostile_api.admin_key}"}
    with httpx.Client(base_url=hostile_api.base_url, headers=headers, timeout=30) as client:
        yield client


@pytest.fixture
def nothing_stored(hostile_api: ApiProcess) -> Iterator[None]:
    before = _stored(hostile_api)
    yield
    assert _stored(hostile_api) == before, "a refused upload left rows or files behind"


def _refused(response: httpx.Response, status: int, codes: set[str]) -> None:
    assert response.status_code == status, f"{response.status_code} {response.text[:300]}"
    error = response.json()["error"]
    assert error["code"] in codes and {"message", "category", "recoverable", "context"} <= error.keys()


def _upload_voice(admin: httpx.Client, payload: bytes, filename: str = "v.wav", name: str = "Hostil") -> httpx.Response:
    data = {"name": name, "transcript": TRANSCRIPT, "consent": "true"}
    return admin.post("/api/v1/voices", data=data, files={"file": (filename, payload, "audio/wav")})


def _peak_rss_kib(api: ApiProcess) -> int:
    assert api.process is not None
    status = Path(f"/proc/{api.process.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def _flac_of_silence(minutes: int) -> bytes:
    """Minutes of digital silence: ~11 KB of FLAC a minute, 23 MB a minute once decoded to float32."""
    buffer = io.BytesIO()
    block = np.zeros((48_000 * 10, 2), dtype=np.int16)
    with soundfile.SoundFile(buffer, "w", samplerate=48_000, channels=2, format="FLAC", subtype="PCM_16") as sink:
        for _ in range(minutes * 6):
            sink.write(block)
    return buffer.getvalue()


def _raw_answer(api: ApiProcess, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", api.port), timeout=15) as sock:
        sock.sendall(head)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    ("path", "content_type", "code"),
    [
        ("/api/v1/voices", "multipart/form-data; boundary=x", "UPLOAD_TOO_LARGE"),
        ("/api/v1/books", "multipart/form-data; boundary=x", "BOOK_TOO_LARGE"),
        ("/api/v1/books", "application/json", "BOOK_TOO_LARGE"),
    ],
)
def test_a_huge_declared_size_is_refused_before_any_byte_is_read(
    hostile_api: ApiProcess, nothing_stored: None, path: str, content_type: str, code: str
) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {hostile_api.admin_key}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {10 * 1024**3}\r\n\r\n"
    ).encode()
    start = time.monotonic()
    answer = _raw_answer(hostile_api, head)
    assert time.monotonic() - start < 5
    assert answer.startswith(b"HTTP/1.1 413 ") and code.encode() in answer, answer[:300]


def test_a_flac_decompression_bomb_is_refused_without_decoding_it(
    hostile_api: ApiProcess, admin: httpx.Client, nothing_stored: None
) -> None:
    bomb = _flac_of_silence(minutes=10)  # ~110 KB that decode to 230 MB of float32
    assert len(bomb) < 1024 * 1024
    peak_before = _peak_rss_kib(hostile_api)
    response = _upload_voice(admin, bomb, "bomb.flac")
    _refused(response, 422, {"VOICE_TOO_LONG"})
    assert response.json()["error"]["context"]["duration_s"] == pytest.approx(600, abs=1)
    grown_mib = (_peak_rss_kib(hostile_api) - peak_before) / 1024
    assert grown_mib < 100, f"the API's peak memory grew by {grown_mib:.0f} MiB decoding a bomb"


def _wav_header(data_bytes: int, channels: int = 1, rate: int = 24_000, bits: int = 16) -> bytes:
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, min(rate * block, 0xFFFFFFFF), block, bits)
    return (
        b"RIFF"
        + struct.pack("<I", min(36 + data_bytes, 0xFFFFFFFF))
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", data_bytes)
    )


MALFORMED_AUDIO = {
    "data chunk declares 4 GiB": _wav_header(0xFFFFFFF0) + b"\x01\x00" * 1000,
    "zero channels": _wav_header(2000, channels=0) + b"\x00" * 2000,
    "absurd sample rate": _wav_header(2000, rate=0xFFFFFFFF) + b"\x00" * 2000,
    "a RIFF header and nothing": b"RIFF\xff\xff\xff\xffWAVE",
    "FLAC magic then noise": b"fLaC" + bytes(range(256)) * 40,
    "an ID3 tag and nothing": b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64,
    "empty": b"",
}


@pytest.mark.parametrize("case", sorted(MALFORMED_AUDIO))
def test_malformed_audio_is_a_4xx(
    hostile_api: ApiProcess, admin: httpx.Client, nothing_stored: None, case: str
) -> None:
    response = _upload_voice(admin, MALFORMED_AUDIO[case])
    assert 400 <= response.status_code < 500, f"{case}: {response.status_code} {response.text[:300]}"
    assert response.json()["error"]["code"].startswith(("VOICE_", "VALIDATION_ERROR", "UPLOAD_")), response.text


ODD_NAMES = {
    "path traversal": "../../../../etc/passwd",
    "absolute path": "/etc/shadow",
    "RTL override": "voz\u202egnp.wav",
    "NUL": "voz\x00.wav",
    "very long": "v" * 5000 + ".wav",
    "Windows device": "CON.wav",
}


@pytest.mark.parametrize("case", sorted(ODD_NAMES))
def test_odd_file_names_never_reach_the_disk(hostile_api: ApiProcess, admin: httpx.Client, case: str) -> None:
    """The file name is never used as a path: a good clip under any name is stored under its id,
    inside the voices directory, and nothing appears anywhere else."""
    before = _stored(hostile_api)[1]
    response = _upload_voice(admin, speechlike_wav(seed=len(case)), ODD_NAMES[case], name=f"Voz {len(case)}")
    assert response.status_code in (201, 422), f"{case}: {response.status_code} {response.text[:300]}"
    new_files = _stored(hostile_api)[1] - before
    if response.status_code == 201:
        voice_id = response.json()["id"]
        assert new_files and all(f.startswith("voices/") and voice_id in f for f in new_files), new_files
        assert admin.delete(f"/api/v1/voices/{voice_id}").status_code == 204
    else:
        assert not new_files


@pytest.mark.parametrize(
    "name", ["voz\u202eanidaN", "voz\x00nula", "../voz", "v" * 201, "\u200b", "voz\nnueva", "<script>"]
)
def test_odd_voice_names_are_refused(
    hostile_api: ApiProcess, admin: httpx.Client, nothing_stored: None, name: str
) -> None:
    response = _upload_voice(admin, speechlike_wav(), name=name)
    _refused(response, 422, {"VOICE_NAME_INVALID", "VALIDATION_ERROR"})


def _epub_with(extra: dict[str, bytes]) -> bytes:
    """A readable EPUB with `extra` members added or replaced (its one chapter is OEBPS/ch01.xhtml)."""
    good = zipfile.ZipFile(io.BytesIO(build_epub(chapters=[("Uno", "Érase una vez un pueblo.")])))
    members = {info.filename: good.read(info) for info in good.infolist()}
    return zip_of(members | extra)


def _lying_zip() -> bytes:
    """One member whose local and central headers claim 10 bytes inflated while it holds 50 MiB."""
    payload = zip_of({"mimetype": b"application/epub+zip", "OEBPS/big.xhtml": b"\0" * (50 * 1024 * 1024)})
    data = bytearray(payload)
    index = 0
    while (index := data.find(b"PK\x01\x02", index)) != -1:  # central directory entries: size at +24
        data[index + 24 : index + 28] = struct.pack("<I", 10)
        index += 4
    index = 0
    while (index := data.find(b"PK\x03\x04", index)) != -1:  # local headers: size at +22
        data[index + 22 : index + 26] = struct.pack("<I", 10)
        index += 4
    return bytes(data)


HOSTILE_BOOKS = {
    "zip bomb": (_epub_with({"OEBPS/bomb.xhtml": b"\0" * (40 * 1024 * 1024)}), {"BOOK_UNSAFE", "BOOK_TOO_LARGE"}),
    "lying sizes": (_lying_zip(), {"BOOK_UNSAFE", "BOOK_UNREADABLE", "BOOK_TOO_LARGE"}),
    "path traversal": (_epub_with({"../../../evil.xhtml": b"<html/>"}), {"BOOK_UNSAFE"}),
    "absolute member": (_epub_with({"/etc/evil.xhtml": b"<html/>"}), {"BOOK_UNSAFE"}),
    "truncated zip": (build_epub(chapters=[("Uno", "Texto.")])[:-200], {"BOOK_UNREADABLE"}),
    "not a zip": (b"PK\x03\x04" + b"\xff" * 4000, {"BOOK_UNREADABLE"}),
    "XML entity bomb": (
        _epub_with(
            {
                "OEBPS/ch01.xhtml": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                b"<html><body><p>&c;</p></body></html>"
            }
        ),
        {"BOOK_UNSAFE", "BOOK_UNREADABLE"},
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_BOOKS))
@pytest.mark.parametrize("filename", ["libro.epub", "../../libro\u202ebupe.epub", "l" * 3000 + ".epub"])
def test_hostile_epubs_are_refused_and_store_nothing(
    admin: httpx.Client, nothing_stored: None, case: str, filename: str
) -> None:
    payload, codes = HOSTILE_BOOKS[case]
    start = time.monotonic()
    response = admin.post("/api/v1/books", files={"file": (filename, payload, "application/epub+zip")})
    assert time.monotonic() - start < 10, f"{case}: {time.monotonic() - start:.1f} s"
    assert 400 <= response.status_code < 500, f"{case}: {response.status_code} {response.text[:300]}"
    assert response.json()["error"]["code"] in codes, f"{case}: {response.text[:300]}"
