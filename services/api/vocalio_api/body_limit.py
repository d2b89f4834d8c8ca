"""Refuse request bodies over their limit, declared (Content-Length) or streamed (chunked), with the
standard error body, without ever holding more than the limit.

Bodies are counted as they stream in. When a body goes over, the app is told the client left, so
its parser stops reading (multipart uploads are never spooled to disk past the limit), and once it
has unwound this middleware answers 413. Limits are per route family: JSON bodies, voice uploads and
audio uploads each have their own setting.
"""

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from vocalio_shared.errors import ErrorBody, ErrorCode, error_detail

LimitFor = Callable[[Scope], tuple[int, ErrorCode] | None]


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
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > max_bytes:
                await _send_refusal(send, max_bytes, code)
                return

        received = 0
        refused = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    refused = True
                    return {"type": "http.disconnect"}
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
            await _send_refusal(send, max_bytes, code)


async def _send_refusal(send: Send, max_bytes: int, code: ErrorCode) -> None:
    body = _refusal(max_bytes, code)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
