"""A book's files: each finished chapter's audio (HTTP Range; listen while the rest renders) and
captions, and the cover. Included by `routes.books`."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.books import MAX_COVER_BYTES, BookPublic, BookStatus, ChapterFormat
from vocalio_shared.schemas.jobs import JobResult, Segment

from vocalio_api.audio_files import stored_audio
from vocalio_api.books import service
from vocalio_api.books.content import CHAPTER_OUTPUT_FORMAT
from vocalio_api.books.views import BookView, ChapterState, book_public, load_view
from vocalio_api.captions import MEDIA_TYPES, CaptionFormat, render
from vocalio_api.deps import CallerDep, SessionDep, StateDep
from vocalio_api.models import Job

router = APIRouter(tags=["books"])


async def _finished_chapter(
    session: SessionDep, caller: CallerDep, book_id: str, reference: str
) -> tuple[BookView, ChapterState, Job]:
    book = await service.load_visible_book(session, caller, book_id)
    view = await load_view(session, book)
    chapter = view.chapter(reference)
    if chapter is None or not chapter.row.included:
        raise service.chapter_not_found(book_id, reference)
    job = await session.get(Job, chapter.row.job_id) if chapter.row.job_id else None
    await session.commit()  # end the (SQLite: write-locking) transaction before answering
    if chapter.status != BookStatus.SUCCEEDED or job is None:
        raise VocalioError(
            ErrorCode.AUDIO_NOT_READY,
            f"chapter {reference} is not finished (it is {chapter.status})",
            {"status": chapter.status.value, "chapter": reference},
        )
    return view, chapter, job


@router.get("/{book_id}/chapters/{chapter}/audio", response_class=FileResponse)
async def chapter_audio(
    book_id: str,
    chapter: str,
    session: SessionDep,
    caller: CallerDep,
    chapter_format: Annotated[ChapterFormat | None, Query(alias="format")] = None,
) -> FileResponse:
    """The chapter's master (FLAC, 44.1 kHz). `format=mp3|wav` delivery encodings are made by the
    audiobook step from this master; until it is glued in, only the master (`flac`) is served."""
    _view, state, job = await _finished_chapter(session, caller, book_id, chapter)
    if chapter_format is not None and chapter_format.value != CHAPTER_OUTPUT_FORMAT.value:
        # Hook for the audiobook step: encode/serve `chapter_format` from the master here.
        raise VocalioError(
            ErrorCode.UNSUPPORTED_FORMAT,
            f"chapter audio is served as its {CHAPTER_OUTPUT_FORMAT.value} master for now",
            {"format": chapter_format.value, "supported": [CHAPTER_OUTPUT_FORMAT.value]},
        )
    return stored_audio(job, f"{state.number:03d}")


def chapter_segments(job: Job) -> list[Segment]:
    """Captions show the sentence as written (`source_text`) where the worker kept it."""
    segments = JobResult.model_validate(job.result).segments if job.result else []
    return [s.model_copy(update={"text": s.source_text}) if s.source_text else s for s in segments]


@router.get("/{book_id}/chapters/{chapter}/captions")
async def chapter_captions(
    book_id: str,
    chapter: str,
    session: SessionDep,
    caller: CallerDep,
    caption_format: Annotated[CaptionFormat, Query(alias="format")] = CaptionFormat.VTT,
) -> Response:
    _view, state, job = await _finished_chapter(session, caller, book_id, chapter)
    headers = {"Content-Disposition": f'inline; filename="{state.number:03d}.{caption_format.value}"'}
    body = render(chapter_segments(job), caption_format)
    return Response(body, media_type=MEDIA_TYPES[caption_format], headers=headers)


@router.put("/{book_id}/cover", response_model=BookPublic)
async def put_cover(
    book_id: str, request: Request, state: StateDep, session: SessionDep, caller: CallerDep
) -> BookPublic:
    """The raw image as the body (Content-Type image/jpeg or image/png, at most MAX_COVER_BYTES)."""
    book = await service.load_visible_book(session, caller, book_id)
    await session.commit()
    payload = bytearray()
    async for piece in request.stream():
        payload.extend(piece)
        if len(payload) > MAX_COVER_BYTES:
            break  # check_cover answers the 413
    book = await service.store_cover(state, session, book, bytes(payload), request.headers.get("content-type"))
    return book_public(await load_view(session, book))


@router.get("/{book_id}/cover", response_class=FileResponse)
async def get_cover(book_id: str, session: SessionDep, caller: CallerDep) -> FileResponse:
    book = await service.load_visible_book(session, caller, book_id)
    await session.commit()
    if not book.cover_path or not Path(book.cover_path).exists():
        raise VocalioError(ErrorCode.NOT_FOUND, "the book has no cover", {"book_id": book_id})
    return FileResponse(book.cover_path, media_type=book.cover_media_type or "application/octet-stream")
