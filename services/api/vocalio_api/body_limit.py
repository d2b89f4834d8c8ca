"""Refuse request bodies over `max_body_bytes`, declared (Content-Length) or streamed (chunked),
with the standard error body before the app sees them. JSON bodies are small, so the body is
buffered up to the limit and replayed; audio uploads (PUT …/audio) stream and have their own limit."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from vocalio_shared.errors import ErrorBody, ErrorCode, error_detail


def _too_large_body(limit: int) -> bytes:
    detail = error_detail(ErrorCode.BODY_TOO_LARGE, f"request body exceeds {limit} bytes", {"max_body_bytes": limit})
    return json.dumps(ErrorBody(error=detail).model_dump(mode="json")).encode()


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, streamed_suffixes: tuple[str, ...] = ("/audio",)) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.streamed_suffixes = streamed_suffixes

    async def _refuse(self, send: Send) -> None:
        body = _too_large_body(self.max_body_bytes)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _exempt(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return True
        return scope.get("method") == "PUT" and scope["path"].endswith(self.streamed_suffixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._exempt(scope):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                await self._refuse(send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
