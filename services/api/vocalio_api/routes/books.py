"""Client routes for books: create (JSON or an EPUB/TXT upload), read, list, edit, delete, and the
render controls (render, pause, resume, cancel). Chapter files and the event stream are in
`book_files` and `book_events`, included here so the app registers books with one line."""

import asyncio
import base64
import json
from datetime import datetime
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlmodel import and_, col, or_, select
from starlette.datastructures import UploadFile
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.books import (
    MAX_CHAPTER_CHARS,
    MAX_CHAPTERS,
    BookCreate,
    BookList,
    BookMetadataPatch,
    BookPublic,
    BookSettings,
    ChapterPatch,
    ChapterText,
)

from vocalio_api.books import redraw, render, service
from vocalio_api.books.service import SectionIn, load_visible_book
from vocalio_api.books.status import BookState
from vocalio_api.books.views import book_public, load_view
from vocalio_api.deps import CallerDep, SessionDep, StateDep
from vocalio_api.idempotency import find_idempotent, replay_or_conflict
from vocalio_api.models import Book, as_utc
from vocalio_api.routes import book_events, book_files

router = APIRouter(prefix="/api/v1/books", tags=["books"])

MAX_FORM_PART_BYTES = 1024 * 1024  # the metadata and settings JSON parts of an upload


class BookPatch(BaseModel):
    """PATCH /api/v1/books/{id}: metadata fields and settings fields to change (the rest stays)."""

    model_config = ConfigDict(extra="forbid")

    metadata: BookMetadataPatch | None = None
    settings: dict[str, Any] | None = None


def _invalid(error: ValidationError, prefix: str) -> RequestValidationError:
    return RequestValidationError(
        [dict(item) | {"loc": (prefix, *item.get("loc", ()))} for item in error.errors(include_url=False)]
    )


def _json_part(raw: object, prefix: str) -> Any:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise VocalioError(
            ErrorCode.VALIDATION_ERROR, f"{prefix} must be a JSON text part", {"fields": [{"field": prefix}]}
        )
    try:
        return json.loads(raw)
    except ValueError:
        raise VocalioError(
            ErrorCode.VALIDATION_ERROR, f"{prefix} is not valid JSON", {"fields": [{"field": prefix}]}
        ) from None


def _precheck_json_book(payload: object) -> None:
    """Limits answered as BOOK_TOO_LARGE (the schema would only say "too long")."""
    chapters = payload.get("chapters") if isinstance(payload, dict) else None
    if not isinstance(chapters, list):
        return
    if len(chapters) > MAX_CHAPTERS:
        raise VocalioError(
            ErrorCode.BOOK_TOO_LARGE,
            f"the book has {len(chapters)} chapters; the limit is {MAX_CHAPTERS}",
            {"chapters": len(chapters), "max_chapters": MAX_CHAPTERS},
        )
    for number, chapter in enumerate(chapters, start=1):
        text = chapter.get("text") if isinstance(chapter, dict) else None
        if isinstance(text, str) and len(text) > MAX_CHAPTER_CHARS:
            raise VocalioError(
                ErrorCode.BOOK_TOO_LARGE,
                f"chapter {number} has {len(text)} characters; the limit is {MAX_CHAPTER_CHARS}",
                {"chapter": number, "text_chars": len(text), "max_chapter_chars": MAX_CHAPTER_CHARS},
            )


async def _create_from_json(
    request: Request, state: StateDep, session: SessionDep, caller: CallerDep, idempotency_key: str | None
) -> tuple[Book, bool]:
    try:
        payload = await request.json()
    except ValueError:
        raise VocalioError(ErrorCode.VALIDATION_ERROR, "the body is not valid JSON") from None
    _precheck_json_book(payload)
    try:
        body = BookCreate.model_validate(payload)
    except ValidationError as error:
        raise _invalid(error, "body") from None
    sections = [SectionIn(title=c.title, text=c.text, settings=c.settings) for c in body.chapters]
    return await service.create_book(
        state,
        session,
        caller,
        metadata=body.metadata,
        settings=body.settings,
        sections=sections,
        source_format="json",
        body_hash=service.request_hash(body.model_dump(mode="json")),
        idempotency_key=idempotency_key,
    )


async def _create_from_upload(
    request: Request, state: StateDep, session: SessionDep, caller: CallerDep, idempotency_key: str | None
) -> tuple[Book, bool]:
    async with request.form(max_files=1, max_fields=10, max_part_size=MAX_FORM_PART_BYTES) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise VocalioError(
                ErrorCode.VALIDATION_ERROR,
                "a multipart book needs its EPUB or TXT in a `file` part",
                {"fields": [{"field": "body.file", "message": "required"}]},
            )
        try:
            metadata = BookMetadataPatch.model_validate(_json_part(form.get("metadata"), "metadata") or {})
            settings = BookSettings.model_validate(_json_part(form.get("settings"), "settings") or {})
        except ValidationError as error:
            raise _invalid(error, "body") from None
        data = await upload.read()
        filename = upload.filename or "book"
        media_type = upload.content_type
    body_hash = service.request_hash(
        {
            "metadata": metadata.model_dump(mode="json", exclude_unset=True),
            "settings": settings.model_dump(mode="json"),
            "filename": filename,
        },
        data,
    )
    if idempotency_key:  # a replay answers before the (costly) import runs again
        existing = await find_idempotent(session, Book, caller.key_id, idempotency_key)
        if existing is not None:
            return replay_or_conflict(existing, body_hash, "book_id"), False
    from vocalio_api.books.importing import import_book  # the import's one entry point (CPU: off the loop)

    imported = await asyncio.to_thread(import_book, data, filename, media_type, settings.include_footnotes)
    sections = [SectionIn(s.title, s.text, s.kind, s.included, s.source) for s in imported.sections]
    return await service.create_book(
        state,
        session,
        caller,
        metadata=service.fill_metadata(metadata, imported.metadata, PurePath(filename).stem or None),
        settings=settings,
        sections=sections,
        source_format=imported.source_format,
        body_hash=body_hash,
        idempotency_key=idempotency_key,
        cover=imported.cover,
        cover_media_type=imported.cover_media_type,
        warnings=imported.warnings,
    )


def _json_book_schema() -> dict[str, Any]:
    """BookCreate for the OpenAPI document (the route reads its body itself: JSON or multipart). Its
    nested models that the answers also use are components already; ChapterIn is inlined."""
    schema = BookCreate.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if node.get("$ref") == "#/components/schemas/ChapterIn":
                return inline(defs["ChapterIn"])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return inline(schema)


_CREATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _json_book_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "EPUB (2 or 3) or TXT"},
                        "metadata": {"type": "string", "description": "BookMetadataPatch as JSON"},
                        "settings": {"type": "string", "description": "BookSettings as JSON"},
                    },
                }
            },
        },
    }
}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BookPublic, openapi_extra=_CREATE_BODY)
async def create_book(
    request: Request,
    response: Response,
    state: StateDep,
    session: SessionDep,
    caller: CallerDep,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=255)] = None,
) -> BookPublic:
    """A JSON book (`metadata`, `chapters`, `settings`) or an upload; answers the detected structure
    as a `draft`: nothing renders until POST /books/{id}/render."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        book, created = await _create_from_upload(request, state, session, caller, idempotency_key)
    else:
        book, created = await _create_from_json(request, state, session, caller, idempotency_key)
    response.headers["Location"] = f"/api/v1/books/{book.id}"
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return book_public(await load_view(session, book))


@router.get("/{book_id}", response_model=BookPublic)
async def get_book(book_id: str, session: SessionDep, caller: CallerDep) -> BookPublic:
    book = await load_visible_book(session, caller, book_id)
    return book_public(await load_view(session, book))


def _encode_cursor(book: Book) -> str:
    created = as_utc(book.created_at)
    assert created is not None
    return base64.urlsafe_b64encode(f"{created.isoformat()}|{book.id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created, book_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.fromisoformat(created), book_id
    except (ValueError, UnicodeDecodeError):
        raise VocalioError(
            ErrorCode.VALIDATION_ERROR, "invalid cursor", {"fields": [{"field": "query.cursor"}]}
        ) from None


@router.get("", response_model=BookList)
async def list_books(
    session: SessionDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> BookList:
    """Newest first; `next_cursor` continues where the page ended, stable under inserts. The chapters'
    reports come without their loudness timelines (GET /books/{id} has them)."""
    query = select(Book)
    if not caller.is_operator:
        query = query.where(Book.api_key_id == caller.key_id)
    if cursor:
        created, book_id = _decode_cursor(cursor)
        query = query.where(
            or_(col(Book.created_at) < created, and_(col(Book.created_at) == created, col(Book.id) < book_id))
        )
    query = query.order_by(col(Book.created_at).desc(), col(Book.id).desc()).limit(limit + 1)
    rows = list((await session.exec(query)).all())
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    items = [book_public(await load_view(session, book), timelines=False) for book in rows[:limit]]
    return BookList(items=items, next_cursor=next_cursor)


@router.patch("/{book_id}", response_model=BookPublic)
async def patch_book(
    book_id: str, body: BookPatch, state: StateDep, session: SessionDep, caller: CallerDep
) -> BookPublic:
    book = await load_visible_book(session, caller, book_id)
    try:
        view = await service.patch_book(state, session, book, body.metadata, body.settings)
    except ValidationError as error:
        raise _invalid(error, "body") from None
    return book_public(view)


@router.patch("/{book_id}/chapters/{chapter}", response_model=BookPublic)
async def patch_chapter(
    book_id: str,
    chapter: str,
    body: Annotated[ChapterPatch, Body()],
    state: StateDep,
    session: SessionDep,
    caller: CallerDep,
) -> BookPublic:
    """`chapter`: its number among included chapters (from 1) or its id (set-aside matter has no number)."""
    book = await load_visible_book(session, caller, book_id)
    return book_public(await service.patch_chapter(state, session, book, chapter, body))


@router.get("/{book_id}/chapters/{chapter}/text", response_model=ChapterText)
async def get_chapter_text(book_id: str, chapter: str, session: SessionDep, caller: CallerDep) -> ChapterText:
    """`chapter`: its number among included chapters (from 1) or its id, as for PATCH."""
    book = await load_visible_book(session, caller, book_id)
    return await service.chapter_text(session, book, chapter)


@router.delete("/{book_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_book(book_id: str, state: StateDep, session: SessionDep, caller: CallerDep) -> Response:
    book = await load_visible_book(session, caller, book_id)
    await service.delete_book(state, session, book)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{book_id}/render", status_code=status.HTTP_202_ACCEPTED, response_model=BookPublic)
async def render_book(
    book_id: str, response: Response, state: StateDep, session: SessionDep, caller: CallerDep
) -> BookPublic:
    """One bulk-lane job per included chapter that changed or has no finished job; 200 when there
    was nothing to do."""
    await load_visible_book(session, caller, book_id)
    await session.commit()
    view = await render.render_book(state, session, caller, book_id)
    if view.status not in render.RUNNING:
        response.status_code = status.HTTP_200_OK
    return book_public(view)


@router.post("/{book_id}/resume", status_code=status.HTTP_202_ACCEPTED, response_model=BookPublic)
async def resume_book(book_id: str, state: StateDep, session: SessionDep, caller: CallerDep) -> BookPublic:
    await load_visible_book(session, caller, book_id)
    await session.commit()
    return book_public(await render.resume_book(state, session, caller, book_id))


@router.post("/{book_id}/pause", status_code=status.HTTP_202_ACCEPTED, response_model=BookPublic)
async def pause_book(book_id: str, state: StateDep, session: SessionDep, caller: CallerDep) -> BookPublic:
    await load_visible_book(session, caller, book_id)
    await session.commit()
    return book_public(await render.stop_book(state, session, book_id, BookState.PAUSED))


@router.post("/{book_id}/cancel", status_code=status.HTTP_202_ACCEPTED, response_model=BookPublic)
async def cancel_book(book_id: str, state: StateDep, session: SessionDep, caller: CallerDep) -> BookPublic:
    await load_visible_book(session, caller, book_id)
    await session.commit()
    return book_public(await render.stop_book(state, session, book_id, BookState.CANCELLED))


@router.post(
    "/{book_id}/chapters/{chapter}/sentences/{index}/redraw",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BookPublic,
)
async def redraw_sentence(
    book_id: str, chapter: str, index: int, response: Response, state: StateDep, session: SessionDep, caller: CallerDep
) -> BookPublic:
    """Render one sentence of a finished book again (a flagged one, say): `index` is its position in
    the chapter's segments (`flagged[].index`). The sentence is drawn with a new seed, the rest of
    the chapter comes from the sentence cache, and the book's files are made again. 404 for a bad
    chapter or index, 409 INVALID_STATE while the book is not finished."""
    await load_visible_book(session, caller, book_id)
    await session.commit()
    view, draw = await redraw.redraw_sentence(state, session, caller, book_id, chapter, index)
    response.headers["Location"] = f"/api/v1/books/{book_id}"
    response.headers["X-Vocalio-Draw"] = str(draw)
    return book_public(view)


router.include_router(book_files.router)
router.include_router(book_events.router)
