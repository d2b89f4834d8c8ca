"""The Voices page in a real Chromium against a real API and Redis: upload (and the API's refusals shown
inline), listen, analysis, region default, delete (refused while a job needs the voice), and the New job
form's voice list and preview, both from the API.

No worker runs in this module, so a job naming a voice stays queued: that is what makes delete refuse.
Tests run in file order on one stack and build on each other (the voice uploaded first is used after).
"""

import re
import subprocess
import sys

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.ui.conftest import ROOT, screenshot, sign_in
from tests.e2e.ui.voice_clips import TRANSCRIPT, speechlike_wav
from tests.support.processes import ApiProcess, UiProcess


def _fill_upload(page: Page, clip: bytes, name: str, *, consent: bool = True, region: str = "rioplatense") -> None:
    page.get_by_label("Audio file").set_input_files(
        files=[{"name": "clip.wav", "mimeType": "audio/wav", "buffer": clip}]
    )
    page.get_by_label("Transcript").fill(TRANSCRIPT)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Region", exact=True).select_option(region)
    page.get_by_label("Licence").fill("CC-BY-4.0")
    page.get_by_label("agreed to have their voice cloned").set_checked(consent)


def _voices(admin: httpx.Client) -> list[dict]:
    return admin.get("/api/v1/voices").json()["items"]


def test_invalid_uploads_show_the_api_error_inline_and_store_nothing(
    page: Page, ui: UiProcess, api: ApiProcess, admin: httpx.Client
) -> None:
    sign_in(page, api.admin_key)
    page.get_by_role("link", name="Voices", exact=True).click()
    expect(page.get_by_role("heading", name="Voices", exact=True)).to_be_visible()

    _fill_upload(page, speechlike_wav(seconds=1.0), "Demasiado corta")
    page.get_by_role("button", name="Upload voice").click()
    file_error = page.locator("#file-error")
    expect(file_error).to_contain_text("at least 2 s")  # the API's own message, with the measured length
    expect(file_error).to_contain_text("Upload 2 to 30 seconds")  # and what to do about it
    expect(page.get_by_role("alert").first).to_contain_text("nothing was stored")
    expect(page.get_by_label("Audio file")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Demasiado corta")  # typed fields survive
    screenshot(page, "voices-refused")
    assert _voices(admin) == []

    _fill_upload(page, speechlike_wav(), "Sin consentimiento", consent=False)
    page.get_by_role("button", name="Upload voice").click()
    expect(page.locator("#consent-error")).to_contain_text("consent")
    expect(page.get_by_label("agreed to have their voice cloned")).to_have_attribute("aria-invalid", "true")
    assert _voices(admin) == []


def test_upload_listen_analysis_default_and_delete(
    page: Page, ui: UiProcess, api: ApiProcess, admin: httpx.Client
) -> None:
    missing_before = admin.get("/api/v1/regions/defaults").json()["missing"]
    sign_in(page, api.admin_key)
    if missing_before:  # the overview says which regions have no default voice
        expect(page.locator("#missing-defaults")).to_contain_text(", ".join(missing_before))
    page.goto("/voices")
    _fill_upload(page, speechlike_wav(), "Lucía")
    page.get_by_label("Description").fill("narradora porteña")
    page.get_by_role("button", name="Upload voice").click()
    expect(page).to_have_url(re.compile(r"/voices\?added="))
    voice = _voices(admin)[0]
    assert voice["name"] == "Lucía" and voice["region"] == "rioplatense" and voice["licence"] == "CC-BY-4.0"
    row = page.locator(f'tr[data-voice-id="{voice["id"]}"]')
    expect(page.locator("#library-status")).to_contain_text("Voice “Lucía” added")
    expect(row.locator(".duration")).to_have_text("5.0 s")
    expect(row).to_contain_text("LUFS")
    expect(row).to_contain_text("dBFS")
    expect(row).to_contain_text("chars/s")

    # The reference plays through the dashboard, which holds the key.
    audio = row.locator("audio")
    expect(audio).to_have_attribute("aria-label", "Play Lucía")
    audio.evaluate("a => a.play()")
    page.wait_for_function(f"() => document.querySelector('tr[data-voice-id=\"{voice['id']}\"] audio').currentTime > 0")
    served = page.request.get(f"/voices/{voice['id']}/audio")
    assert served.ok and served.body() == admin.get(f"/api/v1/voices/{voice['id']}/audio").content

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Set Lucía as default for rioplatense").click()
    expect(row.locator(".default-for")).to_have_text("default for rioplatense")
    expect(page.locator("#library-status")).to_contain_text("default voice for rioplatense")
    expect(page.locator('li[data-region="rioplatense"]')).to_contain_text("Lucía")
    defaults = admin.get("/api/v1/regions/defaults").json()
    assert defaults["defaults"]["rioplatense"] == voice["id"] and "rioplatense" not in defaults["missing"]
    expect(page.locator("#missing-defaults")).not_to_contain_text("rioplatense")
    screenshot(page, "voices")

    # The New job form offers the visible voices, and "region default".
    page.get_by_role("link", name="New job").click()
    voice_select = page.get_by_label("Voice", exact=True)
    expect(voice_select.locator("option").first).to_have_text("Region default")
    voice_select.select_option(voice["id"])

    # A queued job needs the reference, so delete is refused with the API's reason, and the voice stays.
    job = admin.post("/api/v1/jobs", json={"text": "Hola, che.", "voice": voice["id"]})
    assert job.status_code == 202, job.text
    page.goto("/voices")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete Lucía").click()
    expect(page.locator("#action-error")).to_contain_text("queued or running job")
    expect(row).to_be_visible()
    assert admin.get(f"/api/v1/voices/{voice['id']}").status_code == 200

    assert admin.post(f"/api/v1/jobs/{job.json()['id']}/cancel").status_code < 300
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete Lucía").click()
    expect(row).to_have_count(0)
    expect(page.locator("#library-status")).to_contain_text("Voice deleted")
    expect(page.locator('li[data-region="rioplatense"]')).to_contain_text("none")
    assert admin.get(f"/api/v1/voices/{voice['id']}").status_code == 404


def test_preview_comes_from_the_api(page: Page, ui: UiProcess, api: ApiProcess) -> None:
    sign_in(page, api.admin_key)
    page.get_by_role("link", name="New job").click()
    with page.expect_response(lambda response: response.url.endswith("/preview") and "veinticinco" in response.text()):
        page.get_by_label("Text").fill("Che, ¿vos sabés cuánto sale? Son 25 pesos, boludo.")
    expect(page.locator("#preview-region")).to_have_text("rioplatense")
    expect(page.locator("#preview-normalized")).to_contain_text("veinticinco pesos")
    # The dashboard carries no text pipeline of its own any more.
    probe = "import sys, vocalio_ui.app; assert 'vocalio_text' not in sys.modules, 'the UI imports vocalio_text'"
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True)
