"""The client against the real API process and a real eSpeak worker: jobs end to end."""

import json
from pathlib import Path

import pytest
from vocalio_client import Client, VocalioApiError
from vocalio_shared.schemas.jobs import JobEvent, JobStatus

from tests.e2e.worker.conftest import SLOW_TEXT, SLOW_WORKER, decode
from tests.support.processes import ApiProcess

TEXT = "Había una vez un gato que leía libros en la biblioteca del pueblo."


@pytest.fixture
def real(api: ApiProcess) -> Client:
    return Client(api.base_url, api.admin_key, timeout=15, retries=2)


def test_submit_follow_download(real: Client, worker_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    worker_factory()
    job = real.create_job(TEXT, output_format="flac", sample_rate=16000, idempotency_key="pipeline-1")
    again = real.create_job(TEXT, output_format="flac", sample_rate=16000, idempotency_key="pipeline-1")
    assert again.id == job.id  # the API's idempotency: a resubmit is the same job
    seen: list[JobEvent] = []
    done = real.wait_job(job.id, timeout=60, on_event=seen.append)
    assert done.status is JobStatus.SUCCEEDED and done.result is not None
    types = [event.type for event in seen]
    assert types[0] == "job.created" and types[-1] == "job.succeeded"
    assert [event.seq for event in seen] == sorted({event.seq for event in seen})
    target = real.download_job_audio(job.id, tmp_path / "out.flac")
    rate, duration = decode(target.read_bytes())
    assert rate == 16000 and abs(duration - done.result.duration_s) < 0.1


def test_events_resume_after_a_given_seq(real: Client, worker_factory) -> None:  # type: ignore[no-untyped-def]
    worker_factory()
    job = real.create_job(TEXT)
    real.wait_job(job.id, timeout=60)
    all_events = list(real.job_events(job.id))
    later = list(real.job_events(job.id, after=all_events[1].seq))
    assert [e.seq for e in later] == [e.seq for e in all_events[2:]]


def test_a_partial_download_is_resumed_by_the_real_api(real: Client, worker_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    worker_factory()
    job = real.wait_job(real.create_job(TEXT, output_format="wav").id, timeout=60)
    whole = real.download_job_audio(job.id, tmp_path / "whole.wav").read_bytes()
    etag = real.request("GET", f"/api/v1/jobs/{job.id}/audio", headers={"Range": "bytes=0-0"}).headers["etag"]
    (tmp_path / "part.wav.part").write_bytes(whole[: len(whole) // 3])
    (tmp_path / "part.wav.part.json").write_text(json.dumps({"validator": etag}))
    assert real.download_job_audio(job.id, tmp_path / "part.wav").read_bytes() == whole


def test_cancel_and_clear_errors(real: Client, worker_factory) -> None:  # type: ignore[no-untyped-def]
    worker_factory(**SLOW_WORKER)
    job = real.create_job(SLOW_TEXT)
    real.cancel_job(job.id)
    assert real.wait_job(job.id, timeout=60).status is JobStatus.CANCELLED
    with pytest.raises(VocalioApiError) as missing:
        real.get_job("job_does_not_exist")
    assert (missing.value.status, missing.value.code) == (404, "JOB_NOT_FOUND")
    with pytest.raises(VocalioApiError) as invalid:
        real.create_job(TEXT, voice="no-such-voice")
    assert invalid.value.status == 422 and invalid.value.code == "UNKNOWN_VOICE" and not invalid.value.retryable
