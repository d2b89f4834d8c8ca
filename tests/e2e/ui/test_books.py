"""The Books page in a real Chromium: upload a TXT book, confirm its structure, render it, watch the
chapters finish live, listen to one while the rest renders, pause and resume, download the m4b.

The dashboard runs as its own process against the book routes' contract server (a real HTTP server
answering with the shared book schemas, tests/ui/books_contract.py): the API's book routes are
built in another branch. The test moves the render on itself, as the worker's reports would.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.ui.conftest import screenshot
from tests.support.processes import UiProcess
from tests.ui.books_contract import OPERATOR_KEY, ContractServer, contract_server
from tests.ui.test_books import BOOK_TXT


@pytest.fixture(scope="module")
def contract(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ContractServer]:
    with contract_server(Path(tmp_path_factory.mktemp("book-contract"))) as server:
        yield server


@pytest.fixture(scope="module")
def ui(contract: ContractServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiProcess]:
    """Overrides the conftest's dashboard: this one talks to the contract server, not a real API."""
    process = UiProcess(contract, Path(tmp_path_factory.mktemp("ui-books")))  # type: ignore[arg-type]  # needs .base_url
    process.start(timeout_s=60)
    yield process
    process.stop()


def test_import_confirm_render_listen_and_download(
    page: Page, ui: UiProcess, contract: ContractServer, tmp_path: Path
) -> None:
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    failed: list[str] = []  # the browser asks for /favicon.ico on its own; every other request must succeed
    page.on("response", lambda r: r.status >= 400 and "favicon" not in r.url and failed.append(f"{r.status} {r.url}"))
    # Straight to the Books page: the contract server speaks only the book routes, not the overview's.
    page.goto("/login?next=/books")
    page.get_by_label("API key").fill(OPERATOR_KEY)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Books", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Books")).to_have_attribute(
        "aria-current", "page"
    )

    book_file = tmp_path / "quijote.txt"
    book_file.write_text(BOOK_TXT, encoding="utf-8")
    page.get_by_label("EPUB or TXT file").set_input_files(str(book_file))
    page.get_by_label("Title").fill("Don Quijote")
    page.get_by_label("Author(s)").fill("Miguel de Cervantes")
    page.get_by_label("Voice").select_option("vc_porteno")
    page.get_by_role("button", name="Import").click()

    # The draft: the detected structure, to confirm before anything is rendered.
    expect(page.locator("#book-status")).to_have_text("draft")
    book_id = page.url.rsplit("/", 1)[1]
    chapters = page.locator("table.chapters tbody tr")
    expect(chapters).to_have_count(3)
    expect(page.get_by_label("Title of chapter 1", exact=True)).to_have_value("Capítulo 1")
    expect(page.locator("#excluded")).to_contain_text("dedication")
    expect(page.get_by_label("Voice", exact=True)).to_have_value("vc_porteno")

    page.get_by_role("button", name="Include Dedicatoria").click()
    expect(chapters).to_have_count(4)
    expect(page.get_by_label("Title of chapter 1", exact=True)).to_have_value("Dedicatoria")
    page.get_by_label("Title of chapter 2", exact=True).fill("Capítulo primero")
    page.get_by_role("button", name="Save the title of chapter 2").click()
    expect(page.get_by_label("Title of chapter 2", exact=True)).to_have_value("Capítulo primero")
    assert contract.state.books[book_id].chapters[1].title == "Capítulo primero"
    screenshot(page, "book-draft")

    page.get_by_role("button", name="Render", exact=True).click()
    expect(page.locator("#book-status")).to_have_text("queued")
    expect(page.locator("#pause")).to_be_visible()

    # Live: the page follows the render by itself (polling), chapter by chapter.
    contract.state.advance(book_id)
    contract.state.advance(book_id)
    contract.state.advance(book_id)
    expect(page.locator("#chapters-done")).to_have_text("1 / 4")
    expect(chapters.nth(1)).to_contain_text("synthesizing")
    expect(page.locator("#book-eta")).to_contain_text("about")
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
    assert abs(duration - 1.0) < 0.05  # the contract's one-second chapter
    player.evaluate("audio => { audio.dataset.kept = 'yes'; }")
    screenshot(page, "book-rendering")  # docs/images/books.png is a copy of this one

    contract.state.advance(book_id)  # chapter 2 done: the poll swaps the table, the first player stays
    expect(page.locator("#chapters-done")).to_have_text("2 / 4")
    expect(chapters.nth(0).locator("audio")).to_have_attribute("data-kept", "yes")

    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#book-status")).to_have_text("paused")
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("#book-status")).to_have_text("synthesizing")
    for _ in range(4):
        contract.state.advance(book_id)
    expect(page.locator("#book-status")).to_have_text("succeeded")
    expect(page.locator("#chapters-done")).to_have_text("4 / 4")

    with page.expect_download() as download_info:
        page.locator("#download-m4b").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".m4b")
    assert Path(download.path()).read_bytes() == contract.state.audio

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Books").click()
    row = page.locator(f'tr[data-book-id="{book_id}"]')
    expect(row).to_contain_text("Don Quijote")
    expect(row).to_contain_text("succeeded")
    expect(row).to_contain_text("4 / 4")
    assert not failed, failed
    assert not [error for error in console_errors if "Content Security Policy" in error], console_errors
