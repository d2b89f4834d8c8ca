import os
import subprocess
import sys

import httpx

from tests.e2e.api.flows import submit


def test_preview_shows_what_the_worker_will_read(admin: httpx.Client) -> None:
    response = admin.post("/api/v1/preview", json={"text": "Che boludo, ¿cómo andás? Son las 14:30.", "region": "auto"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["detected_region"] == "rioplatense" and body["region"] == "rioplatense"
    assert body["chunks"] and body["estimated_duration_s"] > 0
    assert "andás" in body["markers"]
    assert admin.post("/api/v1/preview", json={"text": ""}).status_code == 422


def test_single_job_read_carries_the_text_and_lists_do_not(admin: httpx.Client) -> None:
    job = submit(admin, "Texto completo del capítulo.")
    assert admin.get(f"/api/v1/jobs/{job['id']}").json()["text"] == "Texto completo del capítulo."
    assert admin.get("/api/v1/jobs").json()["items"][0]["text"] is None


def _vocalio(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from vocalio_cli.main import app; app()", *args]
    return subprocess.run(command, env=os.environ | env, capture_output=True, text=True, timeout=60)


def test_cli_db_upgrade_and_keys(tmp_path, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    env = {
        "VOCALIO_DATA_DIR": str(tmp_path),
        "VOCALIO_REDIS_URL": redis_url,
        "VOCALIO_WORKER_TOKEN": "w" * 20,
        "VOCALIO_WEBHOOK_SECRET": "s" * 20,
    }
    assert _vocalio(["db", "upgrade"], env).returncode == 0
    assert (tmp_path / "vocalio.db").exists()
    created = _vocalio(["keys", "create", "pipeline", "--role", "client"], env)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("vk_")
    key_id = secret.split("_")[1]
    listed = _vocalio(["keys", "list"], env)
    assert key_id in listed.stdout and "pipeline" in listed.stdout and secret not in listed.stdout
    revoked = _vocalio(["keys", "revoke", key_id], env)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout


def test_missing_or_bad_setting_stops_the_api_with_one_clear_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = {"VOCALIO_DATA_DIR": str(tmp_path), "VOCALIO_WEBHOOK_SECRET": "s" * 20}
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOCALIO_")} | base
    missing = subprocess.run(
        [sys.executable, "-m", "vocalio_api.server"], env=env, capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 2
    assert missing.stderr.strip() == "configuration error: VOCALIO_WORKER_TOKEN is required but not set"
    bad = subprocess.run(
        [sys.executable, "-m", "vocalio_api.server"],
        env=env | {"VOCALIO_WORKER_TOKEN": "w" * 20, "VOCALIO_PORT": "http"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("configuration error: VOCALIO_PORT:")
