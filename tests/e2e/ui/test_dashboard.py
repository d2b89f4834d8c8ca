"""The dashboard in a real Chromium against a real API, worker and Redis: what an operator does all day.

Tests run in file order on one stack (module fixtures) and leave it as they found it.
"""

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.ui.conftest import screenshot, sign_in
from tests.support.processes import ApiProcess, UiProcess, WorkerProcess

RIOPLATENSE_TEXT = "Che, ¿vos sabés cuánto sale? Son 25 pesos, boludo. Andá tranquilo."


def test_sign_in_refuses_bad_and_client_keys(page: Page, ui: UiProcess, api: ApiProcess, admin: httpx.Client) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    screenshot(page, "login")
    page.get_by_label("API key").fill("vk_nope_nope")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")

    client_key = admin.post("/api/v1/keys", json={"name": "ui-client", "role": "client"}).json()["key"]
    page.get_by_label("API key").fill(client_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("operator or admin")

    sign_in(page, api.admin_key)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.keyboard.press("Tab")  # keyboard users land on the skip link first, then the navigation
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Overview")).to_be_focused()
    cookie = next(c for c in page.context.cookies() if c["name"] == "vocalio_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert api.admin_key not in cookie["value"]  # the key stays on the dashboard's server

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto("/jobs")
    expect(page).to_have_url(re.compile(r"/login"))


def test_post_without_csrf_token_is_refused(ui: UiProcess, api: ApiProcess, admin: httpx.Client) -> None:
    with httpx.Client(base_url=ui.base_url, follow_redirects=False) as browser:
        login = browser.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
        assert browser.post("/login", data={"api_key": api.admin_key}).status_code == 403
        assert browser.post("/login", data={"api_key": api.admin_key, "csrf_token": "forged"}).status_code == 403
        signed_in = browser.post("/login", data={"api_key": api.admin_key, "csrf_token": token, "next": "//evil.test/"})
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"  # no open redirect
        # Signing in starts a new session with a new token: the anonymous one is void now.
        assert browser.post("/new", data={"text": "Hola.", "csrf_token": token}).status_code == 403
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/new").text).group(1)  # type: ignore[union-attr]
        before = len(admin.get("/api/v1/jobs").json()["items"])
        refused = browser.post("/new", data={"text": "Hola."})
        assert refused.status_code == 403
        assert "CSRF" in refused.text
        assert browser.post("/new", data={"text": "Hola."}, headers={"X-CSRF-Token": token}).status_code == 303
        assert len(admin.get("/api/v1/jobs").json()["items"]) == before + 1
        # A token from another session is worth nothing either.
        other = httpx.get(f"{ui.base_url}/login").text
        other_token = re.search(r'name="csrf_token" value="([^"]+)"', other).group(1)  # type: ignore[union-attr]
        assert browser.post("/new", data={"text": "Hola.", "csrf_token": other_token}).status_code == 403


def test_new_job_preview_follow_live_play_and_download(
    page: Page, ui: UiProcess, api: ApiProcess, worker: WorkerProcess, admin: httpx.Client
) -> None:
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    sign_in(page, api.admin_key)
    page.get_by_role("link", name="New job").click()
    page.get_by_label("Text").fill(RIOPLATENSE_TEXT)
    expect(page.locator("#preview-region")).to_have_text("rioplatense")
    expect(page.locator("#preview-normalized")).to_contain_text("veinticinco pesos")
    page.get_by_label("Format").select_option("wav")
    screenshot(page, "new-job")
    page.get_by_role("button", name="Submit job").click()
    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]+$"))
    job_id = page.url.rsplit("/", 1)[1]
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=90_000)
    assert page.evaluate("window.__sameDocument") is True, "the job page reloaded instead of updating live"
    expect(page.locator("#detected-region")).to_contain_text("rioplatense")
    expect(page.locator("#timeline li").first).to_be_visible()

    audio = page.locator("#job-audio")
    audio.evaluate("a => a.play()")
    page.wait_for_function("() => document.querySelector('#job-audio').currentTime > 0")
    screenshot(page, "job-detail")

    with page.expect_download() as info:
        page.locator("#download").click()
    data = info.value.path().read_bytes()
    assert data[:4] == b"RIFF" and len(data) > 1000
    assert data == admin.get(f"/api/v1/jobs/{job_id}/audio").content
    # Range is forwarded, so the player can seek.
    ranged = page.request.get(f"/jobs/{job_id}/audio", headers={"Range": "bytes=0-99"})
    assert ranged.status == 206 and len(ranged.body()) == 100

    page.get_by_role("link", name="Jobs").click()
    row = page.locator(f'tr[data-job-id="{job_id}"]')
    expect(row).to_have_attribute("data-status", "succeeded")
    screenshot(page, "jobs")
    assert not [error for error in console_errors if "Content Security Policy" in error], console_errors


def test_drain_worker_cancel_queued_job_resume(
    page: Page, ui: UiProcess, api: ApiProcess, worker: WorkerProcess, admin: httpx.Client
) -> None:
    sign_in(page, api.admin_key)
    page.get_by_role("link", name="Workers").click()
    row = page.locator(f'tr[data-worker-id="{worker.worker_id}"]')
    expect(row).to_have_attribute("data-state", re.compile("IDLE|BUSY"))
    screenshot(page, "workers")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=f"Drain {worker.worker_id}").click()
    expect(row).to_have_attribute("data-state", "DRAINING", timeout=30_000)
    assert admin.get(f"/api/v1/workers/{worker.worker_id}").json()["state"] == "DRAINING"

    # No worker takes work now: a job stays queued, and the operator cancels it from the list.
    job_id = admin.post("/api/v1/jobs", json={"text": "Esto no se dice.", "priority": "bulk"}).json()["id"]
    page.goto("/jobs?status=queued")
    queued = page.locator(f'tr[data-job-id="{job_id}"]')
    expect(queued).to_have_attribute("data-status", "queued")
    page.once("dialog", lambda dialog: dialog.accept())
    queued.get_by_role("button", name=f"Cancel job {job_id}").click()
    expect(queued).to_have_count(0)  # the list reloads, and a cancelled job is no longer queued
    page.goto("/jobs?status=cancelled")
    expect(page.locator(f'tr[data-job-id="{job_id}"]')).to_have_attribute("data-status", "cancelled")
    assert admin.get(f"/api/v1/jobs/{job_id}").json()["status"] == "cancelled"

    # Retry = the same text and parameters as a new job, which the job page then follows.
    page.goto(f"/jobs/{job_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Retry as a new job").click()
    expect(page).not_to_have_url(re.compile(job_id))
    retried = admin.get(f"/api/v1/jobs/{page.url.rsplit('/', 1)[1]}").json()
    assert retried["metadata"]["retry_of"] == job_id and retried["priority"] == "bulk"
    assert retried["text"] == "Esto no se dice."

    page.goto("/workers")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=f"Resume {worker.worker_id}").click()
    expect(row).to_have_attribute("data-state", re.compile("IDLE|BUSY"), timeout=30_000)


def test_keys_create_shows_secret_once_revoke_and_usage(page: Page, ui: UiProcess, api: ApiProcess) -> None:
    sign_in(page, api.admin_key)
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("audiobook pipeline")
    page.get_by_label("Role").select_option("client")
    page.get_by_role("button", name="Create key").click()
    secret = page.locator("#new-secret").input_value()
    assert secret.startswith("vk_")
    key_id = secret.split("_")[1]
    assert httpx.get(f"{api.base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    screenshot(page, "keys")

    page.goto("/keys")  # the secret is in the creation answer only
    assert secret not in page.content()
    row = page.locator(f'tr[data-key-id="{key_id}"]')
    row.get_by_role("button", name="Usage of audiobook pipeline").click()
    expect(page.locator("#usage")).to_contain_text(key_id)
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke audiobook pipeline").click()
    expect(row.locator(".key-state")).to_have_text("revoked")
    assert httpx.get(f"{api.base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_overview_live_and_api_outage_banner(page: Page, ui: UiProcess, api: ApiProcess, worker: WorkerProcess) -> None:
    sign_in(page, api.admin_key)
    expect(page.locator('td[data-lane="normal"]')).to_be_visible()
    expect(page.locator("#audio-produced")).not_to_have_text("0.0 s")  # the earlier job's audio counts
    screenshot(page, "overview")
    banner = page.locator("#api-status")
    expect(banner).to_be_empty()

    api.stop()
    try:
        expect(banner).to_contain_text("API is unreachable", timeout=15_000)
        expect(page.get_by_role("heading", name="Overview")).to_be_visible()  # last figures stay on screen
        expect(page.locator('td[data-lane="normal"]')).to_be_visible()
        screenshot(page, "api-down")
        page.goto("/jobs")  # a fresh page while the API is down says so, and comes back by itself
        expect(page.get_by_role("heading", name="The API is unreachable")).to_be_visible()
    finally:
        api.start(timeout_s=60)
    expect(page.get_by_role("heading", name="Jobs")).to_be_visible(timeout=20_000)
    page.goto("/")
    expect(banner).to_be_empty(timeout=15_000)
