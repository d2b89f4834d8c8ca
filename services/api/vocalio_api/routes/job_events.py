"""Server-Sent Events of a job, resumable with Last-Event-ID (the per-job event seq).

Events are read from the database, so a client reconnecting after an API restart gets every
event it missed; Redis pub/sub only wakes the stream early.
"""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from vocalio_shared.events import TERMINAL_EVENT_TYPES, EventType
from vocalio_shared.queue import EVENTS_CHANNEL_PREFIX
from vocalio_shared.schemas.jobs import JobEvent, JobStatus

from vocalio_api.deps import CallerDep, SessionDep, StateDep
from vocalio_api.event_stream import MAX_SEQ, PING_S, ReadAfter, event_log_stream, resume_seq
from vocalio_api.events import events_after
from vocalio_api.models import Job
from vocalio_api.public import event_public
from vocalio_api.routes.jobs import load_visible_job
from vocalio_api.state import AppState

router = APIRouter(prefix="/api/v1/jobs", tags=["events"])


@router.get("/{job_id}/events/history", response_model=list[JobEvent])
async def event_history(
    job_id: str,
    session: SessionDep,
    caller: CallerDep,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[JobEvent]:
    await load_visible_job(session, caller, job_id)
    return [event_public(row) for row in await events_after(session, job_id, after, limit)]


def _reader(state: AppState, job_id: str) -> ReadAfter:
    async def read_after(after_seq: int) -> tuple[list[ServerSentEvent], bool]:
        async with state.sessions() as session:
            rows = await events_after(session, job_id, after_seq)
            job = await session.get(Job, job_id)
        events: list[ServerSentEvent] = []
        for row in rows:
            events.append(ServerSentEvent(data=event_public(row).model_dump_json(), id=str(row.seq), event=row.type))
            if EventType(row.type) in TERMINAL_EVENT_TYPES:
                return events, True
        last = rows[-1].seq if rows else after_seq
        return events, job is None or (JobStatus(job.status).terminal and not rows and last >= job.event_seq)

    return read_after


@router.get("/{job_id}/events")
async def stream_events(
    job_id: str,
    request: Request,
    state: StateDep,
    session: SessionDep,
    caller: CallerDep,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_SEQ, description="Resume after this seq (Last-Event-ID)")] = None,
) -> EventSourceResponse:
    await load_visible_job(session, caller, job_id)
    await session.close()
    stream = event_log_stream(
        state, request, EVENTS_CHANNEL_PREFIX + job_id, _reader(state, job_id), resume_seq(last_event_id, after)
    )
    return EventSourceResponse(stream, ping=PING_S)
