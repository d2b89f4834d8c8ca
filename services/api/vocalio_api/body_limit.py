"""Refuse request bodies over `max_body_bytes` before they are read (Content-Length) or while they
stream in (chunked), with the standard error body. Audio uploads have their own, larger limit."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from vocalio_shared.errors import ErrorBody, ErrorCode, error_detail


class BodyTooLarge(Exception):
    pass


def _too_large_body(limit: int) -> bytes:
    detail = error_detail(ErrorCode.BODY_TOO_LARGE, f"request body exceeds {limit} bytes", {"max_body_bytes": limit})
    return json.dumps(ErrorBody(error=detail).model_dump(mode="json")).encode()


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, exempt_suffixes: tuple[str, ...] = ("/audio",)) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.exempt_suffixes = exempt_suffixes

    async def _refuse(self, send: Send) -> None:
        body = _too_large_body(self.max_body_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope.get("method") == "PUT" and scope["path"].endswith(self.exempt_suffixes)):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                await self._refuse(send)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)
