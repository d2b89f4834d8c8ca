"""A book's files: each finished chapter's audio (HTTP Range; listen while the rest renders) and
captions, the whole book (m4b, zips, the read-along EPUB: `books.delivery` makes them), its quality
report, and the cover. Included by `routes.books`."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.book_quality import BookReport
from vocalio_shared.schemas.books import MAX_COVER_BYTES, BookAudioFormat, BookPublic, BookStatus, ChapterFormat
from vocalio_shared.schemas.jobs import JobResult, Segment

from vocalio_api.audio_files import stored_audio
from vocalio_api.books import delivery, quality, service
from vocalio_api.books.audiobook import chapter_filename
from vocalio_api.books.views import BookView, ChapterState, book_public, book_report, load_view
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
    state: StateDep,
    session: SessionDep,
    caller: CallerDep,
    chapter_format: Annotated[ChapterFormat | None, Query(alias="format")] = None,
) -> FileResponse:
    """Without `format`: the chapter's master (FLAC, 44.1 kHz mono, untagged) as its job stored it.
    `format=mp3|flac|wav`: the delivery file, tagged (mp3: CBR 192 kbit/s), made from the master."""
    view, chapter_state, job = await _finished_chapter(session, caller, book_id, chapter)
    if chapter_format is None:
        return stored_audio(job, f"{chapter_state.number:03d}")
    assert chapter_state.number is not None  # included chapters are numbered
    path = await delivery.chapter_file(state, book_id, chapter_state.number, chapter_format)
    count = len(view.included)
    return _file(path, chapter_filename(chapter_state.number, chapter_state.row.title, path.suffix, count))


@router.get("/{book_id}/audio", response_class=FileResponse)
async def book_audio(
    book_id: str,
    state: StateDep,
    session: SessionDep,
    caller: CallerDep,
    audio_format: Annotated[BookAudioFormat, Query(alias="format")] = BookAudioFormat.M4B,
    part: Annotated[int | None, Query(ge=1, description="m4b only: one part of a book split in parts.")] = None,
) -> FileResponse:
    """The whole book, once every included chapter succeeded: 409 AUDIO_NOT_READY (Retry-After)
    while it is assembled. A book split into m4b parts (over 12 h) answers a zip of the parts
    without `part`, the part itself with it."""
    await service.load_visible_book(session, caller, book_id)
    await session.commit()
    files = await delivery.book_files(state, book_id, delivery.BookFile(audio_format.value))
    if part is not None:
        if audio_format != BookAudioFormat.M4B or part > len(files):
            raise VocalioError(ErrorCode.VALIDATION_ERROR, f"no part {part}", {"part": part, "parts": len(files)})
        return _file(files[part - 1], files[part - 1].name)
    if len(files) == 1:
        return _file(files[0], files[0].name)
    return _file(await delivery.parts_zip(files), files[0].parent.name + ".zip")


@router.get("/{book_id}/read-along", response_class=FileResponse)
async def read_along(book_id: str, state: StateDep, session: SessionDep, caller: CallerDep) -> FileResponse:
    """An EPUB 3 with Media Overlays (SMIL 3.0) from the book's own sentence timings: each sentence
    highlighted as it is read, no forced alignment. 409 AUDIO_NOT_READY while it is assembled."""
    await service.load_visible_book(session, caller, book_id)
    await session.commit()
    files = await delivery.book_files(state, book_id, delivery.BookFile.READ_ALONG)
    return _file(files[0], files[0].name)


_MEDIA_TYPES = {
    ".m4b": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
    ".zip": "application/zip",
    ".epub": "application/epub+zip",
}


def _file(path: Path, filename: str) -> FileResponse:
    """Starlette's FileResponse answers Range (206/416); the ETag changes with the file."""
    stat = path.stat()
    return FileResponse(
        path,
        media_type=_MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
        filename=filename,
        headers={"ETag": f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"', "Cache-Control": "private, max-age=3600"},
    )


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


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


@router.get("/{book_id}/report", response_model=BookReport)
async def book_quality_report(
    book_id: str,
    session: SessionDep,
    caller: CallerDep,
    report_format: Annotated[ReportFormat, Query(alias="format")] = ReportFormat.JSON,
) -> Response:
    """The book's quality report: one row per included chapter (its figures against the mastering
    preset, pass/fail, failed rules, sentence QA counts, drift), finished or not; JSON adds the
    book's summary and each chapter's flagged sentences. The mp3/flac zips carry both files."""
    book = await service.load_visible_book(session, caller, book_id)
    report = book_report(await load_view(session, book))
    await session.commit()
    if report_format == ReportFormat.CSV:
        headers = {"Content-Disposition": f'attachment; filename="{book_id}-report.csv"'}
        return Response(quality.report_csv(report), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(quality.report_json(report), media_type="application/json")


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
