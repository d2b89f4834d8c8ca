"""A worker frozen mid-job (SIGSTOP): its heartbeats stop, the API marks it LOST, its claim on the
job lapses and a second worker runs the next attempt to success. Woken up (SIGCONT), the first
worker's late updates and upload carry the old attempt number and are refused: the newer result
stays, byte for byte, and the job ends exactly once."""

import os
import signal
import time

from tests.faults_io.conftest import (
    SLOW_TEXT,
    SLOW_WORKER,
    admin_client,
    assert_ended_once,
    events,
    get_job,
    submit,
    tally,
    wait_for,
    wait_progress,
    wait_until,
    worker_state,
)


def test_frozen_worker_is_lost_and_cannot_overwrite_the_newer_result(api_factory, worker_factory) -> None:  # type: ignore[no-untyped-def]
    api = api_factory()
    frozen = worker_factory(api, "worker-frozen", **SLOW_WORKER)
    with admin_client(api) as client:
        job_id = submit(client, SLOW_TEXT)
        wait_progress(client, job_id, 30)
        assert frozen.process is not None
        os.kill(frozen.process.pid, signal.SIGSTOP)
        try:
            # started only now, so the frozen worker had the job to itself
            rescuer = worker_factory(api, "worker-rescuer")
            wait_until(lambda: worker_state(client, "worker-frozen") == "LOST", 20, "the frozen worker marked LOST")
            job = wait_for(client, job_id, timeout_s=60)
            assert job["status"] == "succeeded", job
            assert job["worker_id"] == rescuer.worker_id and job["attempts"] == 2, job
            audio_before = client.get(f"/api/v1/jobs/{job_id}/audio").content
            seq_before = [e["seq"] for e in events(client, job_id)]
        finally:
            os.kill(frozen.process.pid, signal.SIGCONT)

        # Awake again, the old attempt finishes its chunks and tries to report and upload: refused.
        wait_until(lambda: "job_abandoned" in frozen.logs() or "job_refused_by_api" in frozen.logs(), 30, "refusal")
        wait_until(lambda: worker_state(client, "worker-frozen") != "LOST", 15, "the woken worker heard again")
        time.sleep(2)  # anything late would have landed by now
        after = get_job(client, job_id)
        assert after["result"] == job["result"] and after["worker_id"] == rescuer.worker_id, after
        assert client.get(f"/api/v1/jobs/{job_id}/audio").content == audio_before
        history = events(client, job_id)
        assert [e["seq"] for e in history] == seq_before, "no event recorded after the job ended"
        assert not [e for e in history if e["data"].get("attempt") == 1 and e["type"] == "job.succeeded"]
        assert_ended_once(client, job_id)
        assert frozen.running, "the woken worker carries on"
        tally("sigstop", ["SIGSTOP worker mid-job", "SIGCONT after the re-run"], client, [job_id])
