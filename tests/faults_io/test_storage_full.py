"""The audio store runs out of space: the API's data_dir/audio is a real 4 MiB tmpfs, filled up.
Uploads are answered 507 STORAGE_FULL (the one error shape, recoverable, Retry-After) with nothing
half-written left behind; the worker treats that as a recoverable job error (retried after its
backoff, never an API outage: the breaker stays closed, heartbeats go on), so a job fails with
STORAGE_FULL once its tries are spent and succeeds on retry once space is back."""

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults_io.conftest import (
    SHORT_TEXT,
    admin_client,
    assert_ended_once,
    events,
    metric,
    submit,
    tally,
    wait_for,
    wait_until,
    worker_state,
)

STORE_BYTES = 4 * 1024 * 1024


@pytest.fixture
def small_store(tmp_path: Path) -> Iterator[Path]:
    """A real size-limited filesystem where the API keeps its audio (needs root, as CI has)."""
    data_dir = tmp_path / "api-small"
    audio_dir = data_dir / "audio"
    audio_dir.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={STORE_BYTES}", "tmpfs", str(audio_dir)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a size-limited tmpfs here (not root?): {mounted.stderr.strip()}")
    yield data_dir
    subprocess.run(["umount", "-l", str(audio_dir)], check=False)


def fill(directory: Path) -> Path:
    """Write one file until the filesystem refuses: no byte left for anyone."""
    filler = directory / "filler.bin"
    block = b"\0" * (64 * 1024)
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(block)
                handle.flush()
        except OSError:
            pass
    return filler


def leftovers(audio_dir: Path) -> list[str]:
    return sorted(p.name for p in audio_dir.iterdir() if p.name != "filler.bin")


def test_full_audio_store_fails_recoverably_and_recovers(small_store: Path, api_factory, worker_factory) -> None:  # type: ignore[no-untyped-def]
    api = api_factory(data_dir=small_store)
    audio_dir = small_store / "audio"
    with admin_client(api) as client:
        filler = fill(audio_dir)

        # The upload route itself, as a worker calls it: the clear error, nothing stored.
        probe = submit(client, SHORT_TEXT)  # no worker yet: it stays queued
        body = b"\x01" * 256 * 1024
        answer = httpx.put(
            f"{api.base_url}/api/v1/jobs/{probe}/audio",
            content=body,
            headers={
                "Authorization": f"Bearer {api.worker_token}",
                "X-Worker-Id": "probe",
                "X-Job-Attempt": "1",
                "X-Audio-Sha256": hashlib.sha256(body).hexdigest(),
            },
            timeout=30,
        )
        assert answer.status_code == 507, answer.text
        error = answer.json()["error"]
        assert error["code"] == "STORAGE_FULL" and error["recoverable"] and error["retry_suggested"], error
        assert int(answer.headers["retry-after"]) > 0
        assert leftovers(audio_dir) == [], "a refused upload leaves no partial file"
        cancel = client.post(f"/api/v1/jobs/{probe}/cancel")
        assert cancel.status_code in (200, 202), cancel.text

        worker = worker_factory(api, "worker-1", max_attempts="2", retry_backoff_s="2")

        # Its tries spent while the store is full: failed, with the recoverable code, no audio.
        doomed = submit(client, SHORT_TEXT)
        failed = wait_for(client, doomed, timeout_s=60)
        assert failed["status"] == "failed", failed
        assert failed["error"]["code"] == "STORAGE_FULL" and failed["error"]["recoverable"], failed["error"]
        retried = [e for e in events(client, doomed) if e["type"] == "job.retrying"]
        assert retried and retried[0]["data"]["error"]["code"] == "STORAGE_FULL", retried
        not_ready = client.get(f"/api/v1/jobs/{doomed}/audio")
        assert not_ready.status_code == 409 and not_ready.json()["error"]["code"] == "AUDIO_NOT_READY"
        assert leftovers(audio_dir) == []
        # a full disk is not an API outage: the worker kept its circuit closed and kept beating
        assert metric(worker, "vocalio_worker_api_circuit_state") == 0.0
        assert metric(worker, "vocalio_worker_api_call_failures_total", 'reason="http_507"') >= 2
        assert worker_state(client, "worker-1") in ("IDLE", "BUSY")

        # Space returns during a job's backoff: its next try succeeds.
        waiting = submit(client, SHORT_TEXT)
        wait_until(
            lambda: any(e["type"] == "job.retrying" for e in events(client, waiting)), 30, "a STORAGE_FULL retry"
        )
        filler.unlink()
        assert wait_for(client, waiting, timeout_s=60)["attempts"] == 2
        assert_ended_once(client, waiting)

        # And the failed job's text, submitted again, succeeds at once.
        again = submit(client, SHORT_TEXT)
        wait_for(client, again, timeout_s=60)
        assert_ended_once(client, again)
        assert leftovers(audio_dir) == sorted([f"{waiting}.wav", f"{again}.wav"])
        faults = ["audio store full (probe upload)", "audio store full (2 tries)", "audio store full (1 try)"]
        tally("storage_full", faults, client, [waiting, again], failed_by_design=1)
