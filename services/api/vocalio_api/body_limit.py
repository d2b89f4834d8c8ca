"""Refuse request bodies over their limit, declared (Content-Length) or streamed (chunked), with the
standard error body, without ever holding more than the limit.

Bodies are counted as they stream in. When a body goes over, the app is told the client left, so
its parser stops reading (multipart uploads are never spooled to disk past the limit), and once it
has unwound this middleware answers 413. Limits are per route family: JSON bodies, voice uploads and
audio uploads each have their own setting.

Before the 413, the rest of the body is read and thrown away, up to `DRAIN_MAX_BYTES`: a server
that closes a connection with unread bytes in it makes the kernel reset it, and a client still
sending (one that did not ask `Expect: 100-continue`) then sees "connection reset" instead of the
answer. A client that did ask gets the 413 at once, before it sends anything. Past the drain
budget the connection is closed as it is (nothing is ever held: drained bytes are dropped).
"""

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from vocalio_shared.errors import ErrorBody, ErrorCode, error_detail

LimitFor = Callable[[Scope], tuple[int, ErrorCode] | None]
DRAIN_MAX_BYTES = 64 * 1024 * 1024


def _refusal(limit: int, code: ErrorCode) -> bytes:
    detail = error_detail(code, f"request body exceeds {limit} bytes", {"max_bytes": limit})
    return json.dumps(ErrorBody(error=detail).model_dump(mode="json")).encode()


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limit_for: LimitFor) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(scope) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        max_bytes, code = limit
        headers = dict(scope.get("headers", []))
        expects_continue = headers.get(b"expect", b"").lower() == b"100-continue"
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > max_bytes:
            if not expects_continue and int(declared) <= DRAIN_MAX_BYTES:
                await _drain(receive, DRAIN_MAX_BYTES)
            await _send_refusal(send, max_bytes, code)
            return

        received = 0
        refused = False
        response_started = False

        body_done = False

        async def counting_receive() -> Message:
            nonlocal received, refused, body_done
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > max_bytes:
                    refused = True
                    return {"type": "http.disconnect"}
            elif message["type"] == "http.disconnect":
                body_done = True
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return  # the app saw a disconnect; the 413 below is the only answer
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise
        # Answer once the app has unwound, so its clean-up (partial files) is done before the client hears.
        if refused and not response_started:
            if not body_done:
                await _drain(receive, DRAIN_MAX_BYTES - received)
            await _send_refusal(send, max_bytes, code)


async def _drain(receive: Receive, budget: int) -> None:
    """Read and drop the rest of the request body, at most `budget` bytes."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _send_refusal(send: Send, max_bytes: int, code: ErrorCode) -> None:
    body = _refusal(max_bytes, code)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
