"""A job's life: the table of allowed status changes and the one function that applies them.

Every change of a job row's status goes through `transition`: a worker's update, a client's cancel,
the reconciler failing an orphan. It checks the table, writes the change, and runs the side effects
once, in this order: terminal bookkeeping (finished_at, metrics), the webhook delivery row, the
event, the commit, the announcement. The audio upload changes no status; it goes through the same
attempt guard (`check_attempt`) as a worker's update.

    queued → preparing → synthesizing (progress %) → encoding → succeeded
       ↑          │              │                      │
       └──────────┴── retry ─────┴──────────────────────┘       any non-terminal → failed | cancelled

A worker may skip a stage forward (each report is a snapshot, a lost one is not resent) and may
repeat one (progress), never go back within an attempt: a new attempt starts over from queued.
"""

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.events import EventType
from vocalio_shared.schemas.jobs import JobStatus

from vocalio_api.books.events import on_chapter_job
from vocalio_api.events import add_event, announce
from vocalio_api.metrics import JOB_DURATION, JOBS_FINISHED
from vocalio_api.models import Job, as_utc
from vocalio_api.public import job_public
from vocalio_api.state import AppState
from vocalio_api.webhooks import delivery_row

Q, P, S, E = JobStatus.QUEUED, JobStatus.PREPARING, JobStatus.SYNTHESIZING, JobStatus.ENCODING
OK, FAIL, CANCEL = JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED

# from → the statuses it may become. Success needs a running job (its audio was made by an attempt
# that reported in); a finished job never changes again.
TRANSITIONS: Mapping[JobStatus, frozenset[JobStatus]] = {
    Q: frozenset({Q, P, S, E, FAIL, CANCEL}),
    P: frozenset({Q, P, S, E, OK, FAIL, CANCEL}),
    S: frozenset({Q, S, E, OK, FAIL, CANCEL}),
    E: frozenset({Q, E, OK, FAIL, CANCEL}),
    OK: frozenset(),
    FAIL: frozenset(),
    CANCEL: frozenset(),
}

_TERMINAL_EVENT = {OK: EventType.SUCCEEDED, FAIL: EventType.FAILED, CANCEL: EventType.CANCELLED}

# Announcements run after the answer is on its way (listeners also poll; a lost one only delays
# them); strong references keep the tasks alive until they finish.
_announcing: set[asyncio.Task[None]] = set()


def allowed(current: JobStatus, new: JobStatus) -> bool:
    return new in TRANSITIONS[current]


def refusal(current: JobStatus, new: JobStatus) -> VocalioError | None:
    """The 409 for a change the table does not allow; None when it does."""
    if allowed(current, new):
        return None
    if current.terminal:
        return VocalioError(ErrorCode.INVALID_STATE, f"job is already {current}", {"status": current.value})
    return VocalioError(
        ErrorCode.INVALID_STATE, f"a {current} job cannot become {new}", {"status": current.value, "to": new.value}
    )


def event_for(current: JobStatus, new: JobStatus, stage_changed: bool) -> EventType:
    """A worker update's event: terminal ones by outcome, back to queued is a retry, the same status
    at the same stage is progress, anything else a status change."""
    if new in _TERMINAL_EVENT:
        return _TERMINAL_EVENT[new]
    if new == Q:
        return EventType.RETRYING
    return EventType.PROGRESS if new == current and not stage_changed else EventType.STATUS


async def lock_job(session: AsyncSession, job_id: str, *, with_text: bool = False) -> Job | None:
    """Load a job for update (row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes),
    fresh even if the session read it before the lock. The text (up to max_text_chars) is left in
    the database unless asked for: no transition reads it."""
    query = select(Job).where(Job.id == job_id).with_for_update().execution_options(populate_existing=True)
    if not with_text:
        query = query.options(defer(Job.text, raiseload=True))  # type: ignore[arg-type]
    return (await session.exec(query)).first()


def check_attempt(job: Job, attempt: int) -> bool:
    """True when `attempt` may act on the job: it is the current attempt or a newer one (which then
    becomes current). An older attempt was superseded by a retry and must stop."""
    if attempt < job.attempts:
        return False
    job.attempts = attempt
    return True


async def transition(
    state: AppState,
    session: AsyncSession,
    job: Job,
    new: JobStatus,
    event: EventType,
    *,
    fields: Mapping[str, Any] | None = None,
    message: str | None = None,
    data: dict[str, Any] | None = None,
    new_attempt: bool = False,
    now: datetime | None = None,
) -> None:
    """Move a locked job to `new` (the same status for progress or a flag), with `fields` written on
    the row first, then run the side effects and commit. Raises the 409 of `refusal` otherwise.
    `new_attempt`: a newer attempt reports; arq re-queued the job (its retry report may be lost),
    so the move is checked from queued."""
    current = Q if new_attempt and not JobStatus(job.status).terminal else JobStatus(job.status)
    refused = refusal(current, new)
    if refused is not None:
        raise refused
    now = now or datetime.now(UTC)
    for name, value in (fields or {}).items():
        setattr(job, name, value)
    job.status = new.value
    job.updated_at = now
    if new.running and job.started_at is None:
        job.started_at = now
    if new.terminal:
        _finish(job, new, now)
        if job.callback_url:  # written with the terminal state, so a restart neither loses nor repeats it
            payload = {"type": event.value, "job": job_public(job).model_dump(mode="json")}
            session.add(delivery_row(job.id, job.callback_url, event.value, payload, now))
    add_event(session, job, event, now, message=message, data=data)
    await on_chapter_job(state, session, job, event, now)  # a book's chapter job: the book's events
    await session.commit()
    _announce_later(state, job.id, job.event_seq)


def _finish(job: Job, status: JobStatus, now: datetime) -> None:
    job.finished_at = now
    JOBS_FINISHED.labels(status=status.value).inc()
    created = as_utc(job.created_at)
    if created:
        JOB_DURATION.labels(status=status.value).observe((now - created).total_seconds())


def _announce_later(state: AppState, job_id: str, seq: int) -> None:
    task = asyncio.get_running_loop().create_task(announce(state.redis, job_id, seq))
    _announcing.add(task)
    task.add_done_callback(_announcing.discard)
