"""The Books page's quality view against the real API (chapter jobs finished through the real worker
protocol with mastering reports and sentence QA): the pass/fail column, the loudness plot, the flagged
sentences and their "Render again", the report download. And the plot's SVG on its own."""

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from vocalio_shared.schemas.quality import AudioReport
from vocalio_ui.app import create_app
from vocalio_ui.config import UiSettings
from vocalio_ui.loudness_plot import loudness_svg, target_band

from tests.api.books.test_quality import api, audio_report, create, finish_book, queue_url  # noqa: F401 (fixtures)
from tests.support.processes import ApiProcess


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


@pytest.fixture
def dashboard(api: ApiProcess) -> Iterator[TestClient]:  # noqa: F811
    settings = UiSettings(api_url=api.base_url, ui_session_secret="test-ui-session-secret-0123456789")
    with TestClient(create_app(settings), follow_redirects=False) as client:
        token = _csrf(client.get("/login").text)
        signed_in = client.post("/login", data={"api_key": api.admin_key, "csrf_token": token, "next": "/books"})
        assert signed_in.status_code == 303, signed_in.text
        yield client


@pytest.fixture
def finished_book(api: ApiProcess) -> str:  # noqa: F811
    with (
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}, timeout=30) as admin,
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.worker_token}"}) as worker,
    ):
        book = create(admin)
        finish_book(admin, worker, book["id"])
        return book["id"]


def _row(html: str, number: int) -> str:
    rows = re.findall(r"<tr data-chapter-id=.*?</tr>", html, re.DOTALL)
    return rows[number - 1]


def test_the_book_page_shows_each_chapters_verdict_plot_and_flagged_sentences(
    dashboard: TestClient,
    finished_book: str,
    api: ApiProcess,  # noqa: F811
) -> None:
    page = dashboard.get(f"/books/{finished_book}")
    assert page.status_code == 200
    html = page.text
    first, second = _row(html, 1), _row(html, 2)
    assert 'class="verdict verdict-pass" title="Passes acx."' in first and "1 flagged" in first
    assert 'class="verdict verdict-fail"' in second and 'data-failures="peak,noise_floor"' in second
    # The failed rules with their figures on hover.
    assert "Fails acx: peak -1 (want &lt;= -3 dBFS); noise_floor -52 (want &lt;= -60 dBFS)" in second

    summary = html.split('id="book-quality"', 1)[1]
    assert "2 passing, 1 failing (2)" in summary
    assert "6 drawn once, 1 re-drawn, 1 flagged" in summary
    assert "RMS spread 2.5 dB over 2.0 dB" in summary and "chapters 3 outside" in summary

    plot = re.search(r'<svg[^>]*id="loudness-1".*?</svg>', html, re.DOTALL)
    assert plot is not None
    assert 'data-low="-23.0" data-high="-18.0"' in plot.group(0)
    assert len(re.findall(r'<polyline class="loudness" points="([^"]+)"', plot.group(0))[0].split()) == 4

    flagged = html.split('id="quality-1"', 1)[1].split("</details>", 1)[0]
    assert "El viento soplaba desde el norte." in flagged and "(loop; 4 draws)" in flagged
    button = re.search(r'<button[^>]*id="redraw-1-2"[^>]*>', flagged)
    assert button is not None and f'hx-post="/books/{finished_book}/chapters/1/sentences/2/redraw"' in button.group(0)

    csv_download = dashboard.get(f"/books/{finished_book}/report", params={"format": "csv"})
    assert csv_download.status_code == 200 and csv_download.text.startswith("number,title,status")
    assert "attachment" in csv_download.headers["content-disposition"]


def test_render_again_goes_through_the_api(dashboard: TestClient, finished_book: str, api: ApiProcess) -> None:  # noqa: F811
    token = _csrf(dashboard.get(f"/books/{finished_book}").text)
    path = f"/books/{finished_book}/chapters/1/sentences/2/redraw"
    answer = dashboard.post(path, headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert answer.status_code == 200 and answer.headers["hx-redirect"] == f"/books/{finished_book}"
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}) as admin:
        chapter = admin.get(f"/api/v1/books/{finished_book}").json()["chapters"][0]
    assert chapter["status"] == "queued" and chapter["redraws"] == 1
    # A second one while the chapter renders: the API's refusal is shown on the page.
    refused = dashboard.post(path, headers={"X-CSRF-Token": token})
    assert refused.status_code == 409 and "INVALID_STATE" in refused.text
    no_token = dashboard.post(path)
    assert no_token.status_code in (400, 403)


def test_the_loudness_plot_breaks_at_silence_and_draws_the_band() -> None:
    report = AudioReport.model_validate(audio_report(-20.0) | {"timeline_lufs": [-20, -21, None, -19, None, -60, -18]})
    svg = loudness_svg(report, element_id="p", label='Chapter "1" <loudness>')
    assert svg is not None and svg.startswith("<svg") and "&lt;loudness&gt;" in svg and "<loudness>" not in svg
    assert len(re.findall("<polyline", svg)) == 2 and len(re.findall("<circle", svg)) == 1
    band = target_band(report)
    assert band is not None and (band.low, band.high) == (-23.0, -18.0)
    # Quieter than the plot's floor is drawn at the floor, not outside the picture.
    ys = [float(y) for y in re.findall(r",(\d+(?:\.\d+)?)", svg)]
    assert max(ys) <= 140
    empty = AudioReport.model_validate(audio_report(-20.0) | {"timeline_lufs": []})
    assert loudness_svg(empty, element_id="q", label="x") is None


def test_the_mastering_preset_is_chosen_in_the_settings_form(
    dashboard: TestClient,
    finished_book: str,
    api: ApiProcess,  # noqa: F811
) -> None:
    page = dashboard.get(f"/books/{finished_book}").text
    assert '<option value="acx" selected>acx</option>' in page and '<option value="podcast" >podcast</option>' in page
    form = {"csrf_token": _csrf(page), "voice": "espeak:es", "region": "auto", "speed": "1.0"}
    saved = dashboard.post(f"/books/{finished_book}/settings", data=form | {"mastering_preset": "podcast"})
    assert saved.status_code == 303, saved.text
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}) as admin:
        book = admin.get(f"/api/v1/books/{finished_book}").json()
    assert book["settings"]["mastering_preset"] == "podcast"
    assert [c["status"] for c in book["chapters"]] == ["draft"] * 3  # re-assembled at the next render
    refused = dashboard.post(f"/books/{finished_book}/settings", data=form | {"mastering_preset": "loud"})
    assert refused.status_code == 422 and "mastering" in refused.text
