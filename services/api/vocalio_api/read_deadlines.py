"""Bound the time a client may take to send a request (slow-loris): uvicorn bounds only the idle
time between two requests on a kept-alive connection, not a request line and headers trickled a
byte at a time, a connection that sends nothing, or a body trickled the same way (which would hold
a connection, and an upload's temporary file, for as long as the client likes).

- Line and headers: `HeaderDeadlineProtocol` (uvicorn's httptools protocol with one timer) closes a
  connection whose request line and headers are not in within `header_read_timeout_s` of its
  opening or of the request's first byte, after a 408 in the standard error body.
- Body: `BodyDeadlineMiddleware` bounds the wait for each next piece (`body_idle_timeout_s`) and
  the whole body (`body_read_timeout_s`). Past either, the app is told the client left (so its
  parser stops and its clean-up runs, as for a body over its size limit) and, once it has unwound,
  the client gets 408 REQUEST_TIMEOUT and the connection is closed.
"""

import asyncio
import json
import time
from asyncio import TimerHandle, Transport
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from vocalio_shared.errors import ErrorBody, ErrorCode, error_detail

log = structlog.get_logger("api")


class BodyDeadlineMiddleware:
    def __init__(self, app: ASGIApp, idle_timeout_s: float, total_timeout_s: float) -> None:
        self.app = app
        self.idle_timeout_s = idle_timeout_s
        self.total_timeout_s = total_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.total_timeout_s
        body_done = False
        timed_out = False
        response_started = False

        async def bounded_receive() -> Message:
            nonlocal body_done, timed_out
            if timed_out:
                return {"type": "http.disconnect"}
            if body_done:  # after the body only a disconnect can come: nothing to bound
                return await receive()
            wait_s = min(self.idle_timeout_s, deadline - time.monotonic())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(wait_s, 0.0))
            except TimeoutError:
                timed_out = True
                return {"type": "http.disconnect"}
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if timed_out and not response_started:
                return  # the app saw a disconnect; the 408 below is the only answer
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, bounded_receive, guarded_send)
        except Exception:
            if not timed_out:
                raise
        if timed_out and not response_started:
            log.warning("request body too slow", path=scope.get("path"), method=scope.get("method"))
            await _send_timeout(send, self.idle_timeout_s, self.total_timeout_s)


def _timeout_body(message: str, context: dict[str, float]) -> bytes:
    detail = error_detail(ErrorCode.REQUEST_TIMEOUT, message, context)
    return json.dumps(ErrorBody(error=detail).model_dump(mode="json")).encode()


async def _send_timeout(send: Send, idle_timeout_s: float, total_timeout_s: float) -> None:
    context = {"body_idle_timeout_s": idle_timeout_s, "body_read_timeout_s": total_timeout_s}
    body = _timeout_body("the request body did not arrive in time", context)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 408, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on each request's line and headers; the
    timeout is set on a subclass made by `header_deadline_protocol`, or passed as a keyword (a
    `functools.partial` of this class pickles to uvicorn's worker processes, a subclass made at
    run time does not)."""

    header_timeout_s = 10.0
    _header_timer: TimerHandle | None = None

    def __init__(self, *args: Any, header_timeout_s: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if header_timeout_s is not None:
            self.header_timeout_s = header_timeout_s

    def connection_made(self, transport: Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:  # a kept-alive connection's next request
            self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._disarm_header_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_deadline_passed)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_deadline_passed(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self._arm_header_timer()  # a pipelined request behind one still answering: wait for it
            return
        log.warning("request headers too slow", client=self.client and self.client[0])
        body = _timeout_body(
            "the request headers did not arrive in time", {"header_read_timeout_s": self.header_timeout_s}
        )
        head = (
            b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            + b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
        )
        self.transport.write(head + body)
        self.transport.close()


def header_deadline_protocol(header_timeout_s: float) -> type[HeaderDeadlineProtocol]:
    """The protocol class uvicorn is given (`http=`): one per process, with its timeout."""
    return type("HeaderDeadlineProtocol", (HeaderDeadlineProtocol,), {"header_timeout_s": header_timeout_s})
