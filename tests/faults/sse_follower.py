"""A client that follows an event log's Server-Sent Events (a job's, a book's) the way a browser's
EventSource does: when the connection breaks (the API was killed) it connects again with
Last-Event-ID, until the API ends the stream after a terminal event.

Every event received is kept, duplicates included, so the test can tell a replay (an id seen twice)
from a gap (an id never seen)."""

import json
import threading
import time
from dataclasses import dataclass, field

import httpx
from httpx_sse import SSEError, connect_sse

RECONNECT_S = 0.3  # EventSource's default retry is a few seconds; shorter keeps the test fast


@dataclass
class Followed:
    path: str  # the stream's URL path
    terminal: frozenset[str]  # event types after which the API may end the stream
    received: list[tuple[int, str]] = field(default_factory=list)  # (id, event type), as they came
    connections: int = 0
    ended: bool = False
    errors: list[str] = field(default_factory=list)  # why each connection ended early

    def last_id(self) -> int | None:
        return self.received[-1][0] if self.received else None

    def by_id(self) -> dict[int, str]:
        """De-duplicated by id; an id that came twice with a different type is a lie, and fails."""
        seen: dict[int, str] = {}
        for event_id, event_type in self.received:
            assert seen.setdefault(event_id, event_type) == event_type, (self.path, event_id)
        return seen


class SseFollower:
    """One thread per job, each with its own connection, as separate clients would have."""

    def __init__(self, base_url: str, key: str, deadline_s: float) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {key}"}
        self.deadline = time.monotonic() + deadline_s
        self.followed: dict[str, Followed] = {}
        self.threads: list[threading.Thread] = []

    def follow(self, name: str, path: str, terminal: frozenset[str]) -> None:
        followed = self.followed[name] = Followed(path, terminal)
        thread = threading.Thread(target=self._run, args=(followed,), name=f"sse-{name}", daemon=True)
        self.threads.append(thread)
        thread.start()

    def _run(self, followed: Followed) -> None:
        with httpx.Client(base_url=self.base_url, headers=self.headers) as client:
            while not followed.ended and time.monotonic() < self.deadline:
                last = followed.last_id()
                headers = {"Last-Event-ID": str(last)} if last is not None else {}
                followed.connections += 1
                try:
                    # read timeout above the API's 15 s ping: a silent live stream is not a broken one
                    timeout = httpx.Timeout(10.0, read=25.0)
                    with connect_sse(client, "GET", followed.path, headers=headers, timeout=timeout) as source:
                        source.response.raise_for_status()
                        for sse in source.iter_sse():
                            # The spec dispatches no event with empty data; httpx-sse does, with
                            # the last id (it keeps the id, as the spec says), after each ping.
                            if not sse.data:
                                continue
                            json.loads(sse.data)  # every payload is whole JSON, even across kills
                            followed.received.append((int(sse.id), sse.event))
                    # The API closed the stream itself: done if it was after a terminal event (a
                    # book's stream goes on when something newer follows its settled event).
                    followed.ended = bool(followed.received) and followed.received[-1][1] in followed.terminal
                except (httpx.HTTPError, SSEError, ValueError) as error:
                    followed.errors.append(repr(error)[:200])
                if not followed.ended:
                    time.sleep(RECONNECT_S)

    def join(self, timeout_s: float) -> None:
        end = time.monotonic() + timeout_s
        for thread in self.threads:
            thread.join(max(0.0, end - time.monotonic()))
