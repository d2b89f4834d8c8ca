"""A finished book's quality in a real Chromium: the pass/fail column with the failed rules on hover,
the loudness plot, a flagged sentence rendered again with one click. The dashboard and the API are
real processes (the conftest's stack, no worker: the chapter jobs are finished through the real
worker protocol with mastering reports and sentence QA, as a worker with both reports them)."""

import httpx
from playwright.sync_api import Page, expect

from tests.api.books.test_quality import create, finish_book
from tests.e2e.ui.conftest import screenshot
from tests.support.processes import ApiProcess, UiProcess


def test_a_flagged_sentence_is_rendered_again_with_one_click(
    page: Page, ui: UiProcess, api: ApiProcess, admin: httpx.Client
) -> None:
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.worker_token}"}) as worker:
        book = create(admin)
        finish_book(admin, worker, book["id"])
    page.goto(f"/login?next=/books/{book['id']}")
    page.get_by_label("API key").fill(api.admin_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="El reloj parado")).to_be_visible()

    rows = page.locator("table.chapters tbody tr")
    expect(rows.nth(0).locator(".verdict")).to_have_text("pass")
    failing = rows.nth(1).locator(".verdict")
    expect(failing).to_have_text("fail")
    expect(failing).to_have_attribute(
        "title", "Fails acx: peak -1 (want <= -3 dBFS); noise_floor -52 (want <= -60 dBFS)"
    )
    plot = page.get_by_role("img", name="Loudness of chapter 1 over time, acx target band")
    expect(plot).to_be_visible()
    assert plot.bounding_box()["height"] > 40  # type: ignore[index]  # drawn, not collapsed
    expect(page.locator("#quality-sentences")).to_have_text("6 drawn once, 1 re-drawn, 1 flagged")
    screenshot(page, "book-quality")

    page.get_by_role("button", name="Render sentence 2 of chapter 1 again").click()
    expect(rows.nth(0).locator(".status")).to_have_text("queued")
    chapter = admin.get(f"/api/v1/books/{book['id']}").json()["chapters"][0]
    assert chapter["status"] == "queued" and chapter["redraws"] == 1
