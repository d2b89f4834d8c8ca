"""Server-Sent Events of a job, resumable with Last-Event-ID (the per-job event seq).

Events are read from the database, so a client reconnecting after an API restart gets every
event it missed; Redis pub/sub only wakes the stream early.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from vocalio_shared.events import TERMINAL_EVENT_TYPES, EventType
from vocalio_shared.queue import EVENTS_CHANNEL_PREFIX
from vocalio_shared.schemas.jobs import JobEvent, JobStatus

from vocalio_api.deps import CallerDep, SessionDep, StateDep
from vocalio_api.events import events_after
from vocalio_api.models import Job
from vocalio_api.public import event_public
from vocalio_api.routes.jobs import load_visible_job
from vocalio_api.state import AppState

router = APIRouter(prefix="/api/v1/jobs", tags=["events"])

FALLBACK_POLL_S = 2.0


@router.get("/{job_id}/events/history", response_model=list[JobEvent])
async def event_history(
    job_id: str,
    session: SessionDep,
    caller: CallerDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[JobEvent]:
    await load_visible_job(session, caller, job_id)
    return [event_public(row) for row in await events_after(session, job_id, after, limit)]


async def _stream(state: AppState, request: Request, job_id: str, after_seq: int) -> AsyncIterator[ServerSentEvent]:
    pubsub = state.redis.pubsub()
    await pubsub.subscribe(EVENTS_CHANNEL_PREFIX + job_id)
    try:
        while not await request.is_disconnected():
            async with state.sessions() as session:
                rows = await events_after(session, job_id, after_seq)
                job = await session.get(Job, job_id)
            for row in rows:
                after_seq = row.seq
                yield ServerSentEvent(data=event_public(row).model_dump_json(), id=str(row.seq), event=row.type)
                if EventType(row.type) in TERMINAL_EVENT_TYPES:
                    return
            if job is None or (JobStatus(job.status).terminal and not rows and after_seq >= job.event_seq):
                return
            with contextlib.suppress(asyncio.TimeoutError):
                await pubsub.get_message(ignore_subscribe_messages=True, timeout=FALLBACK_POLL_S)
    finally:
        with contextlib.suppress(Exception):
            await pubsub.unsubscribe()
            await pubsub.aclose()


@router.get("/{job_id}/events")
async def stream_events(
    job_id: str,
    request: Request,
    state: StateDep,
    session: SessionDep,
    caller: CallerDep,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int | None, Query(ge=0, description="Resume after this seq (as Last-Event-ID)")] = None,
) -> EventSourceResponse:
    await load_visible_job(session, caller, job_id)
    await session.close()
    resume_from = after or 0
    if last_event_id and last_event_id.strip().isdigit():
        resume_from = int(last_event_id.strip())
    return EventSourceResponse(_stream(state, request, job_id, resume_from), ping=15)
