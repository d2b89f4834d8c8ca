"""The book resource: create (JSON or an import's result), read, edit, delete, cover.

A book is stored as a `draft`; nothing renders until `render.render_book`. Files (the cover) are
written to a temporary name and moved into place only after the row is committed, so a failure at
any step leaves neither a file nor a row behind.
"""

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.events import BookEventType
from vocalio_shared.schemas.books import (
    MAX_BOOK_CHARS,
    MAX_CHAPTER_CHARS,
    MAX_CHAPTERS,
    MAX_COVER_BYTES,
    BookMetadata,
    BookMetadataPatch,
    BookSettings,
    BookStatus,
    ChapterPatch,
    ChapterText,
    MatterKind,
    SynthesisOverrides,
)
from vocalio_shared.schemas.jobs import JobStatus

from vocalio_api.auth import Caller
from vocalio_api.books.events import add_book_event, lock_book, settle
from vocalio_api.books.status import BookState
from vocalio_api.books.views import BookView, load_view
from vocalio_api.idempotency import find_idempotent, replay_or_conflict
from vocalio_api.jobs_service import cancel_job
from vocalio_api.models import Book, BookChapter, BookEventRow, Job, text_sha256
from vocalio_api.state import AppState
from vocalio_api.storage import write_synced
from vocalio_api.temp_files import temp_path

log = structlog.get_logger("api.books")

COVER_TYPES = {"image/jpeg": ("jpg", b"\xff\xd8\xff"), "image/png": ("png", b"\x89PNG\r\n\x1a\n")}


@dataclass(frozen=True)
class SectionIn:
    """A section to store: a JSON chapter, or one the import found."""

    title: str
    text: str
    kind: MatterKind = MatterKind.CHAPTER
    included: bool = True
    source: str | None = None
    settings: SynthesisOverrides | None = None


def books_dir(state: AppState) -> Path:
    return state.settings.data_dir / "books"


def cover_temp_path(final: Path) -> Path:
    """Where a cover is written before the book's row names it: this writer's own name (see temp_files)."""
    return temp_path(final.parent, "cover", final.suffix)


def check_limits(sections: list[SectionIn]) -> None:
    """MAX_CHAPTERS sections, MAX_CHAPTER_CHARS each, MAX_BOOK_CHARS together; something to read."""
    if len(sections) > MAX_CHAPTERS:
        raise VocalioError(
            ErrorCode.BOOK_TOO_LARGE,
            f"the book has {len(sections)} sections; the limit is {MAX_CHAPTERS}",
            {"chapters": len(sections), "max_chapters": MAX_CHAPTERS},
        )
    for position, section in enumerate(sections):
        if len(section.text) > MAX_CHAPTER_CHARS:
            raise VocalioError(
                ErrorCode.BOOK_TOO_LARGE,
                f"section {position + 1} ({section.title!r}) has {len(section.text)} characters; "
                f"the limit is {MAX_CHAPTER_CHARS}",
                {"section": position + 1, "text_chars": len(section.text), "max_chapter_chars": MAX_CHAPTER_CHARS},
            )
    total = sum(len(section.text) for section in sections)
    if total > MAX_BOOK_CHARS:
        raise VocalioError(
            ErrorCode.BOOK_TOO_LARGE,
            f"the book has {total} characters; the limit is {MAX_BOOK_CHARS}",
            {"text_chars": total, "max_book_chars": MAX_BOOK_CHARS},
        )
    if not any(section.included and section.text.strip() for section in sections):
        raise VocalioError(ErrorCode.BOOK_EMPTY, "the book has no chapter to read", {"sections": len(sections)})


def fill_metadata(
    given: BookMetadataPatch | None, source: BookMetadataPatch | None, fallback_title: str | None
) -> BookMetadata:
    """What the client gave wins over what the source says; the title falls back to the file name."""
    merged: dict[str, Any] = {}
    if source is not None:
        merged |= source.model_dump(exclude_none=True)
    if given is not None:
        merged |= given.model_dump(exclude_unset=True)
    if not merged.get("title") and fallback_title:
        merged["title"] = fallback_title
    if not merged.get("title"):
        raise VocalioError(
            ErrorCode.VALIDATION_ERROR,
            "the book needs a title (metadata.title), and the source has none",
            {"fields": [{"field": "metadata.title", "message": "required"}]},
        )
    return BookMetadata.model_validate({k: v for k, v in merged.items() if v is not None})


def check_cover(payload: bytes, media_type: str | None) -> str:
    """The cover's file extension; 422 for anything but a JPEG or PNG (by its bytes), 413 past the limit."""
    if len(payload) > MAX_COVER_BYTES:
        raise VocalioError(
            ErrorCode.UPLOAD_TOO_LARGE,
            f"cover of {len(payload)} bytes exceeds {MAX_COVER_BYTES}",
            {"max_cover_bytes": MAX_COVER_BYTES},
        )
    kind = (media_type or "").split(";")[0].strip().lower()
    if kind not in COVER_TYPES or not payload.startswith(COVER_TYPES[kind][1]):
        raise VocalioError(
            ErrorCode.UNSUPPORTED_FORMAT,
            "the cover must be a JPEG or PNG image (Content-Type image/jpeg or image/png)",
            {"media_type": kind or None, "supported": sorted(COVER_TYPES)},
        )
    return COVER_TYPES[kind][0]


def request_hash(material: dict[str, Any], payload: bytes | None = None) -> str:
    digest = hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":"), default=str).encode())
    if payload is not None:
        digest.update(hashlib.sha256(payload).digest())
    return digest.hexdigest()


async def create_book(
    state: AppState,
    session: AsyncSession,
    caller: Caller,
    *,
    metadata: BookMetadata,
    settings: BookSettings,
    sections: list[SectionIn],
    source_format: str,
    body_hash: str,
    idempotency_key: str | None,
    cover: bytes | None = None,
    cover_media_type: str | None = None,
    warnings: list[str] | None = None,
) -> tuple[Book, bool]:
    """Returns (book, created): a replay of the same Idempotency-Key and body gives the first book."""
    if idempotency_key:
        existing = await find_idempotent(session, Book, caller.key_id, idempotency_key)
        if existing is not None:
            return replay_or_conflict(existing, body_hash, "book_id"), False
    check_limits(sections)
    warnings = list(warnings or [])
    book_id = str(uuid.uuid4())
    cover_ext = None
    if cover is not None:
        try:
            cover_ext = check_cover(cover, cover_media_type)
        except VocalioError as error:  # an EPUB's odd cover is not worth refusing the book for
            warnings.append(f"cover left out: {error.message}")
    now = datetime.now(UTC)
    final_cover = books_dir(state) / book_id / f"cover.{cover_ext}" if cover_ext else None
    book = Book(
        id=book_id,
        api_key_id=caller.key_id,
        state=BookState.DRAFT.value,
        announced_status=BookStatus.DRAFT.value,
        book_metadata=metadata.model_dump(mode="json"),
        settings=settings.model_dump(mode="json"),
        source_format=source_format,
        cover_path=str(final_cover) if final_cover else None,
        cover_media_type=cover_media_type if final_cover else None,
        seed=None,
        warnings=warnings,
        text_chars=sum(len(section.text) for section in sections),
        idempotency_key=idempotency_key,
        request_hash=body_hash,
        created_at=now,
        updated_at=now,
    )
    temp_cover = cover_temp_path(final_cover) if final_cover else None
    if temp_cover is not None and cover is not None:
        write_synced(temp_cover, cover)
    try:
        session.add(book)
        for position, section in enumerate(sections):
            session.add(
                BookChapter(
                    id=str(uuid.uuid4()),
                    book_id=book_id,
                    position=position,
                    title=section.title[:500],
                    text=section.text,
                    text_chars=len(section.text),
                    text_sha256=text_sha256(section.text),
                    kind=section.kind.value,
                    included=section.included,
                    source=section.source[:500] if section.source else None,
                    settings=section.settings.model_dump(mode="json", exclude_none=True) if section.settings else None,
                    updated_at=now,
                )
            )
        data = {"source_format": source_format, "sections": len(sections), "text_chars": book.text_chars}
        add_book_event(session, state.redis, book, BookEventType.CREATED, BookStatus.DRAFT, 0.0, now, data=data)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        if temp_cover is not None:
            temp_cover.unlink(missing_ok=True)
        if idempotency_key:  # a concurrent request with the same key won the race
            existing = await find_idempotent(session, Book, caller.key_id, idempotency_key)
            if existing is not None:
                return replay_or_conflict(existing, body_hash, "book_id"), False
        raise
    except BaseException:
        if temp_cover is not None:
            temp_cover.unlink(missing_ok=True)
        raise
    if temp_cover is not None and final_cover is not None:
        os.replace(temp_cover, final_cover)
    log.info("book created", book_id=book_id, sections=len(sections), text_chars=book.text_chars)
    return book, True


async def load_visible_book(session: AsyncSession, caller: Caller, book_id: str) -> Book:
    """A client sees its own books; operators and admins every book. Others get 404, not 403."""
    book = await session.get(Book, book_id)
    if book is None or (book.api_key_id != caller.key_id and not caller.is_operator):
        raise VocalioError(ErrorCode.BOOK_NOT_FOUND, f"book {book_id} not found", {"book_id": book_id})
    return book


def chapter_not_found(book_id: str, reference: str) -> VocalioError:
    return VocalioError(
        ErrorCode.CHAPTER_NOT_FOUND,
        f"book {book_id} has no chapter {reference}",
        {"book_id": book_id, "chapter": reference},
    )


async def chapter_text(session: AsyncSession, book: Book, reference: str) -> ChapterText:
    """A chapter's text by number or id (the view never loads texts: this reads the one asked for)."""
    chapter = (await load_view(session, book)).chapter(reference)
    if chapter is None:
        raise chapter_not_found(book.id, reference)
    row = chapter.row
    text = (await session.exec(select(BookChapter.text).where(BookChapter.id == row.id))).one()
    return ChapterText(
        id=row.id,
        number=chapter.number,
        title=row.title,
        kind=MatterKind(row.kind),
        included=row.included,
        text_chars=row.text_chars,
        text=text,
    )


async def _locked(session: AsyncSession, book: Book) -> Book:
    locked = await lock_book(session, book.id)
    if locked is None:
        raise VocalioError(ErrorCode.BOOK_NOT_FOUND, f"book {book.id} not found", {"book_id": book.id})
    return locked


async def patch_book(
    state: AppState,
    session: AsyncSession,
    book: Book,
    metadata: BookMetadataPatch | None,
    settings: dict[str, Any] | None,
) -> BookView:
    """Metadata merge; settings merge field by field over the current ones (then validated). A new
    seed, voice or synthesis setting marks the chapters it changes; nothing renders until render."""
    book = await _locked(session, book)
    if metadata is not None:
        current = BookMetadata.model_validate(book.book_metadata).model_dump(mode="json")
        book.book_metadata = BookMetadata.model_validate(
            current | metadata.model_dump(mode="json", exclude_unset=True)
        ).model_dump(mode="json")
    if settings is not None:
        merged = BookSettings.model_validate(book.settings | settings)
        book.settings = merged.model_dump(mode="json")
        if merged.seed is not None and book.seed is not None and merged.seed != book.seed:
            book.seed = merged.seed
    return await _edited(
        state,
        session,
        book,
        {"fields": sorted((metadata.model_fields_set if metadata else set()) | set(settings or {}))},
    )


async def _edited(state: AppState, session: AsyncSession, book: Book, data: dict[str, Any]) -> BookView:
    now = datetime.now(UTC)
    book.updated_at = now
    view = await load_view(session, book)
    add_book_event(session, state.redis, book, BookEventType.EDITED, view.status, view.progress, now, data=data)
    settle(session, state.redis, view, now)
    await session.commit()
    return view


async def patch_chapter(
    state: AppState, session: AsyncSession, book: Book, reference: str, patch: ChapterPatch
) -> BookView:
    book = await _locked(session, book)
    view = await load_view(session, book)
    chapter = view.chapter(reference)
    if chapter is None:
        raise chapter_not_found(book.id, reference)
    row = chapter.row
    fields = patch.model_fields_set
    if "title" in fields and patch.title is not None:
        row.title = patch.title
    if "text" in fields and patch.text is not None:
        if not patch.text.strip():
            raise VocalioError(ErrorCode.VALIDATION_ERROR, "text must contain something to say")
        total = book.text_chars - row.text_chars + len(patch.text)
        if total > MAX_BOOK_CHARS:
            raise VocalioError(
                ErrorCode.BOOK_TOO_LARGE,
                f"the book would have {total} characters; the limit is {MAX_BOOK_CHARS}",
                {"text_chars": total, "max_book_chars": MAX_BOOK_CHARS},
            )
        book.text_chars = total
        row.text, row.text_chars, row.text_sha256 = patch.text, len(patch.text), text_sha256(patch.text)
    if "settings" in fields:
        row.settings = patch.settings.model_dump(mode="json", exclude_none=True) if patch.settings else None
    if "included" in fields and patch.included is not None:
        if not patch.included and sum(1 for c in view.included if c.row.id != row.id) == 0:
            raise VocalioError(ErrorCode.BOOK_EMPTY, "a book keeps at least one included chapter")
        row.included = patch.included
    row.updated_at = datetime.now(UTC)
    session.add(row)
    return await _edited(state, session, book, {"chapter_id": row.id, "fields": sorted(fields)})


async def store_cover(
    state: AppState, session: AsyncSession, book: Book, payload: bytes, media_type: str | None
) -> Book:
    extension = check_cover(payload, media_type)
    final = books_dir(state) / book.id / f"cover.{extension}"
    temp = cover_temp_path(final)
    write_synced(temp, payload)
    try:
        book = await _locked(session, book)
        previous = book.cover_path
        book.cover_path, book.cover_media_type = str(final), (media_type or "").split(";")[0].strip().lower()
        book.updated_at = datetime.now(UTC)
        session.add(book)
        await session.commit()
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.replace(temp, final)
    if previous and previous != str(final):
        Path(previous).unlink(missing_ok=True)
    return book


async def delete_book(state: AppState, session: AsyncSession, book: Book) -> None:
    """Cancels its unfinished chapter jobs, deletes its rows and files (cover, chapter masters, what
    the audiobook step wrote under data_dir/books/{id}). The sentence cache is shared and stays."""
    book_id = book.id
    rows = list((await session.exec(select(BookChapter).where(BookChapter.book_id == book_id))).all())
    job_ids = [row.job_id for row in rows if row.job_id]
    jobs = list((await session.exec(select(Job).where(col(Job.id).in_(job_ids)))).all()) if job_ids else []
    await session.commit()
    for job in jobs:
        if not JobStatus(job.status).terminal:
            with contextlib.suppress(VocalioError):  # it finished meanwhile
                await cancel_job(state, session, job)
    audio_files = [Path(job.audio_path) for job in jobs if job.audio_path]
    await session.exec(delete(BookEventRow).where(col(BookEventRow.book_id) == book_id))  # type: ignore[call-overload]
    await session.exec(delete(BookChapter).where(col(BookChapter.book_id) == book_id))  # type: ignore[call-overload]
    await session.exec(delete(Book).where(col(Book.id) == book_id))  # type: ignore[call-overload]
    await session.commit()
    for path in audio_files:
        path.unlink(missing_ok=True)
    shutil.rmtree(books_dir(state) / book_id, ignore_errors=True)
    log.info("book deleted", book_id=book_id, jobs=len(jobs))
