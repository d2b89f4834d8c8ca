"""Server-Sent Events of a book, with the job stream's conventions: SSE id = the book's event seq,
event name = the event type, resumable with Last-Event-ID (or ?after=), keepalive pings every 15 s.
Events are read from the database, so a reconnect after an API restart misses nothing; Redis
pub/sub only wakes the stream early. The stream ends after a settling event (book.succeeded,
book.failed, book.cancelled, book.paused) when nothing newer follows it."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from vocalio_shared.events import BOOK_SETTLED_EVENT_TYPES, BookEventType
from vocalio_shared.queue import BOOK_EVENTS_CHANNEL_PREFIX
from vocalio_shared.schemas.books import BookEvent

from vocalio_api.books.events import book_events_after
from vocalio_api.books.service import load_visible_book
from vocalio_api.books.views import book_event_public
from vocalio_api.deps import CallerDep, SessionDep, StateDep
from vocalio_api.event_stream import MAX_SEQ, PING_S, ReadAfter, event_log_stream, resume_seq
from vocalio_api.models import Book
from vocalio_api.state import AppState

router = APIRouter(tags=["events"])


@router.get("/{book_id}/events/history", response_model=list[BookEvent])
async def book_event_history(
    book_id: str,
    session: SessionDep,
    caller: CallerDep,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[BookEvent]:
    await load_visible_book(session, caller, book_id)
    return [book_event_public(row) for row in await book_events_after(session, book_id, after, limit)]


def _reader(state: AppState, book_id: str) -> ReadAfter:
    async def read_after(after_seq: int) -> tuple[list[ServerSentEvent], bool]:
        async with state.sessions() as session:
            rows = await book_events_after(session, book_id, after_seq)
            book = await session.get(Book, book_id)
        if book is None:
            return [], True  # deleted
        events: list[ServerSentEvent] = []
        for row in rows:
            data = book_event_public(row).model_dump_json()
            events.append(ServerSentEvent(data=data, id=str(row.seq), event=row.type))
            if BookEventType(row.type) in BOOK_SETTLED_EVENT_TYPES and row.seq >= book.event_seq:
                return events, True
        return events, False

    return read_after


@router.get("/{book_id}/events")
async def stream_book_events(
    book_id: str,
    request: Request,
    state: StateDep,
    session: SessionDep,
    caller: CallerDep,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_SEQ, description="Resume after this seq (Last-Event-ID)")] = None,
) -> EventSourceResponse:
    await load_visible_book(session, caller, book_id)
    await session.close()
    stream = event_log_stream(
        state, request, BOOK_EVENTS_CHANNEL_PREFIX + book_id, _reader(state, book_id), resume_seq(last_event_id, after)
    )
    return EventSourceResponse(stream, ping=PING_S)
