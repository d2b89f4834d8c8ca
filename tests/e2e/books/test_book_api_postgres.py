"""The book flow against a real PostgreSQL (row locks instead of SQLite's one writer)."""

import httpx
import pytest

from tests.e2e.books.flows import create_book, finish_chapter_job

pytestmark = pytest.mark.postgres


def test_a_book_renders_on_postgres(api_factory, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_DATABASE_URL": postgres_url})

    def client(token: str) -> httpx.Client:
        return httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    with client(api.admin_key) as admin, client(api.worker_token) as worker:
        book = create_book(admin, settings={"voice": "espeak:es"})
        url = f"/api/v1/books/{book['id']}"
        ids = [c["job_id"] for c in admin.post(f"{url}/render").json()["chapters"]]
        for job_id in ids:
            finish_chapter_job(worker, job_id)
        done = admin.get(url).json()
        assert done["status"] == "succeeded" and [c["start_s"] for c in done["chapters"]] == [0.0, 4.0, 8.0]
        edited = admin.patch(f"{url}/chapters/3", json={"text": "Otra cosa."}).json()
        assert [c["status"] for c in edited["chapters"]] == ["succeeded", "succeeded", "draft"]
        again = [c["job_id"] for c in admin.post(f"{url}/render").json()["chapters"]]
        assert again[:2] == ids[:2] and again[2] not in ids
        events = admin.get(f"{url}/events/history").json()
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
