"""Book limits and refusals, in the one error shape; a refused book stores nothing."""

import httpx
import pytest
from vocalio_shared.schemas.books import MAX_BOOK_CHARS, MAX_CHAPTER_CHARS, MAX_CHAPTERS, MAX_COVER_BYTES

from tests.e2e.books.flows import CHAPTERS, create_book

UPLOAD_LIMIT = 4_000_000


@pytest.fixture
def small_api(api_factory):  # type: ignore[no-untyped-def]
    return api_factory({"VOCALIO_MAX_BOOK_UPLOAD_BYTES": str(UPLOAD_LIMIT)})


def test_limits_are_enforced_with_book_error_codes(small_api) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {small_api.admin_key}"}
    with httpx.Client(base_url=small_api.base_url, headers=headers, timeout=60) as client:

        def refused(body: object, status: int, code: str) -> dict:
            response = client.post("/api/v1/books", json=body)
            assert response.status_code == status, response.text
            error = response.json()["error"]
            assert error["code"] == code
            return error

        metadata = {"title": "Largo"}
        many = [{"title": f"C{n}", "text": "Hola."} for n in range(MAX_CHAPTERS + 1)]
        error = refused({"metadata": metadata, "chapters": many}, 413, "BOOK_TOO_LARGE")
        assert error["context"]["max_chapters"] == MAX_CHAPTERS
        long_chapter = [{"title": "C", "text": "a" * (MAX_CHAPTER_CHARS + 1)}]
        error = refused({"metadata": metadata, "chapters": long_chapter}, 413, "BOOK_TOO_LARGE")
        assert error["context"]["max_chapter_chars"] == MAX_CHAPTER_CHARS
        per_chapter = MAX_CHAPTER_CHARS - 10
        count = MAX_BOOK_CHARS // per_chapter + 1  # each chapter within its limit, the book over its own
        heavy = [{"title": f"C{n}", "text": "a" * per_chapter} for n in range(count)]
        error = refused({"metadata": metadata, "chapters": heavy}, 413, "BOOK_TOO_LARGE")
        assert error["context"]["max_book_chars"] == MAX_BOOK_CHARS
        # The body itself over the book upload limit: refused while it streams in.
        huge = [{"title": f"C{n}", "text": "a" * 150_000} for n in range(UPLOAD_LIMIT // 150_000 + 2)]
        error = refused({"metadata": metadata, "chapters": huge}, 413, "BOOK_TOO_LARGE")
        assert error["context"]["max_bytes"] == UPLOAD_LIMIT

        error = refused({"metadata": {}, "chapters": CHAPTERS}, 422, "VALIDATION_ERROR")
        assert any(f["field"] == "body.metadata.title" for f in error["context"]["fields"])
        refused({"metadata": metadata, "chapters": []}, 422, "VALIDATION_ERROR")
        refused({"metadata": metadata, "chapters": [{"title": "C", "text": "   "}]}, 422, "VALIDATION_ERROR")
        refused({"metadata": metadata, "chapters": CHAPTERS, "extra": 1}, 422, "VALIDATION_ERROR")
        bad_settings = {"metadata": metadata, "chapters": CHAPTERS, "settings": {"nfe_step": 1000}}
        refused(bad_settings, 422, "VALIDATION_ERROR")
        not_json = client.post("/api/v1/books", content=b"{", headers={"Content-Type": "application/json"})
        assert not_json.status_code == 422 and not_json.json()["error"]["code"] == "VALIDATION_ERROR"
        no_file = client.post("/api/v1/books", data={"metadata": "{}"}, files={"other": ("x.txt", b"hola")})
        assert no_file.status_code == 422 and no_file.json()["error"]["code"] == "VALIDATION_ERROR"
        assert client.get("/api/v1/books").json()["items"] == []  # nothing was stored

        book = create_book(client)
        url = f"/api/v1/books/{book['id']}"
        cover = client.put(f"{url}/cover", content=b"\xff\xd8\xff" + b"0" * MAX_COVER_BYTES)
        assert cover.status_code == 413 and cover.json()["error"]["code"] == "UPLOAD_TOO_LARGE"
        assert client.get(url).json()["has_cover"] is False
        edit = client.patch(f"{url}/chapters/1", json={"text": "a" * (MAX_CHAPTER_CHARS + 1)})
        assert edit.status_code == 422 and edit.json()["error"]["code"] == "VALIDATION_ERROR"
        unknown_voice = client.patch(url, json={"settings": {"voice": "nadie"}})
        assert unknown_voice.status_code == 200
        render = client.post(f"{url}/render")
        assert render.status_code == 422 and render.json()["error"]["code"] == "UNKNOWN_VOICE"
        assert client.get(url).json()["status"] == "draft"
