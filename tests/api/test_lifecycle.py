"""The job lifecycle's transition table and event choice, checked without a server."""

import itertools

import pytest
from vocalio_api.lifecycle import TRANSITIONS, allowed, event_for, refusal
from vocalio_shared.errors import ErrorCode
from vocalio_shared.events import EventType
from vocalio_shared.schemas.jobs import RUNNING_STATUSES, TERMINAL_STATUSES, JobStatus

Q, P, S, E = JobStatus.QUEUED, JobStatus.PREPARING, JobStatus.SYNTHESIZING, JobStatus.ENCODING
OK, FAIL, CANCEL = JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED

# What a real worker sends, in order, for one job that is retried once and then succeeds.
WORKER_PATH = [Q, P, S, S, Q, P, S, E, OK]


def test_every_status_has_a_row() -> None:
    assert set(TRANSITIONS) == set(JobStatus)


def test_a_workers_path_is_allowed_step_by_step() -> None:
    for current, new in itertools.pairwise(WORKER_PATH):
        assert allowed(current, new), (current, new)


@pytest.mark.parametrize("current", [Q, P, S, E])
def test_any_unfinished_job_can_fail_be_cancelled_or_go_back_to_the_queue(current: JobStatus) -> None:
    for new in (FAIL, CANCEL, Q):
        assert allowed(current, new)
    assert allowed(current, current)  # progress, or a flag (cancel requested) without a status change


@pytest.mark.parametrize(("current", "new"), [(P, S), (P, E), (Q, S), (Q, E), (S, E), (P, OK), (S, OK), (E, OK)])
def test_stages_may_be_skipped_forward(current: JobStatus, new: JobStatus) -> None:
    assert allowed(current, new)


@pytest.mark.parametrize(("current", "new"), [(S, P), (E, P), (E, S)])
def test_a_running_attempt_never_goes_back_a_stage(current: JobStatus, new: JobStatus) -> None:
    assert not allowed(current, new)
    error = refusal(current, new)
    assert error is not None and error.code == ErrorCode.INVALID_STATE and error.http_status == 409
    assert error.context == {"status": current.value, "to": new.value}


def test_success_needs_a_running_job() -> None:
    assert not allowed(Q, OK)


@pytest.mark.parametrize("current", sorted(TERMINAL_STATUSES))
def test_a_finished_job_never_changes(current: JobStatus) -> None:
    for new in JobStatus:
        assert not allowed(current, new)
    error = refusal(current, CANCEL)
    assert error is not None and error.message == f"job is already {current}"
    assert error.context == {"status": current.value}


def test_allowed_moves_have_no_refusal() -> None:
    for current, targets in TRANSITIONS.items():
        for new in targets:
            assert refusal(current, new) is None


@pytest.mark.parametrize(
    ("current", "new", "stage_changed", "event"),
    [
        (Q, P, True, EventType.STATUS),
        (P, S, True, EventType.STATUS),
        (S, S, False, EventType.PROGRESS),
        (S, S, True, EventType.STATUS),
        (S, Q, True, EventType.RETRYING),
        (Q, Q, False, EventType.RETRYING),
        (E, OK, True, EventType.SUCCEEDED),
        (S, FAIL, True, EventType.FAILED),
        (Q, CANCEL, True, EventType.CANCELLED),
    ],
)
def test_worker_update_events(current: JobStatus, new: JobStatus, stage_changed: bool, event: EventType) -> None:
    assert event_for(current, new, stage_changed) == event


def test_running_statuses_are_the_middle_of_the_table() -> None:
    assert {P, S, E} == set(RUNNING_STATUSES)
