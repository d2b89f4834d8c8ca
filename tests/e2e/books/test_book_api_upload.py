"""Uploads (multipart `file` + optional `metadata` and `settings` JSON parts) through the import.
The import (`vocalio_api.books.importing`) is built on another branch: these run once it is merged."""

import json

import httpx
import pytest

pytest.importorskip("vocalio_api.books.importing")

TXT_BOOK = """El reloj parado

Capítulo 1

Era una mañana fría. El viento soplaba desde el norte.

Capítulo 2

Nadie sabía su nombre. Llegó al pueblo sin equipaje.
"""


def upload_book(client: httpx.Client, payload: bytes, filename: str, **parts: object) -> httpx.Response:
    data = {name: json.dumps(value) for name, value in parts.items()}
    return client.post("/api/v1/books", data=data, files={"file": (filename, payload, "text/plain")})


def test_a_txt_upload_answers_its_structure_as_a_draft(admin: httpx.Client) -> None:
    response = upload_book(
        admin,
        TXT_BOOK.encode(),
        "el_reloj.txt",
        metadata={"authors": ["Ana Pérez"], "narrator": "Voz sintética"},
        settings={"speed": 1.2},
    )
    assert response.status_code == 201, response.text
    book = response.json()
    assert book["status"] == "draft" and book["source_format"] == "txt"
    titles = [chapter["title"] for chapter in book["chapters"]]
    assert len(titles) >= 2 and any("1" in t for t in titles) and any("2" in t for t in titles)
    assert all(chapter["status"] == "draft" and chapter["number"] for chapter in book["chapters"])
    assert book["metadata"]["title"]  # from the source or, failing that, the file name
    assert book["metadata"]["authors"] == ["Ana Pérez"] and book["settings"]["speed"] == 1.2
    assert admin.get(f"/api/v1/books/{book['id']}").json()["chapters"] == book["chapters"]

    replay_key = {"Idempotency-Key": "subida-1"}
    first = admin.post("/api/v1/books", files={"file": ("b.txt", TXT_BOOK.encode(), "text/plain")}, headers=replay_key)
    again = admin.post("/api/v1/books", files={"file": ("b.txt", TXT_BOOK.encode(), "text/plain")}, headers=replay_key)
    assert first.status_code == 201 and again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_an_unreadable_upload_is_refused_and_stores_nothing(admin: httpx.Client) -> None:
    broken = ("libro.epub", b"PK\x03\x04 not a zip", "application/epub+zip")
    response = admin.post("/api/v1/books", files={"file": broken})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] in ("BOOK_UNREADABLE", "BOOK_UNSAFE")
    assert admin.get("/api/v1/books").json()["items"] == []
    bad_part = upload_book(admin, TXT_BOOK.encode(), "b.txt", settings={"speed": 99})
    assert bad_part.status_code == 422 and bad_part.json()["error"]["code"] == "VALIDATION_ERROR"


def test_an_epub_fills_the_metadata_and_cover_and_lists_its_set_aside_matter(admin: httpx.Client) -> None:
    builder = pytest.importorskip("tests.support.epub_builder")
    cover = builder.tiny_png()
    data = builder.build_epub(
        version=3,
        chapters=[("Capítulo 1", "Era una noche."), ("Capítulo 2", "Amaneció.")],
        front=[
            builder.Page(
                "legal.xhtml",
                "<p>© 2026 Editorial Ejemplo. Todos los derechos reservados.</p>",
                epub_type="copyright-page",
            )
        ],
        metadata={"title": "El libro", "authors": ["Ana Pérez"]},
        cover=cover,
    )
    files = {"file": ("libro.epub", data, "application/epub+zip")}
    response = admin.post("/api/v1/books", files=files, data={"metadata": json.dumps({"narrator": "Voz IA"})})
    assert response.status_code == 201, response.text
    book = response.json()
    assert book["source_format"] == "epub" and book["status"] == "draft"
    assert book["metadata"]["title"] == "El libro" and book["metadata"]["authors"] == ["Ana Pérez"]
    assert book["metadata"]["narrator"] == "Voz IA"  # the client's part wins over (and adds to) the source
    assert [c["title"] for c in book["chapters"]] == ["Capítulo 1", "Capítulo 2"]
    assert [c["kind"] for c in book["excluded"]] == ["copyright"] and book["excluded"][0]["included"] is False
    assert book["has_cover"] is True and admin.get(f"/api/v1/books/{book['id']}/cover").content == cover
    back = admin.patch(f"/api/v1/books/{book['id']}/chapters/{book['excluded'][0]['id']}", json={"included": True})
    assert back.status_code == 200 and len(back.json()["chapters"]) == 3 and back.json()["excluded"] == []
