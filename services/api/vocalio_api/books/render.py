"""Rendering a book: pin its voice and seed, then one bulk-lane job per included chapter whose
content changed (or that has no finished job); pause, resume and cancel act on those jobs.

The book row is locked only for its own writes and committed before any job is touched, so a job's
transition (which locks the job, then the book, for the book's events) never waits on a render.
"""

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.events import BookEventType
from vocalio_shared.regions import Region, RegionChoice
from vocalio_shared.schemas.books import BookStatus
from vocalio_shared.schemas.jobs import JobStatus

from vocalio_api import voices_service
from vocalio_api.auth import Caller
from vocalio_api.books.content import (
    book_settings,
    chapter_job,
    chapter_overrides,
    chapter_signature,
    pin_reference,
)
from vocalio_api.books.events import add_book_event, chapter_data, lock_book, settle
from vocalio_api.books.status import BookState
from vocalio_api.books.views import BookView, ChapterState, chapter_row, chapter_text, load_view
from vocalio_api.jobs_service import cancel_job, create_job
from vocalio_api.models import Book, BookChapter, Job, Voice
from vocalio_api.state import AppState

log = structlog.get_logger("api.books")

RUNNING = frozenset({BookStatus.QUEUED, BookStatus.PREPARING, BookStatus.SYNTHESIZING, BookStatus.ENCODING})


async def pin_voice(
    session: AsyncSession, caller: Caller, reference: str | None, region: RegionChoice
) -> dict[str, Any]:
    """The voice to pin: `reference` (id or name) resolved as a job's would be, else the region's
    default (neutral's for `auto`: one book, one voice), else nothing known (the worker's fallback)."""
    voice: Voice | None
    if reference:
        voice_id = await voices_service.resolve_for_job(session, caller, reference)
        if voice_id.startswith(voices_service.ESPEAK_VOICE_PREFIX):
            return {"reference": reference, "voice_id": voice_id, "name": voice_id}
        voice = await session.get(Voice, voice_id)
    else:
        wanted = Region.NEUTRAL if region == RegionChoice.AUTO else Region(region.value)
        voice = await voices_service.default_voice(session, wanted)
        if voice is None and wanted != Region.NEUTRAL:
            voice = await voices_service.default_voice(session, Region.NEUTRAL)
    if voice is None:
        return {"reference": reference, "voice_id": None}
    return {
        "reference": reference,
        "voice_id": voice.id,
        "name": voice.name,
        "sha256": voice.sha256,
        "transcript_sha256": hashlib.sha256(voice.transcript.encode()).hexdigest(),
    }


def _needs_job(chapter: ChapterState) -> bool:
    job = chapter.view.job
    if job is None or chapter.view.changed:
        return True
    return job.status in (JobStatus.FAILED, JobStatus.CANCELLED)


async def _pin(session: AsyncSession, caller: Caller, book: Book, rows: list[BookChapter]) -> None:
    """Pins are kept across renders; a changed voice setting (book or chapter) pins anew."""
    settings = book_settings(book)
    if book.voice is None or pin_reference(book.voice) != settings.voice:
        book.voice = await pin_voice(session, caller, settings.voice, settings.region)
    for row in rows:
        overrides = chapter_overrides(row)
        wanted = overrides.voice if row.included and overrides is not None else None
        if wanted and pin_reference(row.pinned_voice) != wanted:
            region = (overrides.region if overrides else None) or settings.region
            row.pinned_voice = await pin_voice(session, caller, wanted, region)
            session.add(row)
    if book.seed is None or (settings.seed is not None and settings.seed != book.seed):
        book.seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)


async def render_book(state: AppState, session: AsyncSession, caller: Caller, book_id: str) -> BookView:
    """Jobs for what is not done; chapters whose content is unchanged keep their job (nothing re-rendered)."""
    book = await _lock(session, book_id)
    now = datetime.now(UTC)
    view = await load_view(session, book)
    await _pin(session, caller, book, [c.row for c in view.chapters])
    view = await load_view(session, book)  # signatures with the pins
    todo = [c for c in view.included if _needs_job(c)]
    book.state = BookState.RENDERING.value
    book.updated_at = now
    if todo:
        book.started_at, book.finished_at = now, None
    data = {"chapters": [c.row.id for c in todo], "kept": len(view.included) - len(todo), "seed": book.seed}
    view = await load_view(session, book)  # the state changed: a paused book with nothing to do is done
    add_book_event(session, state.redis, book, BookEventType.RENDER_STARTED, view.status, view.progress, now, data=data)
    settle(session, state.redis, view, now)
    planned = [(c.row.id, c.number, chapter_signature(book, c.row), c.view.job) for c in todo]
    await session.commit()

    for chapter_id, number, signature, old_job in planned:
        if old_job is not None and not old_job.status.terminal:  # an edit during its render
            await _cancel_job_id(state, session, old_job.id)
        row = await chapter_row(session, chapter_id)
        text = await chapter_text(session, chapter_id)
        if row is None or text is None or number is None:
            continue
        body, spec = chapter_job(book, row, text, number)
        job, _ = await create_job(state, session, caller, body, None, chapter=spec)
        await _link(state, session, book_id, chapter_id, job.id, signature)
    log.info("book render", book_id=book_id, jobs=len(planned), kept=data["kept"])
    return await _fresh_view(session, book_id)


async def _link(
    state: AppState, session: AsyncSession, book_id: str, chapter_id: str, job_id: str, signature: str
) -> None:
    """The chapter's job is this one now; its first events may have come before (then settle here)."""
    book = await _lock(session, book_id)
    row = await chapter_row(session, chapter_id)
    if row is None:
        return
    row.job_id, row.job_signature = job_id, signature
    session.add(row)
    now = datetime.now(UTC)
    view = await load_view(session, book)
    chapter = next(c for c in view.chapters if c.row.id == chapter_id)
    add_book_event(
        session,
        state.redis,
        book,
        BookEventType.CHAPTER_QUEUED,
        view.status,
        view.progress,
        now,
        chapter_id=chapter_id,
        data=chapter_data(chapter),
    )
    settle(session, state.redis, view, now)
    await session.commit()


async def _cancel_job_id(state: AppState, session: AsyncSession, job_id: str) -> None:
    job = await session.get(Job, job_id)
    await session.commit()  # end the read before the Redis round trip
    if job is None or JobStatus(job.status).terminal:
        return
    try:
        await cancel_job(state, session, job)
    except VocalioError as error:
        if error.code != ErrorCode.INVALID_STATE:  # it finished meanwhile: nothing to stop
            raise


async def _lock(session: AsyncSession, book_id: str) -> Book:
    book = await lock_book(session, book_id)
    if book is None:
        raise VocalioError(ErrorCode.BOOK_NOT_FOUND, f"book {book_id} not found", {"book_id": book_id})
    return book


async def _fresh_view(session: AsyncSession, book_id: str) -> BookView:
    book = await session.get(Book, book_id, populate_existing=True)
    if book is None:
        raise VocalioError(ErrorCode.BOOK_NOT_FOUND, f"book {book_id} not found", {"book_id": book_id})
    view = await load_view(session, book)
    await session.commit()
    return view


async def stop_book(state: AppState, session: AsyncSession, book_id: str, target: BookState) -> BookView:
    """Pause or cancel: the book says so first (so the chapter jobs' cancellations aggregate to it),
    then every queued job leaves the queue and every running one is asked to stop at its next
    sentence. Finished sentences are in the sentence cache: a resume renders only the rest."""
    book = await _lock(session, book_id)
    view = await load_view(session, book)
    allowed = RUNNING | ({BookStatus.PAUSED} if target == BookState.CANCELLED else set())
    if view.status not in allowed:
        verb = "pause" if target == BookState.PAUSED else "cancel"
        raise VocalioError(
            ErrorCode.INVALID_STATE, f"cannot {verb} a {view.status} book", {"status": view.status.value}
        )
    book.state = target.value
    book.updated_at = datetime.now(UTC)
    session.add(book)
    running = [c.view.job.id for c in view.included if c.view.job is not None and not c.view.job.status.terminal]
    await session.commit()
    for job_id in running:
        await _cancel_job_id(state, session, job_id)
    book = await _lock(session, book_id)
    view = await load_view(session, book)
    settle(session, state.redis, view, datetime.now(UTC))
    await session.commit()
    return view


async def resume_book(state: AppState, session: AsyncSession, caller: Caller, book_id: str) -> BookView:
    """A render of what is not done, for a paused, cancelled or failed book."""
    book = await _lock(session, book_id)
    view = await load_view(session, book)
    await session.commit()
    if view.status not in (BookStatus.PAUSED, BookStatus.CANCELLED, BookStatus.FAILED):
        raise VocalioError(
            ErrorCode.INVALID_STATE,
            f"only a paused, cancelled or failed book resumes (this one is {view.status})",
            {"status": view.status.value},
        )
    return await render_book(state, session, caller, book_id)
