"""A real HTTP server that speaks the book routes' contract, for the dashboard's Books page tests.

The API's book routes are built in another branch; this server answers with the shared schemas
(`BookPublic`, `ChapterPublic`, `BookList`, the error body) so the dashboard is tested against the
contract, over real HTTP, not against mocks of its own client. It keeps books in memory and renders
nothing: a test moves a render on with `ContractState.advance` (as the worker's reports would).
It records every request the dashboard made, so a test can check what was sent.
"""

from __future__ import annotations

import io
import json
import math
import re
import secrets
import struct
import threading
import time
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import ValidationError
from vocalio_cli.embedded_redis import free_port
from vocalio_shared.schemas.books import (
    BookLinks,
    BookList,
    BookMetadata,
    BookMetadataPatch,
    BookPublic,
    BookSettings,
    BookStatus,
    ChapterPatch,
    ChapterPublic,
    MatterKind,
)

OPERATOR_KEY = "vk_contract_operator_0123456789"
VOICES = [
    {"id": "vc_narradora", "name": "Narradora", "region": "neutral", "default_for": ["neutral"]},
    {"id": "vc_porteno", "name": "Porteño", "region": "rioplatense", "default_for": []},
]
# TXT import as the contract describes it: Spanish headings start chapters; these are set aside.
HEADING = re.compile(
    r"^(cap[ií]tulo\s+\S+|pr[oó]logo|ep[ií]logo|dedicatoria|[ií]ndice)\b.*$", re.IGNORECASE | re.MULTILINE
)
SET_ASIDE = {"dedicatoria": MatterKind.DEDICATION, "indice": MatterKind.TOC, "índice": MatterKind.TOC}
CHARS_PER_SECOND = 15.0  # the estimate's narration pace


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "category": "input", "severity": "low", "recoverable": False}},
        status_code=status,
    )


def tone_wav(seconds: float = 1.0, rate: int = 22050) -> bytes:
    """A short real WAV (a 440 Hz tone): what a finished chapter plays."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


@dataclass
class StoredChapter:
    id: str
    title: str
    text: str
    kind: MatterKind = MatterKind.CHAPTER
    included: bool = True
    source: str | None = None
    status: BookStatus = BookStatus.DRAFT
    progress: float = 0.0
    job_id: str | None = None


@dataclass
class StoredBook:
    id: str
    metadata: BookMetadata
    settings: BookSettings
    source_format: str
    chapters: list[StoredChapter]
    status: BookStatus = BookStatus.DRAFT
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_at: datetime | None = None

    def included(self) -> list[StoredChapter]:
        return [chapter for chapter in self.chapters if chapter.included]

    def public(self) -> BookPublic:
        numbered = {chapter.id: n for n, chapter in enumerate(self.included(), start=1)}
        chapters, excluded = [], []
        for chapter in self.chapters:
            public = _chapter_public(self, chapter, numbered.get(chapter.id))
            (chapters if chapter.included else excluded).append(public)
        done_s = sum(c.duration_s or 0 for c in chapters)
        estimated_s = sum(c.estimated_duration_s or 0 for c in chapters)
        progress = sum(c.progress for c in chapters) / len(chapters) if chapters else 0.0
        remaining = [c.eta_s for c in chapters if c.eta_s is not None]
        return BookPublic(
            id=self.id,
            status=self.status,
            progress=round(progress, 1),
            metadata=self.metadata,
            settings=self.settings,
            source_format=self.source_format,
            chapters=chapters,
            excluded=excluded,
            audio_minutes_done=round(done_s / 60, 2),
            audio_minutes_estimated=round(estimated_s / 60, 2),
            eta_s=sum(remaining) if remaining else None,
            text_chars=sum(c.text_chars for c in chapters),
            created_at=self.created_at,
            updated_at=datetime.now(UTC),
            started_at=self.started_at,
            links=BookLinks(
                self=f"/api/v1/books/{self.id}",
                events=f"/api/v1/books/{self.id}/events",
                render=f"/api/v1/books/{self.id}/render",
                cancel=f"/api/v1/books/{self.id}/cancel",
                audio=f"/api/v1/books/{self.id}/audio",
            ),
        )


def _chapter_public(book: StoredBook, chapter: StoredChapter, number: int | None) -> ChapterPublic:
    estimated = len(chapter.text) / CHARS_PER_SECOND
    done = chapter.status == BookStatus.SUCCEEDED
    running = chapter.status in (BookStatus.QUEUED, BookStatus.SYNTHESIZING)
    payload: dict[str, Any] = {
        "id": chapter.id,
        "number": number,
        "title": chapter.title,
        "kind": chapter.kind,
        "included": chapter.included,
        "source": chapter.source,
        "status": chapter.status,
        "progress": chapter.progress,
        "eta_s": round(estimated * (100 - chapter.progress) / 100, 1) if running else None,
        "text_chars": len(chapter.text),
        "duration_s": estimated if done else None,
        "estimated_duration_s": estimated,
        "job_id": chapter.job_id,
        "audio_url": f"/api/v1/books/{book.id}/chapters/{number}/audio" if done and number else None,
    }
    return ChapterPublic(**payload)


def import_txt(text: str) -> list[StoredChapter]:
    """Chapters from Spanish headings; a dedication or an index is set aside (the contract's `excluded`)."""
    marks = list(HEADING.finditer(text))
    chapters = []
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        title = mark.group(0).strip()
        body = text[mark.end() : end].strip()
        kind = SET_ASIDE.get(title.split()[0].lower(), MatterKind.CHAPTER)
        chapter_id = f"ch_{secrets.token_hex(4)}"
        source = f"line {text.count(chr(10), 0, mark.start()) + 1}"
        chapters.append(StoredChapter(chapter_id, title, body, kind, kind == MatterKind.CHAPTER, source))
    return chapters


@dataclass
class ContractState:
    books: dict[str, StoredBook] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    audio: bytes = field(default_factory=tone_wav)

    def advance(self, book_id: str) -> None:
        """One step of a render, as the worker's reports would make it: the first unfinished chapter
        moves queued → synthesizing 50 % → succeeded; the book follows its chapters."""
        with self.lock:
            book = self.books[book_id]
            if book.status in (BookStatus.PAUSED, BookStatus.CANCELLED, BookStatus.DRAFT):
                return
            pending = [c for c in book.included() if c.status != BookStatus.SUCCEEDED]
            if pending:
                chapter = pending[0]
                if chapter.status == BookStatus.QUEUED:
                    chapter.status, chapter.progress = BookStatus.SYNTHESIZING, 50.0
                else:
                    chapter.status, chapter.progress = BookStatus.SUCCEEDED, 100.0
            left = [c for c in book.included() if c.status != BookStatus.SUCCEEDED]
            book.status = BookStatus.SYNTHESIZING if left else BookStatus.SUCCEEDED

    def last(self, method: str, path_part: str) -> dict[str, Any]:
        return next(r for r in reversed(self.requests) if r["method"] == method and path_part in r["path"])


def create_contract_app(state: ContractState) -> FastAPI:
    app = FastAPI()

    @app.exception_handler(ValidationError)
    async def invalid(_request: Request, error: ValidationError) -> JSONResponse:
        # The API's 422: the first problem in the message, each field in `context.fields`.
        fields = [{"field": "body." + ".".join(map(str, e["loc"])), "message": e["msg"]} for e in error.errors()]
        body = _error(422, "VALIDATION_ERROR", f"{fields[0]['field']}: {fields[0]['message']}")
        payload = json.loads(body.body)
        payload["error"]["context"] = {"fields": fields}
        return JSONResponse(payload, status_code=422)

    @app.middleware("http")
    async def authenticate(request: Request, call_next: Any) -> Response:
        if request.url.path.startswith("/api/"):
            if request.headers.get("authorization") != f"Bearer {OPERATOR_KEY}":
                return _error(401, "UNAUTHORIZED", "missing or invalid API key")
            body = await request.body()
            state.requests.append(
                {
                    "method": request.method,
                    "path": request.url.path,
                    "query": str(request.url.query),
                    "content_type": request.headers.get("content-type", ""),
                    "body": body,
                }
            )
        return await call_next(request)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready")
    async def ready() -> dict[str, Any]:
        return {"status": "ready"}

    @app.get("/api/v1/me")
    async def me() -> dict[str, str]:
        return {"id": "key_op", "name": "contract-operator", "role": "operator"}

    @app.get("/api/v1/voices")
    async def voices() -> dict[str, Any]:
        return {"items": VOICES}

    @app.post("/api/v1/books", status_code=201)
    async def create_book(request: Request) -> Response:
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return _error(422, "VALIDATION_ERROR", "send the book in a `file` field")
        raw = await upload.read()
        name = (upload.filename or "").lower()
        if name.endswith(".epub"):
            # Only TXT is imported here; an EPUB that is not even a zip is what a real import refuses too.
            if not raw.startswith(b"PK"):
                return _error(422, "BOOK_UNREADABLE", "the file is not an EPUB (not a zip archive)")
            return _error(422, "BOOK_UNREADABLE", "the contract server imports TXT only")
        chapters = import_txt(raw.decode("utf-8"))
        if not any(chapter.included for chapter in chapters):
            return _error(422, "BOOK_EMPTY", "nothing to read once front and back matter are set aside")
        patch = BookMetadataPatch.model_validate_json(str(form.get("metadata") or "{}"))
        settings = BookSettings.model_validate_json(str(form.get("settings") or "{}"))
        given = patch.model_dump(exclude_none=True)
        metadata = BookMetadata(**({"title": Path(upload.filename or "libro").stem} | given))
        book = StoredBook(f"bk_{secrets.token_hex(6)}", metadata, settings, "txt", chapters)
        with state.lock:
            state.books[book.id] = book
        return JSONResponse(book.public().model_dump(mode="json"), status_code=201)

    @app.get("/api/v1/books")
    async def list_books() -> dict[str, Any]:
        books = sorted(state.books.values(), key=lambda b: b.created_at, reverse=True)
        return BookList(items=[book.public() for book in books]).model_dump(mode="json")

    def _book(book_id: str) -> StoredBook | None:
        return state.books.get(book_id)

    @app.get("/api/v1/books/{book_id}")
    async def get_book(book_id: str) -> Response:
        book = _book(book_id)
        if book is None:
            return _error(404, "BOOK_NOT_FOUND", f"no book {book_id}")
        return JSONResponse(book.public().model_dump(mode="json"))

    @app.patch("/api/v1/books/{book_id}")
    async def patch_book(book_id: str, request: Request) -> Response:
        book = _book(book_id)
        if book is None:
            return _error(404, "BOOK_NOT_FOUND", f"no book {book_id}")
        # The API's body: {"metadata": BookMetadataPatch, "settings": the settings fields to change}.
        body = json.loads(await request.body())
        if set(body) - {"metadata", "settings"}:
            return _error(422, "VALIDATION_ERROR", "send `metadata` and/or `settings`")
        patch = BookMetadataPatch.model_validate(body.get("metadata") or {})
        book.metadata = book.metadata.model_copy(update=patch.model_dump(exclude_none=True))
        if body.get("settings") is not None:
            book.settings = BookSettings.model_validate(book.settings.model_dump() | body["settings"])
        return JSONResponse(book.public().model_dump(mode="json"))

    @app.patch("/api/v1/books/{book_id}/chapters/{ref}")
    async def patch_chapter(book_id: str, ref: str, request: Request) -> Response:
        book = _book(book_id)
        if book is None:
            return _error(404, "BOOK_NOT_FOUND", f"no book {book_id}")
        included = book.included()
        by_number = included[int(ref) - 1] if ref.isdigit() and 0 < int(ref) <= len(included) else None
        chapter = by_number or next((c for c in book.chapters if c.id == ref), None)
        if chapter is None:
            return _error(404, "CHAPTER_NOT_FOUND", f"no chapter {ref} in book {book_id}")
        patch = ChapterPatch.model_validate_json(await request.body())
        if patch.title is not None:
            chapter.title = patch.title
        if patch.text is not None:
            chapter.text = patch.text
        if patch.included is not None:
            chapter.included = patch.included
        return JSONResponse(book.public().model_dump(mode="json"))

    @app.post("/api/v1/books/{book_id}/{action}")
    async def act(book_id: str, action: str) -> Response:
        book = _book(book_id)
        if book is None:
            return _error(404, "BOOK_NOT_FOUND", f"no book {book_id}")
        if action not in ("render", "cancel", "pause", "resume"):
            return _error(404, "NOT_FOUND", "no such route")
        with state.lock:
            unfinished = [c for c in book.included() if c.status != BookStatus.SUCCEEDED]
            if action == "render":
                book.status, book.started_at = BookStatus.QUEUED, datetime.now(UTC)
                for chapter in unfinished:
                    chapter.status, chapter.progress = BookStatus.QUEUED, 0.0
                    chapter.job_id = f"job_{secrets.token_hex(4)}"
            elif action == "pause":
                book.status = BookStatus.PAUSED
            elif action == "resume":
                book.status = BookStatus.SYNTHESIZING
            else:
                book.status = BookStatus.CANCELLED
                for chapter in unfinished:
                    chapter.status = BookStatus.CANCELLED
        return JSONResponse(book.public().model_dump(mode="json"), status_code=202)

    @app.get("/api/v1/books/{book_id}/chapters/{number}/audio")
    async def chapter_audio(book_id: str, number: int, request: Request) -> Response:
        book = _book(book_id)
        included = book.included() if book else []
        if book is None or not 0 < number <= len(included):
            return _error(404, "CHAPTER_NOT_FOUND", "no such chapter")
        if included[number - 1].status != BookStatus.SUCCEEDED:
            return _error(409, "AUDIO_NOT_READY", "the chapter is not rendered yet")
        return _file(request.app.state.audio_dir / "chapter.wav", "audio/wav", f"{number:03d}.wav")

    @app.get("/api/v1/books/{book_id}/audio")
    async def book_audio(book_id: str, request: Request, format: str = "m4b") -> Response:
        book = _book(book_id)
        if book is None:
            return _error(404, "BOOK_NOT_FOUND", f"no book {book_id}")
        if book.status != BookStatus.SUCCEEDED:
            return _error(409, "AUDIO_NOT_READY", "the book is not finished")
        media = {"m4b": "audio/mp4", "mp3-zip": "application/zip", "flac-zip": "application/zip"}.get(format)
        if media is None:
            return _error(422, "VALIDATION_ERROR", "format must be m4b, mp3-zip or flac-zip")
        suffix = "m4b" if format == "m4b" else "zip"
        return _file(request.app.state.audio_dir / "chapter.wav", media, f"{book.metadata.title}.{suffix}")

    return app


def _file(path: Path, media_type: str, filename: str) -> FileResponse:
    # FileResponse answers Range requests (206, Content-Range), as the API's downloads do.
    return FileResponse(path, media_type=media_type, filename=filename, content_disposition_type="inline")


@dataclass
class ContractServer:
    """The contract app under uvicorn on a free loopback port, in a thread of the test process."""

    base_url: str
    state: ContractState


@contextmanager
def contract_server(audio_dir: Path) -> Iterator[ContractServer]:
    state = ContractState()
    app = create_contract_app(state)
    audio_dir.mkdir(parents=True, exist_ok=True)
    (audio_dir / "chapter.wav").write_bytes(state.audio)
    app.state.audio_dir = audio_dir
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the contract server did not start")
        time.sleep(0.05)
    try:
        yield ContractServer(f"http://127.0.0.1:{port}", state)
    finally:
        server.should_exit = True
        thread.join(10)
