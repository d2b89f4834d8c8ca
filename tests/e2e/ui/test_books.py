"""The Books page in a real Chromium, on the real stack (the API, an eSpeak worker, Redis): upload a TXT
book, confirm its structure, render it, watch the chapters finish live, listen to one while the rest
renders, pause and resume, download the m4b.

The worker of this module is slowed (one sentence a batch, 2.5 s a batch) so that the page can be
seen between two chapters: each chapter is its title and one sentence, about five seconds.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.ui.conftest import screenshot, sign_in
from tests.support.processes import ApiProcess, WorkerProcess
from tests.ui.test_books import BOOK_TXT

CHAPTER_DONE_S = 40_000  # ms: one chapter on a slowed worker of a loaded machine


@pytest.fixture(scope="module")
def worker(api: ApiProcess, stack_redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    """Overrides the conftest's worker: this one is slow enough for the page to show a book mid-render."""
    slow = {"VOCALIO_BATCH_SIZE": "1", "VOCALIO_SIMULATED_CHUNK_DELAY_S": "2.5", "VOCALIO_PROGRESS_INTERVAL_S": "0"}
    process = WorkerProcess(api, stack_redis_url, Path(tmp_path_factory.mktemp("ui-books-worker")), "ui-books-1", slow)
    process.start(timeout_s=90)
    yield process
    process.stop(timeout_s=30)


def test_import_confirm_render_listen_and_download(
    page: Page, api: ApiProcess, worker: WorkerProcess, admin: httpx.Client, tmp_path: Path
) -> None:
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    failed: list[str] = []  # the browser asks for /favicon.ico on its own; every other request must succeed
    page.on("response", lambda r: r.status >= 400 and "favicon" not in r.url and failed.append(f"{r.status} {r.url}"))
    sign_in(page, api.admin_key)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Books").click()
    expect(page.get_by_role("heading", name="Books", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Books")).to_have_attribute(
        "aria-current", "page"
    )

    book_file = tmp_path / "quijote.txt"
    book_file.write_text(BOOK_TXT, encoding="utf-8")
    page.get_by_label("EPUB or TXT file").set_input_files(str(book_file))
    page.get_by_label("Title").fill("Don Quijote")
    page.get_by_label("Author(s)").fill("Miguel de Cervantes")
    page.get_by_role("button", name="Import").click()

    # The draft: the detected structure, to confirm before anything is rendered.
    expect(page.locator("#book-status")).to_have_text("draft")
    book_id = page.url.rsplit("/", 1)[1]
    chapters = page.locator("table.chapters tbody tr")
    expect(chapters).to_have_count(3)
    expect(page.get_by_label("Title of chapter 1", exact=True)).to_have_value("Capítulo 1")
    expect(page.locator("#excluded")).to_contain_text("dedication")

    page.get_by_role("button", name="Include Dedicatoria").click()
    expect(chapters).to_have_count(4)
    expect(page.get_by_label("Title of chapter 1", exact=True)).to_have_value("Dedicatoria")
    page.get_by_label("Title of chapter 2", exact=True).fill("Capítulo primero")
    page.get_by_role("button", name="Save the title of chapter 2").click()
    expect(page.get_by_label("Title of chapter 2", exact=True)).to_have_value("Capítulo primero")
    assert admin.get(f"/api/v1/books/{book_id}").json()["chapters"][1]["title"] == "Capítulo primero"
    screenshot(page, "book-draft")

    page.get_by_role("button", name="Render", exact=True).click()
    expect(page.locator("#pause")).to_be_visible()

    # Live: the page follows the render by itself (polling), chapter by chapter.
    expect(page.locator("#chapters-done")).to_have_text("1 / 4", timeout=CHAPTER_DONE_S)
    expect(chapters.nth(1)).to_contain_text("synthesizing")
    player = chapters.nth(0).locator("audio")
    expect(player).to_be_visible()
    # The finished chapter plays through the dashboard's proxy while the rest renders.
    duration = player.evaluate(
        """audio => new Promise((resolve, reject) => {
            audio.addEventListener("loadedmetadata", () => resolve(audio.duration), {once: true});
            audio.addEventListener("error", () => reject(new Error("audio error " + audio.error.code)), {once: true});
            audio.load();
        })"""
    )
    first = admin.get(f"/api/v1/books/{book_id}").json()["chapters"][0]
    assert first["status"] == "succeeded" and abs(duration - first["duration_s"]) < 0.1, (duration, first)
    player.evaluate("audio => { audio.dataset.kept = 'yes'; }")
    screenshot(page, "book-rendering")  # docs/images/books.png is a copy of this one

    # Chapter 2 done: the poll swaps the table, the first player stays as it was.
    expect(page.locator("#chapters-done")).to_have_text("2 / 4", timeout=CHAPTER_DONE_S)
    expect(chapters.nth(0).locator("audio")).to_have_attribute("data-kept", "yes")

    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#book-status")).to_have_text("paused", timeout=CHAPTER_DONE_S)  # the chapter running ends
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("#book-status")).to_have_text("succeeded", timeout=3 * CHAPTER_DONE_S)
    expect(page.locator("#chapters-done")).to_have_text("4 / 4")

    m4b = admin.get(f"/api/v1/books/{book_id}/audio", params={"format": "m4b"})
    for _ in range(120):  # the m4b is muxed in the background once the last chapter succeeds
        if m4b.status_code != 409:
            break
        page.wait_for_timeout(500)
        m4b = admin.get(f"/api/v1/books/{book_id}/audio", params={"format": "m4b"})
    assert m4b.status_code == 200, m4b.text
    with page.expect_download() as download_info:
        page.locator("#download-m4b").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".m4b")
    assert Path(download.path()).read_bytes() == m4b.content

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Books").click()
    row = page.locator(f'tr[data-book-id="{book_id}"]')
    expect(row).to_contain_text("Don Quijote")
    expect(row).to_contain_text("succeeded")
    expect(row).to_contain_text("4 / 4")
    assert not failed, failed
    assert not [error for error in console_errors if "Content Security Policy" in error], console_errors
