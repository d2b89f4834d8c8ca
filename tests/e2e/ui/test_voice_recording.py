"""Recording a voice in a real Chromium: its fake microphone plays a WAV the eSpeak engine made of the
sentence on screen, MediaRecorder records it (WebM/Opus), the page checks the take, and the dashboard
forwards it to the real API, which decodes it with ffmpeg and stores it with that sentence as transcript.

Its own browser (the fake-media flags are set at launch); the API and dashboard are this module's stack.
"""

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import numpy as np
import pytest
import soundfile
from vocalio_shared.regions import Region
from vocalio_worker.audio.resample import resample
from vocalio_worker.engines import VoiceRef
from vocalio_worker.engines.espeak import EspeakEngine

from tests.e2e.ui.conftest import CHROMIUM, CHROMIUM_ARGS, _ensure_chromium, screenshot, sign_in
from tests.support.processes import ApiProcess, UiProcess

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

MIC_RATE_HZ = 48_000  # what a browser records at


@pytest.fixture(scope="module")
def prompts(admin: httpx.Client) -> list[dict]:
    items = admin.get("/api/v1/voices/prompts").json()["items"]
    assert len(items) >= 2
    return items


@pytest.fixture(scope="module")
def spoken_prompt(prompts: list[dict], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The second sentence read by eSpeak, as the WAV the fake microphone loops; (path, seconds)."""
    engine = EspeakEngine()
    engine.load()
    [audio] = engine.synthesize_batch([prompts[1]["text"]], VoiceRef("mic", Region.NEUTRAL), 1.0, 16, Region.NEUTRAL)
    audio = resample(audio, engine.capabilities().sample_rate_hz, MIC_RATE_HZ)
    audio = 0.5 * audio / np.max(np.abs(audio))  # a narrator's level, well below clipping
    path = tmp_path_factory.mktemp("mic") / "sentence.wav"
    soundfile.write(path, audio.astype(np.float32), MIC_RATE_HZ, subtype="PCM_16")
    return path, len(audio) / MIC_RATE_HZ


@pytest.fixture(scope="module")
def browser(spoken_prompt: tuple[Path, float]) -> "Iterator[Browser]":
    _ensure_chromium()
    from playwright.sync_api import sync_playwright

    fake_media = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",  # grants the microphone without a prompt
        f"--use-file-for-fake-audio-capture={spoken_prompt[0]}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *fake_media], headless=True
        )
        yield launched
        launched.close()


def _record(page: "Page", seconds: float) -> None:
    page.get_by_role("button", name="Record").click()
    page.wait_for_function("() => document.getElementById('level').value > 0.01")  # the meter moves
    page.wait_for_function(f"() => parseFloat(document.getElementById('elapsed').textContent) >= {seconds}")
    page.get_by_role("button", name="Stop").click()


def _voices(admin: httpx.Client) -> list[dict]:
    return admin.get("/api/v1/voices").json()["items"]


def test_record_check_and_save_a_voice_with_the_sentence_as_transcript(
    page: "Page", ui: UiProcess, api: ApiProcess, admin: httpx.Client, prompts: list[dict], spoken_prompt
) -> None:
    from playwright.sync_api import expect

    sign_in(page, api.admin_key)
    page.goto("/voices")
    page.get_by_role("link", name="Record a voice").click()
    expect(page.get_by_role("heading", name="Record a voice")).to_be_visible()
    expect(page.locator("#prompt-text")).to_have_text(prompts[0]["text"])
    page.get_by_role("button", name="Another sentence").click()
    expect(page.locator("#prompt-text")).to_have_text(prompts[1]["text"])
    expect(page.locator("#prompt-covers")).to_contain_text("rr (trill)")

    # Too short is caught in the page, before anything is sent.
    _record(page, 1.0)
    expect(page.locator('#take-checks li[data-check="error"]')).to_contain_text("Too short")
    expect(page.get_by_role("button", name="Save voice")).to_be_disabled()

    _, clip_s = spoken_prompt
    _record(page, clip_s + 0.3)
    expect(page.locator("#take")).to_be_visible()
    expect(page.locator('#take-checks li[data-check="error"]')).to_have_count(0)
    expect(page.locator("#take-checks")).to_contain_text("dBFS")
    expect(page.get_by_role("button", name="Save voice")).to_be_enabled()
    recorded_s = float(page.locator("#elapsed").inner_text().removesuffix(" s"))
    assert recorded_s == pytest.approx(clip_s + 0.3, abs=1.0)

    # A refusal of the API is shown with what to do about it, and nothing is stored.
    page.get_by_label("Name").fill("../etc")
    page.get_by_label("agreed, to have this voice cloned").check()
    page.get_by_role("button", name="Save voice").click()
    expect(page.locator("#record-errors")).to_contain_text("nothing was stored")
    expect(page.locator('#record-errors [data-field="name"]')).to_contain_text("no slashes")
    assert _voices(admin) == []

    page.get_by_label("Name").fill("Grabada en el navegador")
    page.get_by_label("Region").select_option("mexican")
    screenshot(page, "voice-recording")
    page.get_by_role("button", name="Save voice").click()
    page.wait_for_url("**/voices?added=*")
    [voice] = _voices(admin)
    assert voice["transcript"] == prompts[1]["text"]  # exactly the sentence on screen
    assert voice["name"] == "Grabada en el navegador" and voice["region"] == "mexican"
    assert voice["source"] == f"recorded in the dashboard (prompt {prompts[1]['id']})"
    assert voice["analysis"]["sample_rate_hz"] == MIC_RATE_HZ
    assert voice["analysis"]["duration_s"] == pytest.approx(recorded_s, abs=0.5)
    row = page.locator(f'tr[data-voice-id="{voice["id"]}"]')
    expect(page.locator("#library-status")).to_contain_text("Voice “Grabada en el navegador” added")
    expect(row).to_contain_text(prompts[1]["text"])
    stored, rate = soundfile.read(io.BytesIO(admin.get(voice["audio_url"]).content))
    assert rate == MIC_RATE_HZ and stored.ndim == 1 and np.max(np.abs(stored)) > 0.1  # the sentence, not silence
