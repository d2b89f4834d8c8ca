"""A book's event log: rows in the database (the truth, SSE ids = the book's seq), announced on Redis
(`BOOK_EVENTS_CHANNEL_PREFIX` + book id, the wake-up call) once committed.

Chapter events come from the chapter jobs themselves: `lifecycle.transition` calls
`on_chapter_job` in the job's transaction, so a chapter event is written exactly when its job's
event is. After each, the book's aggregate is recomputed and, when its status changed (or a chapter
finished), a book event follows in the same transaction.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from redis.asyncio import Redis
from sqlalchemy import event as sa_event
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.events import BookEventType, EventType
from vocalio_shared.queue import BOOK_EVENTS_CHANNEL_PREFIX
from vocalio_shared.schemas.books import BookStatus

from vocalio_api.books import delivery
from vocalio_api.books.views import BookView, ChapterState, chapter_row, load_view
from vocalio_api.models import Book, BookEventRow, Job, job_chapter
from vocalio_api.state import AppState

log = structlog.get_logger("api.books")

_CHAPTER_EVENT = {
    EventType.STATUS: BookEventType.CHAPTER_STATUS,
    EventType.PROGRESS: BookEventType.CHAPTER_PROGRESS,
    EventType.RETRYING: BookEventType.CHAPTER_RETRYING,
    EventType.CANCEL_REQUESTED: BookEventType.CHAPTER_CANCEL_REQUESTED,
    EventType.SUCCEEDED: BookEventType.CHAPTER_SUCCEEDED,
    EventType.FAILED: BookEventType.CHAPTER_FAILED,
    EventType.CANCELLED: BookEventType.CHAPTER_CANCELLED,
}
_SETTLED_EVENT = {
    BookStatus.SUCCEEDED: BookEventType.SUCCEEDED,
    BookStatus.FAILED: BookEventType.FAILED,
    BookStatus.CANCELLED: BookEventType.CANCELLED,
    BookStatus.PAUSED: BookEventType.PAUSED,
}

_announcing: set[asyncio.Task[None]] = set()


async def lock_book(session: AsyncSession, book_id: str) -> Book | None:
    """The book row for update (its event seq must not be taken twice), fresh from the database."""
    query = select(Book).where(Book.id == book_id).with_for_update().execution_options(populate_existing=True)
    return (await session.exec(query)).first()


def add_book_event(
    session: AsyncSession,
    redis: Redis,
    book: Book,
    event_type: BookEventType,
    status: BookStatus,
    progress: float,
    now: datetime,
    *,
    chapter_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> BookEventRow:
    """In the caller's transaction, the book row locked; announced on Redis after the commit."""
    book.event_seq += 1
    row = BookEventRow(
        book_id=book.id,
        seq=book.event_seq,
        type=event_type.value,
        status=status.value,
        progress=progress,
        chapter_id=chapter_id,
        data=data,
        created_at=now,
    )
    session.add(book)
    session.add(row)
    _announce_after_commit(session, redis, book.id, book.event_seq)
    return row


def chapter_data(chapter: ChapterState, **extra: Any) -> dict[str, Any]:
    job = chapter.view.job
    return {
        "number": chapter.number,
        "title": chapter.row.title,
        "status": chapter.status.value,
        "progress": chapter.progress,
        "job_id": job.id if job is not None else None,
    } | extra


def settle(
    session: AsyncSession, redis: Redis, view: BookView, now: datetime, *, chapter_finished: bool = False
) -> None:
    """The book-level event after a change: its new status when it changed, else its progress when a
    chapter finished. Records the status announced and when the book finished."""
    book = view.book
    previous = BookStatus(book.announced_status)
    if view.status != previous:
        book.announced_status = view.status.value
        book.finished_at = now if view.status == BookStatus.SUCCEEDED else None
        event_type = _SETTLED_EVENT.get(view.status, BookEventType.STATUS)
        add_book_event(session, redis, book, event_type, view.status, view.progress, now, data={"from": previous.value})
    elif chapter_finished:
        add_book_event(session, redis, book, BookEventType.PROGRESS, view.status, view.progress, now)


async def on_chapter_job(
    state: AppState, session: AsyncSession, job: Job, event_type: EventType, now: datetime
) -> None:
    """The hook `lifecycle.transition` calls for every job event: a no-op for jobs of no book. A
    chapter that succeeded gets its delivery files made once committed, and a finished book its m4b."""
    redis = state.redis
    render = job_chapter(job)
    if render is None:
        return
    book = await lock_book(session, render.book_id)
    chapter = await chapter_row(session, render.chapter_id)
    if book is None or chapter is None:
        return  # the book was deleted; its job runs out on its own
    if job.status in ("succeeded", "failed", "cancelled") and job.metrics:
        chapter.sentences_synthesized += int(job.metrics.get("sentences_synthesized") or 0)
        session.add(chapter)
    if chapter.job_id != job.id:
        return  # superseded by a newer render of the chapter: not the chapter's state any more
    view = await load_view(session, book, fresh=job)
    chapter_state = next(c for c in view.chapters if c.row.id == chapter.id)
    chapter_event = _CHAPTER_EVENT.get(event_type)
    if chapter_event is not None:
        data = chapter_data(chapter_state, stage=job.stage)
        add_book_event(
            session, redis, book, chapter_event, view.status, view.progress, now, chapter_id=chapter.id, data=data
        )
    settle(session, redis, view, now, chapter_finished=event_type == EventType.SUCCEEDED)
    if event_type == EventType.SUCCEEDED:
        kinds = (delivery.BookFile.M4B,) if view.status == BookStatus.SUCCEEDED else ()
        _after_commit(session, lambda: delivery.schedule(state, book.id, *kinds))


async def book_events_after(
    session: AsyncSession, book_id: str, after_seq: int, limit: int = 500
) -> list[BookEventRow]:
    query = (
        select(BookEventRow)
        .where(BookEventRow.book_id == book_id, col(BookEventRow.seq) > after_seq)
        .order_by(col(BookEventRow.seq))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


def _announce_after_commit(session: AsyncSession, redis: Redis, book_id: str, seq: int) -> None:
    """Best effort, like job announcements: listeners also poll, so a lost one only delays them."""

    def announce() -> None:
        task = asyncio.get_running_loop().create_task(_announce(redis, book_id, seq))
        _announcing.add(task)
        task.add_done_callback(_announcing.discard)

    _after_commit(session, announce)


def _after_commit(session: AsyncSession, action: Callable[[], None]) -> None:
    sa_event.listen(session.sync_session, "after_commit", lambda _session: action(), once=True)


async def _announce(redis: Redis, book_id: str, seq: int) -> None:
    try:
        await redis.publish(BOOK_EVENTS_CHANNEL_PREFIX + book_id, str(seq))
    except Exception as error:
        log.debug("book announcement lost", book_id=book_id, error=repr(error))
