"""`vocalio up` (what `make up` runs): the whole stack from one command, on embedded defaults."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import soundfile
from vocalio_cli.embedded_redis import free_port


def test_vocalio_up_serves_a_job_end_to_end_and_stops_cleanly(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("api", "worker", "bridge", "ui")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOCALIO_")} | {
        "VOCALIO_DATA_DIR": str(tmp_path / "data"),
        "VOCALIO_PORT": str(ports["api"]),
        "VOCALIO_METRICS_PORT": str(ports["worker"]),
        "VOCALIO_LLM_BRIDGE_PORT": str(ports["bridge"]),
        "VOCALIO_UI_PORT": str(ports["ui"]),
        "VOCALIO_ENGINE": "espeak",
    }
    log_path = tmp_path / "up.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from vocalio_cli.main import app; app()", "up"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while "Vocalio is up." not in log_path.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log_path.read_text()[-3000:]
            time.sleep(0.5)
        banner = log_path.read_text()
        assert "Vocalio is up." in banner, banner[-3000:]
        key = re.search(r"Admin key\s+(vk_\S+)", banner).group(1)  # type: ignore[union-attr]
        secrets_file = tmp_path / "data" / "secrets.env"
        assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"

        api = f"http://127.0.0.1:{ports['api']}"
        with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            job = client.post(
                "/api/v1/jobs", json={"text": "Hola. Esto es Vocalio.", "output_format": "flac", "sample_rate": 16000}
            ).json()
            status = job["status"]
            deadline = time.monotonic() + 90
            while status not in ("succeeded", "failed", "cancelled") and time.monotonic() < deadline:
                time.sleep(0.5)
                status = client.get(f"/api/v1/jobs/{job['id']}").json()["status"]
            assert status == "succeeded", client.get(f"/api/v1/jobs/{job['id']}").json()
            audio_path = tmp_path / "out.flac"
            audio_path.write_bytes(client.get(f"/api/v1/jobs/{job['id']}/audio").content)
        info = soundfile.info(str(audio_path))
        assert info.samplerate == 16000 and 0.8 < info.duration < 10
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(60)
    assert code == 0, log_path.read_text()[-3000:]
    assert "deregistered" in log_path.read_text()
