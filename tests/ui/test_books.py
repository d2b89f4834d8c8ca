"""The Books page's routes: the dashboard app in process, the book routes' contract over real HTTP.

The contract server (tests/ui/books_contract.py) answers with the shared book schemas and records
what the dashboard sent, so each test checks both sides: what the operator sees and what reached
the API.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from vocalio_ui.app import create_app
from vocalio_ui.config import UiSettings
from vocalio_ui.routes import books as books_routes

from tests.ui.books_contract import OPERATOR_KEY, ContractServer, contract_server

BOOK_TXT = """Dedicatoria
A mi madre, que me enseñó a leer.

Capítulo 1
En un lugar de la Mancha, de cuyo nombre no quiero acordarme, no ha mucho tiempo que vivía un hidalgo.

Capítulo 2
Frisaba la edad de nuestro hidalgo con los cincuenta años; era de complexión recia, seco de carnes.

Epílogo
Y así termina la historia.
"""


@pytest.fixture(scope="module")
def contract(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ContractServer]:
    with contract_server(Path(tmp_path_factory.mktemp("book-contract"))) as server:
        yield server


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


@pytest.fixture
def dashboard(contract: ContractServer) -> Iterator[TestClient]:
    settings = UiSettings(api_url=contract.base_url, ui_session_secret="test-ui-session-secret-0123456789")
    with TestClient(create_app(settings), follow_redirects=False) as client:
        token = _csrf(client.get("/login").text)
        signed_in = client.post("/login", data={"api_key": OPERATOR_KEY, "csrf_token": token, "next": "/books"})
        assert signed_in.status_code == 303, signed_in.text
        yield client


def _token(client: TestClient, path: str = "/books") -> str:
    return _csrf(client.get(path).text)


def _upload(client: TestClient, **fields: str) -> str:
    """Import BOOK_TXT through the form; the new book's id."""
    data = {"csrf_token": _token(client), "title": "", "authors": "", "narrator": "", "voice": ""} | fields
    answer = client.post("/books", data=data, files={"file": ("quijote.txt", BOOK_TXT.encode(), "text/plain")})
    assert answer.status_code == 303, answer.text
    match = re.fullmatch(r"/books/(bk_[0-9a-f]+)", answer.headers["location"])
    assert match, answer.headers["location"]
    return match.group(1)


def _rows(html: str, table_class: str = "chapters") -> list[str]:
    body = html.split(f'<table class="{table_class}">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr data-chapter-id=.*?</tr>", body, re.DOTALL)


def test_signed_out_visitors_go_to_sign_in(contract: ContractServer) -> None:
    settings = UiSettings(api_url=contract.base_url, ui_session_secret="test-ui-session-secret-0123456789")
    with TestClient(create_app(settings), follow_redirects=False) as client:
        for path in ("/books", "/books/bk_x", "/books/bk_x/audio?format=m4b", "/books/bk_x/chapters/1/audio"):
            answer = client.get(path)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path


def test_upload_sends_the_file_metadata_and_voice_then_shows_the_draft(
    dashboard: TestClient, contract: ContractServer
) -> None:
    listing = dashboard.get("/books").text
    assert '<a href="/books" aria-current="page">Books</a>' in listing
    assert "Up to 100 MiB, 500 chapters and 3 000 000 characters" in listing
    assert '<option value="vc_porteno"' in listing  # the voice list comes from the API

    book_id = _upload(dashboard, title="Don Quijote", authors="Miguel de Cervantes; Otro Autor", voice="vc_porteno")
    sent = contract.state.last("POST", "/api/v1/books")
    assert sent["content_type"].startswith("multipart/form-data")
    assert b'filename="quijote.txt"' in sent["body"] and b"un hidalgo" in sent["body"]
    metadata = json.loads(re.search(rb'name="metadata"\r\n\r\n(.*?)\r\n--', sent["body"], re.DOTALL).group(1))  # type: ignore[union-attr]
    assert metadata == {"title": "Don Quijote", "authors": ["Miguel de Cervantes", "Otro Autor"]}  # no empty narrator
    settings = json.loads(re.search(rb'name="settings"\r\n\r\n(.*?)\r\n--', sent["body"], re.DOTALL).group(1))  # type: ignore[union-attr]
    assert settings == {"voice": "vc_porteno"}

    page = dashboard.get(f"/books/{book_id}").text
    assert '<span class="status status-draft" id="book-status">draft</span>' in page
    assert "hx-get=" not in page.split('id="book-live"', 1)[1].split(">", 1)[0]  # a draft does not poll
    rows = _rows(page)
    titles = [re.search(r'value="([^"]+)" maxlength="500"', row).group(1) for row in rows]  # type: ignore[union-attr]
    assert titles == ["Capítulo 1", "Capítulo 2", "Epílogo"]  # reading order, the dedication set aside
    first_text = BOOK_TXT.split("Capítulo 1\n", 1)[1].split("\n\n", 1)[0]
    assert f"<td>{len(first_text)}</td>" in rows[0]  # characters of chapter 1
    assert '<td class="small">line 4</td>' in rows[0]  # no text preview in ChapterPublic: where it came from
    excluded = page.split('id="excluded"', 1)[1].split("</section>", 1)[0]
    assert '<span class="tag">dedication</span>' in excluded and "Dedicatoria" in excluded
    assert 'aria-label="Include Dedicatoria"' in excluded
    assert '<option value="vc_porteno" selected>' in page  # the book's voice, as sent
    assert 'id="render"' in page and ">Render<" in page
    assert "Miguel de Cervantes, Otro Autor" in page

    listing = dashboard.get("/fragments/books").text
    row = re.search(rf'<tr data-book-id="{book_id}".*?</tr>', listing, re.DOTALL).group(0)  # type: ignore[union-attr]
    assert "Don Quijote" in row and "Miguel de Cervantes" in row and "status-draft" in row and "0 / 3" in row


def test_confirming_the_structure_patches_by_number_and_puts_matter_back_by_id(
    dashboard: TestClient, contract: ContractServer
) -> None:
    book_id = _upload(dashboard)
    book = contract.state.books[book_id]
    dedication, first, _, epilogue = book.chapters
    token = _token(dashboard, f"/books/{book_id}")

    renamed = dashboard.post(
        f"/books/{book_id}/chapters/{first.id}", data={"csrf_token": token, "title": "  Capítulo primero "}
    )
    assert renamed.status_code == 303 and renamed.headers["location"] == f"/books/{book_id}"
    sent = contract.state.last("PATCH", "/chapters/")
    assert sent["path"] == f"/api/v1/books/{book_id}/chapters/1"  # included chapters: their number
    assert json.loads(sent["body"]) == {"title": "Capítulo primero"}

    included = dashboard.post(
        f"/books/{book_id}/chapters/{dedication.id}", data={"csrf_token": token, "included": "true"}
    )
    assert included.status_code == 303
    sent = contract.state.last("PATCH", "/chapters/")
    assert sent["path"] == f"/api/v1/books/{book_id}/chapters/{dedication.id}"  # set-aside matter: its id
    assert json.loads(sent["body"]) == {"included": True}

    left_out = dashboard.post(
        f"/books/{book_id}/chapters/{epilogue.id}", data={"csrf_token": token, "included": "false"}
    )
    assert left_out.status_code == 303
    assert contract.state.last("PATCH", "/chapters/")["path"] == f"/api/v1/books/{book_id}/chapters/4"

    page = dashboard.get(f"/books/{book_id}").text
    titles = [re.search(r'value="([^"]+)" maxlength="500"', row).group(1) for row in _rows(page)]  # type: ignore[union-attr]
    assert titles == ["Dedicatoria", "Capítulo primero", "Capítulo 2"]
    assert 'aria-label="Include Epílogo"' in page

    unchanged = dashboard.post(
        f"/books/{book_id}/chapters/{first.id}", data={"csrf_token": token, "title": "Capítulo primero"}
    )
    assert unchanged.status_code == 303 and contract.state.last("PATCH", "/chapters/")["path"].endswith("/4")  # no call
    missing = dashboard.post(f"/books/{book_id}/chapters/ch_nope", data={"csrf_token": token, "title": "X"})
    assert missing.status_code == 404 and "No chapter ch_nope" in missing.text


def test_settings_send_the_whole_settings_object(dashboard: TestClient, contract: ContractServer) -> None:
    book_id = _upload(dashboard)
    token = _token(dashboard, f"/books/{book_id}")
    saved = dashboard.post(
        f"/books/{book_id}/settings",
        data={"csrf_token": token, "voice": "vc_narradora", "region": "rioplatense", "speed": "1.1"},
    )
    assert saved.status_code == 303
    sent = json.loads(contract.state.last("PATCH", f"/api/v1/books/{book_id}")["body"])
    assert sent["settings"]["voice"] == "vc_narradora" and sent["settings"]["region"] == "rioplatense"
    assert sent["settings"]["speed"] == 1.1 and sent["settings"]["nfe_step"] == 32  # the rest kept as it was
    page = dashboard.get(f"/books/{book_id}").text
    assert '<option value="vc_narradora" selected>' in page and '<option value="rioplatense" selected>' in page

    refused = dashboard.post(f"/books/{book_id}/settings", data={"csrf_token": token, "region": "auto", "speed": "9"})
    assert refused.status_code == 422  # the API's own validation (speed ≤ 2), shown on the page
    assert 'id="book-error"' in refused.text and contract.state.books[book_id].settings.speed == 1.1
    not_a_number = dashboard.post(f"/books/{book_id}/settings", data={"csrf_token": token, "speed": "fast"})
    assert not_a_number.status_code == 422 and "Speed must be a number" in not_a_number.text


def test_render_live_progress_listen_pause_resume_and_download(dashboard: TestClient, contract: ContractServer) -> None:
    book_id = _upload(dashboard, title="Libro en marcha")
    token = _token(dashboard, f"/books/{book_id}")
    assert dashboard.get(f"/books/{book_id}/audio?format=m4b").status_code == 409  # nothing to download yet

    started = dashboard.post(f"/books/{book_id}/render", headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert started.status_code == 200 and started.headers["HX-Redirect"] == f"/books/{book_id}"
    assert contract.state.last("POST", "/render")["path"] == f"/api/v1/books/{book_id}/render"

    page = dashboard.get(f"/books/{book_id}").text
    assert f'hx-get="/fragments/books/{book_id}" hx-trigger="every 2.0s"' in page  # polls while rendering
    assert 'id="pause"' in page and 'id="cancel"' in page and 'id="book-settings"' not in page

    contract.state.advance(book_id)  # chapter 1 synthesizing 50 %
    fragment = dashboard.get(f"/fragments/books/{book_id}", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="book-live"') and "<h1>" not in fragment
    rows = _rows(fragment)
    assert "status-synthesizing" in rows[0] and 'value="50.0"' in rows[0] and "left" in rows[0]
    assert 'id="book-progress">17 %' in fragment  # (50 + 0 + 0) / 3
    assert 'id="book-eta">about' in fragment

    contract.state.advance(book_id)  # chapter 1 done: playable while the rest renders
    fragment = dashboard.get(f"/fragments/books/{book_id}").text
    rows = _rows(fragment)
    first_id = contract.state.books[book_id].chapters[1].id
    player = f'src="/books/{book_id}/chapters/1/audio" id="player-{first_id}" hx-preserve'
    assert player in rows[0] and "<audio" not in rows[1]
    assert 'id="chapters-done">1 / 3' in fragment
    audio = dashboard.get(f"/books/{book_id}/chapters/1/audio", headers={"Range": "bytes=0-99"})
    assert audio.status_code == 206 and audio.headers["content-range"].startswith("bytes 0-99/")
    assert audio.content == contract.state.audio[:100] and audio.headers["content-type"] == "audio/wav"
    assert "authorization" not in {k.lower() for k in audio.headers}
    download = dashboard.get(f"/books/{book_id}/chapters/1/audio?download=1")
    assert download.headers["content-disposition"].startswith("attachment")
    assert dashboard.get(f"/books/{book_id}/chapters/2/audio").status_code == 409  # not rendered yet

    paused = dashboard.post(f"/books/{book_id}/pause", headers={"X-CSRF-Token": token})
    assert paused.status_code == 303
    page = dashboard.get(f"/books/{book_id}").text
    assert 'id="book-status">paused' in page and 'id="resume"' in page and 'id="pause"' not in page
    contract.state.advance(book_id)  # a paused book does not move
    assert contract.state.books[book_id].chapters[2].progress == 0
    assert dashboard.post(f"/books/{book_id}/resume", headers={"X-CSRF-Token": token}).status_code == 303

    for _ in range(4):
        contract.state.advance(book_id)
    page = dashboard.get(f"/books/{book_id}").text
    assert 'id="book-status">succeeded' in page and 'hx-get="/fragments/books/' not in page
    assert 'id="render"' in page and "Render again" in page  # an edit can be rendered again
    for fmt in ("m4b", "mp3-zip", "flac-zip"):
        assert f'href="/books/{book_id}/audio?format={fmt}"' in page
    m4b = dashboard.get(f"/books/{book_id}/audio?format=m4b", headers={"Range": "bytes=10-19"})
    assert m4b.status_code == 206 and m4b.content == contract.state.audio[10:20]
    assert m4b.headers["content-type"] == "audio/mp4" and m4b.headers["content-disposition"].startswith("attachment")
    assert contract.state.last("GET", "/audio")["query"] == "format=m4b"
    assert dashboard.get(f"/books/{book_id}/audio?format=ogg").status_code == 404


def test_cancel_stops_the_unfinished_chapters(dashboard: TestClient, contract: ContractServer) -> None:
    book_id = _upload(dashboard)
    token = _token(dashboard, f"/books/{book_id}")
    dashboard.post(f"/books/{book_id}/render", headers={"X-CSRF-Token": token})
    contract.state.advance(book_id)
    contract.state.advance(book_id)
    assert dashboard.post(f"/books/{book_id}/cancel", headers={"X-CSRF-Token": token}).status_code == 303
    page = dashboard.get(f"/books/{book_id}").text
    statuses = [re.search(r'data-status="(\w+)"', row).group(1) for row in _rows(page)]  # type: ignore[union-attr]
    assert statuses == ["succeeded", "cancelled", "cancelled"]  # finished chapters are kept
    assert 'id="book-status">cancelled' in page and "Render again" in page and 'id="cancel"' not in page
    assert dashboard.post(f"/books/{book_id}/explode", headers={"X-CSRF-Token": token}).status_code == 404


def test_refused_uploads_say_why_and_store_nothing(
    dashboard: TestClient, contract: ContractServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = len(contract.state.books)
    token = _token(dashboard)
    not_epub = dashboard.post(
        "/books",
        data={"csrf_token": token, "title": "Roto"},
        files={"file": ("roto.epub", b"this is not a zip", "application/epub+zip")},
    )
    assert not_epub.status_code == 422
    assert "not an EPUB (not a zip archive)" in not_epub.text and "<code>BOOK_UNREADABLE</code>" in not_epub.text
    assert 'value="Roto"' in not_epub.text  # what was typed stays in the form

    nothing = dashboard.post("/books", data={"csrf_token": token}, files={"file": ("", b"", "text/plain")})
    assert nothing.status_code == 422 and "Choose an EPUB or TXT file." in nothing.text

    requests_before = len(contract.state.requests)
    monkeypatch.setattr(books_routes, "MAX_BOOK_UPLOAD_BYTES", 1024)  # a real 100 MiB upload is not needed to show it
    too_big = dashboard.post(
        "/books", data={"csrf_token": token}, files={"file": ("big.txt", b"x" * 2048, "text/plain")}
    )
    assert too_big.status_code == 413 and "the largest book upload is 0 MiB" in too_big.text
    assert not any(r["method"] == "POST" for r in contract.state.requests[requests_before:])  # never forwarded

    forged = dashboard.post(
        "/books", data={"csrf_token": "forged"}, files={"file": ("a.txt", b"Capitulo 1\nHola.", "text/plain")}
    )
    assert forged.status_code == 403
    assert len(contract.state.books) == before


def test_unknown_book_shows_the_apis_error(dashboard: TestClient) -> None:
    answer = dashboard.get("/books/bk_missing")
    assert answer.status_code == 404 and "no book bk_missing" in answer.text


def test_previews_come_from_the_api_when_it_sends_text() -> None:
    raw = {
        "chapters": [{"id": "a", "preview": "  Uno\n dos  "}, {"id": "b", "text": "palabra " * 100}, {"id": "c"}],
        "excluded": [{"id": "d", "text": "Dedicatoria breve."}],
    }
    previews = books_routes._previews(raw)
    assert previews["a"] == "Uno dos" and previews["d"] == "Dedicatoria breve." and "c" not in previews
    assert previews["b"].endswith(" …") and len(previews["b"]) <= books_routes.PREVIEW_CHARS + 2
