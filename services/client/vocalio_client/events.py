"""Following an event stream of the API (a job's or a book's): reconnect with Last-Event-ID when
the stream is cut, stop at the terminal event, and ask the resource itself when the stream ends
without one (the API ends it once the job or book has settled)."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from vocalio_shared.events import TERMINAL_EVENT_TYPES
from vocalio_shared.schemas.books import BookStatus

from vocalio_client.backoff import backoff_delay
from vocalio_client.errors import VocalioApiError, VocalioConnectionError
from vocalio_client.sse import ServerSentEvent, parse_events

if TYPE_CHECKING:
    from vocalio_client.client import Client

JOB_TERMINAL_EVENTS = frozenset(event.value for event in TERMINAL_EVENT_TYPES)
BOOK_TERMINAL_EVENTS = frozenset({"book.succeeded", "book.failed", "book.cancelled", "book.paused"})
# A followed book stops at these: nothing more happens until someone renders or resumes it.
BOOK_SETTLED_STATUSES = frozenset({BookStatus.SUCCEEDED, BookStatus.FAILED, BookStatus.CANCELLED, BookStatus.PAUSED})


@dataclass(frozen=True)
class BookEvent:
    """One event of a book's stream: `type` (book.progress, chapter.succeeded, ...), its id (for
    Last-Event-ID) and its JSON data as sent."""

    type: str
    id: str | None
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_sse(cls, event: ServerSentEvent) -> "BookEvent":
        try:
            data = json.loads(event.data)
        except ValueError:
            data = {"message": event.data}
        return cls(event.event, event.id, data if isinstance(data, dict) else {"value": data})

    @property
    def settles(self) -> bool:
        return self.type in BOOK_TERMINAL_EVENTS


class StreamUnavailable(VocalioApiError):
    """The answer is not an event stream (a proxy's page), or it keeps ending without news."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(status, "STREAM_UNAVAILABLE", message)


def follow_stream(
    client: "Client",
    path: str,
    last_event_id: str | None,
    settled: Callable[[], bool],
    terminal: frozenset[str] = JOB_TERMINAL_EVENTS | BOOK_TERMINAL_EVENTS,
) -> Iterator[ServerSentEvent]:
    failures = 0
    while True:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        try:
            with client.stream("GET", path, headers=headers) as response:
                kind = response.headers.get("content-type", "")
                if not kind.startswith("text/event-stream"):
                    raise StreamUnavailable(f"{path} answered {kind or 'no content type'}", response.status_code)
                for event in parse_events(response.iter_lines()):
                    failures = 0
                    if event.id:
                        last_event_id = event.id
                    yield event
                    # A book's log holds the settling events of earlier renders too (paused, then
                    # resumed): only one that still holds ends the following.
                    if event.event in terminal and settled():
                        return
        except httpx.TransportError as error:  # cut mid-stream: reconnect after the events we have
            failures += 1
            if failures > client.retries:
                raise VocalioConnectionError(f"event stream {path} keeps failing: {error!r}") from error
        else:
            if settled():
                return
            failures += 1  # ended early without settling: a proxy's idle cut, or a server that ends at once
            if failures > client.retries:
                raise StreamUnavailable(f"event stream {path} keeps ending before the end")
        client.sleep(backoff_delay(client, failures))
