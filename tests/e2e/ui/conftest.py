"""The dashboard's test stack: a real API, worker and dashboard over a real Redis, and Debian's
Chromium driven by Playwright (never a downloaded browser). One stack per module: starting it is
the slow part, and the tests leave it as they found it (a drained worker is resumed, etc.)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import redis
from vocalio_cli.embedded_redis import EmbeddedRedis

from tests.support.processes import ApiProcess, UiProcess, WorkerProcess

if TYPE_CHECKING:  # imported lazily below, so a missing Playwright fails with a clear message
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# The dashboard's module owns this logical database of the session's redis-server.
UI_REDIS_DB = 12


@pytest.fixture(scope="module")
def stack_redis_url(redis_server: EmbeddedRedis) -> Iterator[str]:
    url = f"redis://{redis_server.host}:{redis_server.port}/{UI_REDIS_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, stack_redis_url: str) -> Iterator[ApiProcess]:
    # Short heartbeats so drain/resume show within a second or two; generous LOST margin for a busy machine.
    fast_fleet = {"VOCALIO_HEARTBEAT_INTERVAL_S": "1", "VOCALIO_WORKER_LOST_AFTER_INTERVALS": "15"}
    process = ApiProcess(Path(tmp_path_factory.mktemp("ui-api")), stack_redis_url, fast_fleet)
    process.start(timeout_s=60)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def worker(api: ApiProcess, stack_redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    process = WorkerProcess(api, stack_redis_url, Path(tmp_path_factory.mktemp("ui-worker")), worker_id="ui-worker-1")
    process.start(timeout_s=90)
    yield process
    process.stop(timeout_s=30)


@pytest.fixture(scope="module")
def ui(api: ApiProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiProcess]:
    process = UiProcess(api, Path(tmp_path_factory.mktemp("ui")))
    process.start(timeout_s=60)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def admin(api: ApiProcess) -> Iterator[httpx.Client]:
    """The API itself, as the admin: to set the scene and to check what the dashboard did."""
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}, timeout=10) as c:
        yield c


def _ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    script = Path(__file__).with_name("ensure_chromium.sh")
    result = subprocess.run(["sh", str(script)], capture_output=True, text=True, check=False)
    if result.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is required for the dashboard's browser tests and is missing at {CHROMIUM}; "
            f"install Debian's package (apt-get install chromium, or run make test as root). {result.stderr.strip()}",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser per module: a sync Playwright keeps its event loop running in this thread while it
    is open, which would break every later asyncio test (and a second sync Playwright) in the session."""
    _ensure_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright for Python: pip install -e '.[dev]'", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, ui: UiProcess) -> Iterator[Page]:
    context = browser.new_context(base_url=ui.base_url, viewport={"width": 1280, "height": 860}, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, key: str) -> None:
    page.goto("/login")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))
