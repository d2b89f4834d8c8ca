"""A whole book's files from a real render (eSpeak worker, API, redis-server), read back with Debian's
ffprobe: the m4b (chapters at the real chapter starts, tags, cover), the zips, a chapter's mp3, the
read-along EPUB; then an edit re-encodes only the edited chapter's AAC piece and re-muxes the book."""

import io
import json
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from lxml import etree
from typer.testing import CliRunner
from vocalio_cli.main import app

from tests.e2e.books.flows import create_book
from tests.e2e.books.test_book_api import render
from tests.e2e.books.test_book_api_worker import wait_for_book, worker  # noqa: F401 (fixture)
from tests.support.epub_builder import tiny_png

FFPROBE = shutil.which("ffprobe")
pytestmark = pytest.mark.skipif(FFPROBE is None, reason="needs Debian's ffprobe (tests/api/ensure_ffprobe.sh)")

CHAPTERS = [
    {"title": "Capítulo 1", "text": "Era una mañana fría de invierno. El viento soplaba desde el mar."},
    {"title": "Capítulo 2", "text": "Nadie sabía su nombre.\n\nTampoco de dónde venía."},
    {"title": "Capítulo 3", "text": "Al final, todos lo recordaron. Fue un buen día."},
]


def fetch_when_ready(client: httpx.Client, url: str, timeout_s: float = 120.0, **params: str) -> httpx.Response:
    """The book's files are assembled after its last chapter: 409 AUDIO_NOT_READY until then."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = client.get(url, params=params)
        if answer.status_code != 409:
            assert answer.status_code == 200, answer.text
            return answer
        assert answer.json()["error"]["code"] == "AUDIO_NOT_READY"
        assert answer.headers.get("retry-after") or not answer.json()["error"]["context"].get("assembling")
        time.sleep(0.5)
    raise AssertionError(f"{url} never became ready")


def probe(path: Path) -> dict:
    command = [FFPROBE, "-v", "error", "-show_format", "-show_streams", "-show_chapters", "-of", "json", str(path)]
    return json.loads(subprocess.run(command, capture_output=True, check=True, text=True).stdout)


def test_the_book_files_from_a_real_render(worker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    api, _worker = worker
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    with httpx.Client(base_url=api.base_url, headers=headers, timeout=60) as client:
        metadata = {"title": "El faro", "authors": ["Ana Pérez"], "series": "Costa", "series_part": "2"}
        book = create_book(client, chapters=CHAPTERS, metadata=metadata)
        cover = client.put(
            f"/api/v1/books/{book['id']}/cover", content=tiny_png(), headers={"Content-Type": "image/png"}
        )
        assert cover.status_code == 200, cover.text
        assert client.get(f"/api/v1/books/{book['id']}/audio").json()["error"]["code"] == "AUDIO_NOT_READY"
        render(client, book["id"])
        done = wait_for_book(client, book["id"], "succeeded")
        pieces = api.data_dir / "books" / book["id"] / "pieces"
        deadline = time.monotonic() + 60  # made when each chapter succeeds, before anyone asks
        while len(list(pieces.glob("*.m4a"))) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(list(pieces.glob("*.m4a"))) == 3

        m4b = tmp_path / "book.m4b"
        m4b.write_bytes(fetch_when_ready(client, f"/api/v1/books/{book['id']}/audio", format="m4b").content)
        info = probe(m4b)
        audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
        assert audio[0]["codec_name"] == "aac" and audio[0]["sample_rate"] == "44100" and audio[0]["channels"] == 1
        assert any(s.get("disposition", {}).get("attached_pic") for s in info["streams"]), "the cover is attached"
        tags = {k.lower(): v for k, v in info["format"]["tags"].items()}
        assert tags["album"] == "El faro" and tags["artist"] == "Ana Pérez" and "sintética" in tags["composer"]
        assert "IA" in tags.get("description", "") + tags.get("comment", "")
        titles = [c["tags"]["title"] for c in info["chapters"]]
        assert titles == ["Capítulo 1", "Capítulo 2", "Capítulo 3"]
        cumulated = 0.0  # chapter starts at the cumulated chapter audio, within 50 ms
        for chapter, public in zip(info["chapters"], done["chapters"], strict=True):
            assert float(chapter["start_time"]) == pytest.approx(cumulated, abs=0.05)
            cumulated += public["duration_s"]
        ranged = client.get(
            f"/api/v1/books/{book['id']}/audio", params={"format": "m4b"}, headers={"Range": "bytes=0-99"}
        )
        assert ranged.status_code == 206 and len(ranged.content) == 100

        mp3 = tmp_path / "02.mp3"
        mp3.write_bytes(fetch_when_ready(client, f"/api/v1/books/{book['id']}/chapters/2/audio", format="mp3").content)
        stream = probe(mp3)["streams"][0]
        assert (stream["codec_name"], stream["sample_rate"], stream["channels"]) == ("mp3", "44100", 1)
        assert stream["bit_rate"] == "192000"

        url = f"/api/v1/books/{book['id']}/audio"
        archive = zipfile.ZipFile(io.BytesIO(fetch_when_ready(client, url, format="mp3-zip").content))
        names = archive.namelist()
        assert sum(name.endswith(".mp3") for name in names) == 3 and sum(name.endswith(".vtt") for name in names) == 3
        # Every chapter the book delivers passes ACX, measured on the delivered MP3s by `vocalio book check`.
        delivered = tmp_path / "delivered"
        archive.extractall(delivered)
        checked = CliRunner().invoke(app, ["book", "check", str(delivered), "--json"])
        files = json.loads(checked.stdout)["files"]
        assert len(files) == 3 and all(f["pass"] for f in files), checked.stdout
        assert checked.exit_code == 0
        flac = zipfile.ZipFile(io.BytesIO(fetch_when_ready(client, url, format="flac-zip").content))
        assert sum(name.endswith(".flac") for name in flac.namelist()) == 3

        epub = zipfile.ZipFile(io.BytesIO(fetch_when_ready(client, f"/api/v1/books/{book['id']}/read-along").content))
        assert epub.namelist()[0] == "mimetype" and epub.read("mimetype") == b"application/epub+zip"
        smil = [name for name in epub.namelist() if name.endswith(".smil")]
        assert len(smil) == 3
        pars = etree.fromstring(epub.read(sorted(smil)[1])).findall(".//{http://www.w3.org/ns/SMIL}par")
        assert len(pars) == 3  # title + two sentences of chapter 2

        before = {path.name: path.stat().st_mtime_ns for path in pieces.iterdir()}
        assert len(before) == 3
        client.patch(f"/api/v1/books/{book['id']}/chapters/2", json={"text": "Nadie sabía su apellido."})
        render(client, book["id"])
        wait_for_book(client, book["id"], "succeeded")
        again = tmp_path / "again.m4b"
        again.write_bytes(fetch_when_ready(client, f"/api/v1/books/{book['id']}/audio", format="m4b").content)
        after = {path.name: path.stat().st_mtime_ns for path in pieces.iterdir()}
        kept = {name: mtime for name, mtime in after.items() if name in before}
        assert len(after) == 4 and len(kept) == 3 and kept == before, "only the edited chapter's piece is new"
        assert [c["tags"]["title"] for c in probe(again)["chapters"]] == titles
        assert again.read_bytes() != m4b.read_bytes()
