"""Book methods against a real local server that speaks the book routes' contract."""

import json
from pathlib import Path

import pytest
from vocalio_client import Client, VocalioApiError
from vocalio_shared.schemas.books import BookCreate, BookMetadata, BookStatus, ChapterIn

from tests.client.contract_server import ContractServer

BOOK = BookCreate(
    metadata=BookMetadata(title="Cuentos", authors=["Ana"]),
    chapters=[ChapterIn(title=f"Capítulo {n}", text=f"Texto del capítulo {n}.") for n in (1, 2, 3)],
)


def test_create_book_answers_the_draft_and_a_retry_makes_one_book(client: Client, contract: ContractServer) -> None:
    contract.fail_next("POST", "/api/v1/books", 1, status=504)
    book = client.create_book(BOOK)
    assert book.status is BookStatus.DRAFT
    assert [c.title for c in book.chapters] == ["Capítulo 1", "Capítulo 2", "Capítulo 3"]
    assert book.metadata.authors == ["Ana"] and len(contract.books) == 1
    keys = {headers["idempotency-key"] for headers in contract.requests("POST", "/api/v1/books")}
    assert len(keys) == 1


def test_upload_sends_the_file_and_json_parts(client: Client, contract: ContractServer, tmp_path: Path) -> None:
    source = tmp_path / "libro.txt"
    source.write_text("Capítulo 1\nHabía una vez.\n\n\nCapítulo 2\nY colorín colorado.\n", encoding="utf-8")
    contract.fail_next("POST", "/api/v1/books", 1, status=503)  # the file is sent again, whole
    book = client.upload_book(source, metadata={"title": "Mi libro", "narrator": "Voz"}, settings={"speed": 1.1})
    assert book.status is BookStatus.DRAFT and book.metadata.title == "Mi libro"
    assert [c.title for c in book.chapters] == ["Capítulo 1", "Capítulo 2"]
    assert [c.kind for c in book.excluded] == ["copyright"]
    ((name, data, parts),) = contract.uploads
    assert name == "libro.txt" and data == source.read_bytes()
    # only what was given travels: the server's defaults stay the server's
    assert parts["metadata"] == {"title": "Mi libro", "narrator": "Voz"} and parts["settings"].speed == 1.1


def test_follow_book_yields_snapshots_until_it_settles(client: Client, contract: ContractServer) -> None:
    book = client.render_book(client.create_book(BOOK).id)
    assert book.status in (BookStatus.QUEUED, BookStatus.SYNTHESIZING)
    snapshots = list(client.follow_book(book.id, min_interval=0.05))
    progress = [snapshot.progress for snapshot in snapshots]
    assert progress == sorted(progress) and len(snapshots) >= 3
    assert snapshots[-1].status is BookStatus.SUCCEEDED and snapshots[-1].progress == 100
    assert all(chapter.status is BookStatus.SUCCEEDED for chapter in snapshots[-1].chapters)


def test_a_cut_event_stream_resumes_after_the_last_event(client: Client, contract: ContractServer) -> None:
    book = client.render_book(client.create_book(BOOK).id)
    contract.cut_stream_after = 4
    events = list(client.book_events(book.id))
    ids = [int(event.id or 0) for event in events]
    assert ids == list(range(1, len(ids) + 1))  # nothing lost, nothing twice
    assert events[-1].type == "book.succeeded" and events[-1].settles
    assert [e.data["chapter"] for e in events if e.type == "chapter.succeeded"] == [1, 2, 3]
    streams = contract.requests("GET", f"/api/v1/books/{book.id}/events")
    assert len(streams) == 2 and "last-event-id" not in streams[0] and streams[1]["last-event-id"] == "4"


def test_book_events_of_a_paused_book_end(client: Client, contract: ContractServer) -> None:
    book = client.render_book(client.create_book(BOOK).id)
    assert client.pause_book(book.id).status is BookStatus.PAUSED
    assert list(client.follow_book(book.id))[-1].status is BookStatus.PAUSED
    resumed = client.resume_book(book.id)
    assert resumed.status is BookStatus.SYNTHESIZING
    assert client.wait_book(book.id, timeout=30).status is BookStatus.SUCCEEDED


def test_an_old_pause_in_the_log_does_not_end_the_following(client: Client, contract: ContractServer) -> None:
    book = client.render_book(client.create_book(BOOK).id)
    client.pause_book(book.id)
    client.resume_book(book.id)
    types = [event.type for event in client.book_events(book.id)]
    assert "book.paused" in types and types[-1] == "book.succeeded"
    assert len(contract.requests("GET", f"/api/v1/books/{book.id}/events")) == 1  # one stream, read through


def test_audio_not_ready_is_raised_at_once(client: Client, contract: ContractServer, tmp_path: Path) -> None:
    book = client.render_book(client.create_book(BOOK).id)
    with pytest.raises(VocalioApiError) as raised:
        client.download_book(book.id, tmp_path / "libro.m4b")
    assert raised.value.code == "AUDIO_NOT_READY" and raised.value.status == 409
    assert len(contract.requests("GET", f"/api/v1/books/{book.id}/audio")) == 1
    assert not (tmp_path / "libro.m4b").exists()


def test_a_finished_chapter_downloads_while_the_rest_renders(
    client: Client, contract: ContractServer, tmp_path: Path
) -> None:
    contract.chapter_s = 1.0
    book = client.render_book(client.create_book(BOOK).id)
    for snapshot in client.follow_book(book.id, min_interval=0.05):
        if snapshot.chapters[0].status is BookStatus.SUCCEEDED:
            break
    assert snapshot.status is BookStatus.SYNTHESIZING
    target = client.download_chapter(book.id, 1, tmp_path / "c1.mp3", format="mp3")
    assert target.read_bytes().startswith(b"mp3:1")
    assert "WEBVTT" in client.chapter_captions(book.id, 1, "vtt")


def test_a_cut_download_resumes_with_range(client: Client, contract: ContractServer, tmp_path: Path) -> None:
    book = client.render_book(client.create_book(BOOK).id)
    client.wait_book(book.id, timeout=30)
    contract.cut_download_at = 100_000
    target = client.download_book(book.id, tmp_path / "libro.m4b", "m4b")
    assert target.read_bytes() == b"m4b" + contract.audio
    tries = contract.requests("GET", f"/api/v1/books/{book.id}/audio")
    assert len(tries) == 2 and "range" not in tries[0]
    kept = int(tries[1]["range"].removeprefix("bytes=").removesuffix("-"))
    assert 0 < kept <= 100_000  # what reached the disk before the cut (read in 64 KiB pieces) is kept
    assert tries[1]["if-range"].startswith('"')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["libro.m4b"]  # the .part files are gone


def test_a_partial_of_another_version_restarts_from_zero(
    client: Client, contract: ContractServer, tmp_path: Path
) -> None:
    book = client.render_book(client.create_book(BOOK).id)
    client.wait_book(book.id, timeout=30)
    (tmp_path / "libro.zip.part").write_bytes(b"old bytes of an earlier render")
    (tmp_path / "libro.zip.part.json").write_text(json.dumps({"validator": '"not-the-current-etag"'}))
    target = client.download_book(book.id, tmp_path / "libro.zip", "mp3-zip")
    assert target.read_bytes() == b"mp3-zip" + contract.audio


def test_edit_chapter_answers_the_book(client: Client, contract: ContractServer) -> None:
    book = client.create_book(BOOK)
    edited = client.edit_chapter(book.id, 2, title="Capítulo dos", text="Otro texto, más largo que antes.")
    assert edited.chapters[1].title == "Capítulo dos" and edited.chapters[1].text_chars == 32
    text = client.chapter_text(book.id, 2)
    assert (text.number, text.title, text.text) == (2, "Capítulo dos", "Otro texto, más largo que antes.")
    with pytest.raises(VocalioApiError) as raised:
        client.edit_chapter(book.id, 9, title="x")
    assert raised.value.code == "CHAPTER_NOT_FOUND"
    assert [b.id for b in client.list_books().items] == [book.id]
