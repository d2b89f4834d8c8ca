"""Three real decoders for the audio we answer: libsndfile (soundfile), ffmpeg, and Chromium's.

Chromium is Debian's /usr/bin/chromium driven by Playwright (never a downloaded browser), as the
dashboard's tests do. A page served by `page.route` fetches the bytes with the media type we answer
with and hands them to `AudioContext.decodeAudioData` (the whole-file decoder of the Web Audio API),
and, as a downloaded file (a Blob), to an `<audio>` element for the duration its headers give.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import imageio_ffmpeg
import numpy as np
import pytest
import soundfile

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ENSURE_CHROMIUM = Path(__file__).resolve().parents[1] / "e2e" / "ui" / "ensure_chromium.sh"
ORIGIN = "http://decoders.test"

# Web Audio decodes into the context's rate; the duration stays the file's.
DECODE_JS = """
async (url) => {
  const response = await fetch(url);
  const bytes = await response.arrayBuffer();
  // the element reads a Blob of the same bytes: a downloaded file, seekable (Ogg's length is at its end)
  const file = URL.createObjectURL(new Blob([bytes], {type: response.headers.get("content-type")}));
  const context = new OfflineAudioContext(1, 1, 48000);
  let buffer;
  try {
    buffer = await context.decodeAudioData(bytes);
  } catch (error) {
    return {error: String(error)};
  }
  const samples = buffer.getChannelData(0);
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  const element = new Audio();
  const elementDuration = await new Promise((resolve) => {
    element.onloadedmetadata = () => resolve(element.duration);
    element.onerror = () => resolve(null);
    element.src = file;
  });
  return {duration: buffer.duration, peak, elementDuration: elementDuration === Infinity ? -1 : elementDuration};
}
"""


def soundfile_read(data: bytes, **raw: Any) -> tuple[np.ndarray, int]:
    """float32 samples and rate, by libsndfile; `raw` (samplerate, channels, subtype, format) for headerless pcm."""
    samples, rate_hz = soundfile.read(io.BytesIO(data), dtype="float32", **raw)
    return samples, rate_hz


def ffmpeg_read(data: bytes, raw_rate_hz: int | None = None) -> tuple[np.ndarray, int]:
    """float32 mono samples at the file's own rate, by ffmpeg (a seekable input file, as players have)."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    raw_input = ["-f", "s16le", "-ar", str(raw_rate_hz), "-ac", "1"] if raw_rate_hz else []
    probe = subprocess.run(
        [ffmpeg, "-hide_banner", *raw_input, "-i", "pipe:0", "-f", "null", "-"],
        input=data, capture_output=True, check=True,
    )  # fmt: skip
    rate_hz = raw_rate_hz or _rate_from_banner(probe.stderr.decode(errors="replace"))
    decoded = subprocess.run(
        [ffmpeg, "-loglevel", "error", *raw_input, "-i", "pipe:0", "-f", "f32le", "-ac", "1", "pipe:1"],
        input=data, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(decoded, dtype="<f4"), rate_hz


def _rate_from_banner(banner: str) -> int:
    for line in banner.splitlines():
        if "Audio:" in line and " Hz" in line:
            return int(line.split(" Hz")[0].rsplit(" ", 1)[-1])
    raise AssertionError(f"ffmpeg found no audio stream: {banner[-500:]}")


@dataclass(frozen=True)
class BrowserDecoded:
    duration_s: float
    peak: float
    element_duration_s: float | None  # from <audio> metadata; -1: unknown length (Infinity); None: not played


class Chromium:
    """One page that decodes whatever bytes it is given, as served with their media type."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self._served: dict[str, tuple[bytes, str]] = {}
        page.route(f"{ORIGIN}/**", self._serve)
        page.goto(f"{ORIGIN}/")

    def _serve(self, route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path == "/":
            route.fulfill(body="<!doctype html><title>decoders</title>", content_type="text/html")
        elif path in self._served:
            body, media_type = self._served[path]
            route.fulfill(body=body, content_type=media_type)
        else:
            route.fulfill(status=404, body="")

    def decode(self, data: bytes, media_type: str) -> BrowserDecoded:
        """Raise AssertionError with the browser's message when it cannot decode the bytes."""
        path = f"/audio/{len(self._served)}"
        self._served[path] = (data, media_type)
        result = self.page.evaluate(DECODE_JS, f"{ORIGIN}{path}")
        if "error" in result:
            raise AssertionError(f"Chromium could not decode {media_type}: {result['error']}")
        return BrowserDecoded(result["duration"], result["peak"], result["elementDuration"])


def _ensure_chromium() -> None:
    if not CHROMIUM.exists():
        subprocess.run(["sh", str(ENSURE_CHROMIUM)], check=False)
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is required at {CHROMIUM} (apt-get install chromium)", pytrace=False)


@pytest.fixture(scope="module", name="chromium")
def chromium_fixture() -> Iterator[Chromium]:
    """`chromium`: import `chromium_fixture` into a test module that decodes with the browser."""
    _ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.set_default_timeout(30_000)
        yield Chromium(page)
        browser.close()
