"""A small real HTTP server that speaks the book routes' contract (and POST /api/v1/jobs), for the
client's tests until the API's book routes land: uvicorn on a free loopback port, in a thread.

Its book renders on a clock: each included chapter takes `chapter_s` seconds, one after the other,
so reads and the event stream agree on where the book is. It can fail the next N calls of a route
(status, error code, Retry-After), cut an event stream after K events, and cut a download mid-body;
every request is logged (method, path, headers) so a test checks what the client really sent.
"""

import asyncio
import hashlib
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from vocalio_cli.embedded_redis import free_port
from vocalio_shared.errors import ERROR_TRAITS, ErrorCode, error_detail
from vocalio_shared.schemas.books import BookCreate, BookMetadata, BookSettings
from vocalio_shared.schemas.jobs import JobCreate

AUDIO_BYTES = 300_000


def _error(code: ErrorCode, message: str, headers: dict[str, str] | None = None, status: int | None = None) -> Response:
    detail = error_detail(code, message, {})
    return JSONResponse(
        {"error": detail.model_dump(mode="json")},
        status_code=status or ERROR_TRAITS[code].http_status,
        headers=headers,
    )


@dataclass
class Failure:
    remaining: int
    status: int
    code: ErrorCode | None
    retry_after: str | None


@dataclass
class FakeBook:
    id: str
    metadata: dict[str, Any]
    settings: dict[str, Any]
    chapters: list[dict[str, Any]]
    source_format: str
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    render_started: float | None = None
    paused_at: float | None = None  # the clock stops while paused
    cancelled: bool = False
    renders: int = 0
    seed: int = 1234
    extra_events: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)  # pauses, resumes


class ContractServer:
    def __init__(self, chapter_s: float = 0.3) -> None:
        self.chapter_s = chapter_s
        self.books: dict[str, FakeBook] = {}
        self.idempotent: dict[str, str] = {}
        self.failures: dict[tuple[str, str], Failure] = {}
        self.log: list[tuple[str, str, dict[str, str]]] = []
        self.cut_stream_after: int | None = None  # events sent before the next stream is dropped
        self.cut_download_at: int | None = None  # bytes sent before the next download is dropped
        self.uploads: list[tuple[str, bytes, dict[str, Any]]] = []
        self.jobs_created = 0
        self.audio = hashlib.sha256(b"seed").digest() * (AUDIO_BYTES // 32) + b"tail"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.app = self._build()

    # --- controls used by tests -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path: str,
        times: int,
        status: int | None = None,
        code: ErrorCode | None = None,
        retry_after: float | None = None,
    ) -> None:
        """The next `times` calls answer `code`'s error body (its own status unless given), or a
        proxy's bare HTML page with `status` (503 by default) when no code is given."""
        if status is None:
            status = ERROR_TRAITS[code].http_status if code else 503
        self.failures[(method, path)] = Failure(times, status, code, None if retry_after is None else str(retry_after))

    def requests(self, method: str, path: str) -> list[dict[str, str]]:
        return [headers for m, p, headers in self.log if m == method and p == path]

    # --- the book clock ---------------------------------------------------------------------------

    def _elapsed(self, book: FakeBook) -> float:
        if book.render_started is None:
            return 0.0
        end = book.paused_at if book.paused_at is not None else time.monotonic()
        return end - book.render_started

    def _included(self, book: FakeBook) -> list[dict[str, Any]]:
        return [chapter for chapter in book.chapters if chapter["included"]]

    def _view(self, book: FakeBook) -> dict[str, Any]:
        chapters = self._included(book)
        elapsed = self._elapsed(book)
        total = len(chapters) * self.chapter_s
        views = []
        for index, chapter in enumerate(chapters):
            done_s = min(max(elapsed - index * self.chapter_s, 0.0), self.chapter_s)
            progress = 100.0 * done_s / self.chapter_s if book.render_started is not None else 0.0
            if book.render_started is None:
                status = "draft"
            elif progress >= 100:
                status = "succeeded"
            elif book.cancelled:
                status = "cancelled"
            elif book.paused_at is not None:
                status = "paused"
            else:
                status = "synthesizing" if progress > 0 else "queued"
            views.append(self._chapter_view(book, chapter, index + 1, status, progress))
        if book.render_started is None:
            status, progress = "draft", 0.0
        else:
            progress = min(100.0, 100.0 * elapsed / total)
            if progress >= 100:
                status = "succeeded"
            elif book.cancelled:
                status = "cancelled"
            elif book.paused_at is not None:
                status = "paused"
            else:
                status = "synthesizing"
        now = datetime.now(UTC).isoformat()
        links = {k: f"/api/v1/books/{book.id}/{k}" for k in ("events", "render", "cancel", "audio")}
        return {
            "id": book.id,
            "status": status,
            "progress": progress,
            "metadata": book.metadata,
            "settings": book.settings,
            "source_format": book.source_format,
            "chapters": views,
            "excluded": [
                self._chapter_view(book, chapter, None, "draft", 0.0)
                for chapter in book.chapters
                if not chapter["included"]
            ],
            "seed": book.seed,
            "text_chars": sum(len(chapter["text"]) for chapter in chapters),
            "created_at": book.created_at,
            "updated_at": now,
            "links": {"self": f"/api/v1/books/{book.id}"} | links,
        }

    def _chapter_view(
        self, book: FakeBook, chapter: dict[str, Any], number: int | None, status: str, progress: float
    ) -> dict[str, Any]:
        return {
            "id": chapter["id"],
            "number": number,
            "title": chapter["title"],
            "kind": chapter.get("kind", "chapter"),
            "included": chapter["included"],
            "status": status,
            "progress": progress,
            "text_chars": len(chapter["text"]),
            "audio_url": f"/api/v1/books/{book.id}/chapters/{number}/audio" if number else None,
        }

    def _timeline(self, book: FakeBook) -> list[tuple[float, str, dict[str, Any]]]:
        """Every event of the render, at the elapsed second it happens."""
        events: list[tuple[float, str, dict[str, Any]]] = [(0.0, "book.render_started", {"book_id": book.id})]
        chapters = self._included(book)
        for index, _chapter in enumerate(chapters):
            start = index * self.chapter_s
            for quarter in (1, 2, 3):
                events.append((start + quarter * self.chapter_s / 4, "chapter.progress", {"chapter": index + 1}))
            events.append((start + self.chapter_s, "chapter.succeeded", {"chapter": index + 1}))
            events.append((start + self.chapter_s, "book.progress", {"progress": 100 * (index + 1) / len(chapters)}))
        events.append((len(chapters) * self.chapter_s, "book.succeeded", {"book_id": book.id}))
        return sorted(events + book.extra_events, key=lambda event: event[0])  # stable: a pause before its resume

    # --- the app ----------------------------------------------------------------------------------

    def _build(self) -> FastAPI:
        app = FastAPI()
        server = self

        @app.middleware("http")
        async def record_and_fail(request: Request, call_next):  # type: ignore[no-untyped-def]
            server.log.append((request.method, request.url.path, dict(request.headers)))
            failure = server.failures.get((request.method, request.url.path))
            if failure and failure.remaining > 0:
                failure.remaining -= 1
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else None
                if failure.code is None:
                    return Response("<html>bad gateway</html>", failure.status, headers, media_type="text/html")
                return _error(failure.code, "injected failure", headers, failure.status)
            if request.headers.get("authorization") != "Bearer test-key":
                return _error(ErrorCode.UNAUTHENTICATED, "missing or invalid API key")
            return await call_next(request)

        def find(book_id: str) -> FakeBook | Response:
            book = server.books.get(book_id)
            return book if book else _error(ErrorCode.BOOK_NOT_FOUND, f"book {book_id} not found")

        @app.post("/api/v1/jobs", status_code=202)
        async def create_job(request: Request) -> Any:
            body = await request.json()
            try:
                job = JobCreate.model_validate(body)
            except ValueError as error:
                return _error(ErrorCode.VALIDATION_ERROR, str(error)[:200])
            server.jobs_created += 1
            now = datetime.now(UTC).isoformat()
            job_id = "job_" + uuid.uuid4().hex[:12]
            links = {k: f"/api/v1/jobs/{job_id}/{k}" for k in ("events", "audio", "cancel")}
            answer = {
                "id": job_id,
                "status": "queued",
                "progress": 0.0,
                "priority": job.priority.value,
                "text_chars": len(job.text),
                "params": job.model_dump(mode="json", exclude={"text", "priority", "callback_url", "metadata"}),
                "created_at": now,
                "updated_at": now,
                "links": {"self": f"/api/v1/jobs/{job_id}"} | links,
            }
            return JSONResponse(answer, 202)

        @app.post("/api/v1/books", status_code=201)
        async def create_book(request: Request) -> Any:
            key = request.headers.get("idempotency-key")
            if key and key in server.idempotent:
                return JSONResponse(server._view(server.books[server.idempotent[key]]), 201)
            if request.headers.get("content-type", "").startswith("multipart/"):
                form = await request.form()
                upload = form["file"]
                data = await upload.read()  # type: ignore[union-attr]
                meta = json.loads(form.get("metadata") or "{}")  # type: ignore[arg-type]
                settings = BookSettings.model_validate(json.loads(form.get("settings") or "{}"))  # type: ignore[arg-type]
                server.uploads.append((upload.filename, data, {"metadata": meta, "settings": settings}))  # type: ignore[union-attr]
                text = data.decode("utf-8", errors="replace")
                chapters = [
                    {"title": part.splitlines()[0], "text": part} for part in text.split("\n\n\n") if part.strip()
                ]
                metadata = BookMetadata(title=meta.get("title") or upload.filename.rsplit(".", 1)[0])  # type: ignore[union-attr]
                book = FakeBook(
                    "book_" + uuid.uuid4().hex[:12],
                    metadata.model_dump(mode="json") | meta,
                    settings.model_dump(mode="json"),
                    [{"id": uuid.uuid4().hex[:8], "included": True, **c} for c in chapters],
                    "txt",
                )
                book.chapters.insert(
                    0, {"id": "cover", "title": "Copyright", "text": "©", "included": False, "kind": "copyright"}
                )
            else:
                try:
                    body = BookCreate.model_validate(await request.json())
                except ValueError as error:
                    return _error(ErrorCode.VALIDATION_ERROR, str(error)[:200])
                book = FakeBook(
                    "book_" + uuid.uuid4().hex[:12],
                    body.metadata.model_dump(mode="json"),
                    body.settings.model_dump(mode="json"),
                    [
                        {"id": uuid.uuid4().hex[:8], "title": c.title, "text": c.text, "included": True}
                        for c in body.chapters
                    ],
                    "json",
                )
            if book.settings.get("seed") is not None:
                book.seed = book.settings["seed"]
            server.books[book.id] = book
            if key:
                server.idempotent[key] = book.id
            return JSONResponse(server._view(book), 201)

        @app.get("/api/v1/books")
        async def list_books() -> Any:
            return {"items": [server._view(book) for book in server.books.values()], "next_cursor": None}

        @app.get("/api/v1/books/{book_id}")
        async def get_book(book_id: str) -> Any:
            book = find(book_id)
            return book if isinstance(book, Response) else server._view(book)

        @app.patch("/api/v1/books/{book_id}/chapters/{number}")
        async def edit_chapter(book_id: str, number: int, request: Request) -> Any:
            book = find(book_id)
            if isinstance(book, Response):
                return book
            patch = await request.json()
            chapters = server._included(book)
            if not 1 <= number <= len(chapters):
                return _error(ErrorCode.CHAPTER_NOT_FOUND, f"chapter {number} not found")
            chapters[number - 1].update({k: v for k, v in patch.items() if k in ("title", "text", "included")})
            # answers the chapter alone: the client must read the book again
            return server._chapter_view(book, chapters[number - 1], number, "draft", 0.0)

        @app.get("/api/v1/books/{book_id}/chapters/{number}/text")
        async def chapter_text(book_id: str, number: int) -> Any:
            book = find(book_id)
            if isinstance(book, Response):
                return book
            chapters = server._included(book)
            if not 1 <= number <= len(chapters):
                return _error(ErrorCode.CHAPTER_NOT_FOUND, f"chapter {number} not found")
            chapter = chapters[number - 1]
            view = server._chapter_view(book, chapter, number, "draft", 0.0)
            return {
                "id": view["id"],
                "number": number,
                "title": chapter["title"],
                "kind": "chapter",
                "included": True,
                "text_chars": len(chapter["text"]),
                "text": chapter["text"],
            }

        @app.post("/api/v1/books/{book_id}/render")
        async def render(book_id: str) -> Any:
            book = find(book_id)
            if isinstance(book, Response):
                return book
            book.renders += 1
            if book.render_started is None:
                book.render_started = time.monotonic()
            return JSONResponse(server._view(book), 202)

        @app.post("/api/v1/books/{book_id}/{action}")
        async def act(book_id: str, action: str) -> Any:
            book = find(book_id)
            if isinstance(book, Response):
                return book
            if action == "pause" and book.paused_at is None:
                book.paused_at = time.monotonic()
                book.extra_events.append((server._elapsed(book), "book.paused", {}))
            elif action == "resume" and book.paused_at is not None:
                assert book.render_started is not None
                book.render_started += time.monotonic() - book.paused_at
                book.paused_at = None
                book.extra_events.append((server._elapsed(book), "book.status", {"status": "synthesizing"}))
            elif action == "cancel":
                book.cancelled = True
                book.paused_at = time.monotonic()
            return JSONResponse(server._view(book), 202)

        @app.get("/api/v1/books/{book_id}/events")
        async def events(book_id: str, request: Request) -> Any:
            book = find(book_id)
            if isinstance(book, Response):
                return book
            after = int(request.headers.get("last-event-id") or 0)
            cut, server.cut_stream_after = server.cut_stream_after, None

            async def stream() -> AsyncIterator[bytes]:
                sent = 0
                timeline = server._timeline(book)
                seq = after
                yield b": ping\n\n"
                while seq < len(timeline):
                    at, kind, data = timeline[seq]
                    if server._elapsed(book) < at or book.render_started is None:
                        if book.paused_at is not None or book.render_started is None:
                            return  # settled: the server ends the stream
                        await asyncio.sleep(0.02)
                        continue
                    seq += 1
                    yield f"id: {seq}\nevent: {kind}\ndata: {json.dumps(data)}\n\n".encode()
                    sent += 1
                    if cut is not None and sent >= cut:
                        raise ConnectionResetError("cut by the test")

            return StreamingResponse(stream(), media_type="text/event-stream")

        def audio_response(request: Request, data: bytes, media_type: str) -> Response:
            etag = '"' + hashlib.sha256(data).hexdigest() + '"'
            spec = request.headers.get("range")
            if_range = request.headers.get("if-range")
            start = 0
            if spec and (if_range is None or if_range == etag):
                start = int(spec.removeprefix("bytes=").split("-")[0])
                if start >= len(data):
                    return _error(ErrorCode.RANGE_NOT_SATISFIABLE, "range beyond the file")
            body = data[start:]
            cut, server.cut_download_at = server.cut_download_at, None
            headers = {"ETag": etag, "Content-Length": str(len(body)), "Accept-Ranges": "bytes"}
            status = 200
            if start:
                status = 206
                headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"

            async def chunks() -> AsyncIterator[bytes]:
                for offset in range(0, len(body), 8192):
                    if cut is not None and offset >= cut:
                        raise ConnectionResetError("cut by the test")
                    yield body[offset : offset + 8192]

            return StreamingResponse(chunks(), status, headers, media_type=media_type)

        @app.get("/api/v1/books/{book_id}/audio")
        async def book_audio(book_id: str, request: Request, format: str = "m4b") -> Any:
            book = find(book_id)
            if isinstance(book, Response):
                return book
            if server._view(book)["status"] != "succeeded":
                return _error(ErrorCode.AUDIO_NOT_READY, "the book is still rendering")
            return audio_response(request, format.encode() + server.audio, "audio/mp4")

        @app.get("/api/v1/books/{book_id}/chapters/{number}/audio")
        async def chapter_audio(book_id: str, number: int, request: Request, format: str = "flac") -> Any:
            book = find(book_id)
            if isinstance(book, Response):
                return book
            chapters = server._view(book)["chapters"]
            if not 1 <= number <= len(chapters):
                return _error(ErrorCode.CHAPTER_NOT_FOUND, f"chapter {number} not found")
            if chapters[number - 1]["status"] != "succeeded":
                return _error(ErrorCode.AUDIO_NOT_READY, "the chapter is still rendering")
            return audio_response(request, f"{format}:{number}".encode() + server.audio[:5000], "audio/flac")

        @app.get("/api/v1/books/{book_id}/chapters/{number}/captions")
        async def captions(book_id: str, number: int, format: str = "vtt") -> Any:
            vtt, srt = "WEBVTT\n\n00:00.000 --> 00:01.000\nHola.\n", "1\n00:00:00,000 --> 00:00:01,000\nHola.\n"
            text = vtt if format == "vtt" else srt
            return Response(text, media_type="text/vtt" if format == "vtt" else "application/x-subrip")

        return app

    @classmethod
    def running(cls, **kwargs: Any) -> Iterator["ContractServer"]:
        server = cls(**kwargs)
        config = uvicorn.Config(server.app, host="127.0.0.1", port=server.port, log_level="warning", lifespan="off")
        runner = uvicorn.Server(config)
        thread = threading.Thread(target=runner.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not runner.started:
            assert time.monotonic() < deadline, "contract server did not start"
            time.sleep(0.02)
        try:
            yield server
        finally:
            runner.should_exit = True
            thread.join(10)
