"""A book's quality with a real eSpeak worker process: the quality fields and the report exist
whatever the worker measures (a worker without mastering or sentence QA leaves them empty), and a
one-sentence "render again" re-renders that chapter alone, every other sentence from the cache."""

import httpx

from tests.e2e.books.conftest import api_factory  # noqa: F401 (a fixture, reused)
from tests.e2e.books.flows import create_book
from tests.e2e.books.test_book_api import job_ids, render
from tests.e2e.books.test_book_api_worker import wait_for_book, worker  # noqa: F401 (a fixture, reused)

CHAPTERS = [
    {"title": "Capítulo 1", "text": "Era una mañana fría. El viento soplaba."},
    {"title": "Capítulo 2", "text": "Nadie sabía su nombre."},
]


def test_the_report_and_a_redraw_with_a_real_worker(worker) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    api, _worker = worker
    headers = {"Authorization": f"Bearer {api.admin_key}"}
    with httpx.Client(base_url=api.base_url, headers=headers, timeout=30) as client:
        book = create_book(client, chapters=CHAPTERS)
        ids = job_ids(render(client, book["id"]))
        done = wait_for_book(client, book["id"], "succeeded")
        quality = done["quality"]
        assert quality is not None and quality["preset"] == "acx"
        assert quality["chapters_measured"] + len([c for c in done["chapters"] if c["report"] is None]) == 2
        report = client.get(f"/api/v1/books/{book['id']}/report").json()
        assert [row["number"] for row in report["chapters"]] == [1, 2]
        assert all(row["status"] == "succeeded" for row in report["chapters"])
        table = client.get(f"/api/v1/books/{book['id']}/report", params={"format": "csv"}).text.splitlines()
        assert len(table) == 3

        # Sentence 1 of chapter 1 (0 is the title): only chapter 1 renders again, nothing else is made anew.
        job = client.get(f"/api/v1/jobs/{ids[0]}").json()
        assert job["result"]["segments"][1]["key"]
        again = client.post(f"/api/v1/books/{book['id']}/chapters/1/sentences/1/redraw")
        assert again.status_code == 202, again.text
        new_ids = job_ids(again.json())
        assert new_ids[1] == ids[1] and new_ids[0] != ids[0]
        redone = wait_for_book(client, book["id"], "succeeded")
        assert redone["chapters"][0]["redraws"] == 1
        metrics = client.get(f"/api/v1/jobs/{new_ids[0]}").json()["metrics"]
        # The redrawn sentence alone may be synthesized (a worker that honours redraw_from); the rest is cached.
        assert metrics["sentences_synthesized"] <= 1 and metrics["sentences_cached"] >= 2
