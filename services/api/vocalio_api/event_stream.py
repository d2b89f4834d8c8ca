"""One Server-Sent Events loop for every event log (a job's, a book's): the rows are read from the
database, so a client reconnecting (Last-Event-ID, or ?after=) after an API restart gets every event
it missed; Redis pub/sub on the log's channel only wakes the stream early, and a poll every
FALLBACK_POLL_S covers a lost wake-up."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import Request
from sse_starlette import ServerSentEvent

from vocalio_api.state import AppState

FALLBACK_POLL_S = 2.0
PING_S = 15
# The largest seq a client may resume after: the databases' 64-bit integer. A bigger one would
# overflow the query (SQLite raises), a 500 for what is bad input.
MAX_SEQ = 2**63 - 1

# Given the last seq sent: the events to send now (ids = seqs, in order) and whether the stream ends
# after them.
ReadAfter = Callable[[int], Awaitable[tuple[list[ServerSentEvent], bool]]]


def resume_seq(last_event_id: str | None, after: int | None) -> int:
    """Where a (re)connecting client resumes: Last-Event-ID wins over ?after=."""
    if last_event_id and last_event_id.strip().isdigit():
        return min(int(last_event_id.strip()), MAX_SEQ)  # a header is not validated: past the end is the end
    return after or 0


async def event_log_stream(
    state: AppState, request: Request, channel: str, read_after: ReadAfter, after_seq: int
) -> AsyncIterator[ServerSentEvent]:
    pubsub = state.redis.pubsub()
    await pubsub.subscribe(channel)
    try:
        while not await request.is_disconnected():
            events, finished = await read_after(after_seq)
            for event in events:
                after_seq = int(str(event.id))
                yield event
            if finished:
                return
            with contextlib.suppress(asyncio.TimeoutError):
                await pubsub.get_message(ignore_subscribe_messages=True, timeout=FALLBACK_POLL_S)
    finally:
        with contextlib.suppress(Exception):
            await pubsub.unsubscribe()
            await pubsub.aclose()
