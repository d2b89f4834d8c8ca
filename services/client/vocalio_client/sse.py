"""A small `text/event-stream` reader (the WHATWG event stream format): enough for the API's
streams, so the client needs no SSE dependency at runtime."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSentEvent:
    event: str
    data: str
    id: str | None = None
    retry_ms: int | None = None


def parse_events(lines: Iterable[str]) -> Iterator[ServerSentEvent]:
    """Events from decoded lines (no line endings). Comments (`: ping`) are keepalives and are dropped;
    an event is dispatched at the blank line that ends it, and one cut off mid-way is never yielded."""
    event, data, event_id, retry = "", [], None, None
    for line in lines:
        if not line:
            if data:
                yield ServerSentEvent(event or "message", "\n".join(data), event_id, retry)
            event, data, retry = "", [], None  # the id persists, as the spec's last event id does
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id" and "\0" not in value:
            event_id = value
        elif name == "retry" and value.isdigit():
            retry = int(value)
