"""A book read with its chapters and their jobs, and what the API returns for it (`BookPublic`)."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.orm import defer
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.schemas.book_quality import BookQuality, BookReport
from vocalio_shared.schemas.books import (
    BookEvent,
    BookLinks,
    BookMetadata,
    BookPublic,
    BookStatus,
    ChapterPublic,
    MatterKind,
    PinnedVoice,
)
from vocalio_shared.schemas.jobs import JobStatus

from vocalio_api.books import quality as qa
from vocalio_api.books import status as rules
from vocalio_api.books.content import book_settings, chapter_overrides, chapter_signature
from vocalio_api.models import Book, BookChapter, BookEventRow, Job, as_utc

BOOKS_PATH = "/api/v1/books"


@dataclass(frozen=True)
class ChapterState:
    row: BookChapter
    number: int | None  # 1-based among included chapters
    view: rules.ChapterView
    status: BookStatus
    progress: float


@dataclass(frozen=True)
class BookView:
    book: Book
    chapters: list[ChapterState]  # every section, reading order
    status: BookStatus
    progress: float
    chars_per_second: float

    @property
    def included(self) -> list[ChapterState]:
        return [chapter for chapter in self.chapters if chapter.row.included]

    def chapter(self, reference: str) -> ChapterState | None:
        """By number (among included chapters) or by id (set-aside matter has no number)."""
        if reference.isdigit():
            return next((c for c in self.chapters if c.number == int(reference)), None)
        return next((c for c in self.chapters if c.row.id == reference), None)


def _job_view(job: Job) -> rules.JobView:
    duration = (job.result or {}).get("duration_s")
    return rules.JobView(
        id=job.id,
        status=JobStatus(job.status),
        progress=job.progress,
        duration_s=float(duration) if duration is not None else None,
        started_at=as_utc(job.started_at),
        metrics=job.metrics,
        error=job.error,
        result=job.result,
    )


async def chapter_rows(session: AsyncSession, book_id: str) -> list[BookChapter]:
    """Without their text (up to MAX_BOOK_CHARS per book): every job event reads these rows."""
    query = (
        select(BookChapter)
        .where(BookChapter.book_id == book_id)
        .order_by(col(BookChapter.position))
        .options(defer(BookChapter.text, raiseload=True))  # type: ignore[arg-type]
    )
    return list((await session.exec(query)).all())


async def chapter_row(session: AsyncSession, chapter_id: str) -> BookChapter | None:
    """One chapter, fresh from the database, without its text."""
    query = (
        select(BookChapter)
        .where(BookChapter.id == chapter_id)
        .options(defer(BookChapter.text, raiseload=True))  # type: ignore[arg-type]
        .execution_options(populate_existing=True)
    )
    return (await session.exec(query)).first()


async def chapter_text(session: AsyncSession, chapter_id: str) -> str | None:
    query = select(BookChapter.text).where(BookChapter.id == chapter_id)
    return (await session.exec(query)).first()


async def chapter_jobs(session: AsyncSession, job_ids: list[str]) -> dict[str, Job]:
    if not job_ids:
        return {}
    query = select(Job).where(col(Job.id).in_(job_ids)).options(defer(Job.text, raiseload=True))  # type: ignore[arg-type]
    return {job.id: job for job in (await session.exec(query)).all()}


def assemble(book: Book, rows: list[BookChapter], jobs: dict[str, Job]) -> BookView:
    state = rules.BookState(book.state)
    chapters: list[ChapterState] = []
    number = 0
    for row in rows:
        job = jobs.get(row.job_id) if row.job_id else None
        view = rules.ChapterView(
            id=row.id,
            text_chars=row.text_chars,
            changed=row.job_signature != chapter_signature(book, row),
            job=_job_view(job) if job is not None else None,
        )
        status = rules.chapter_status(state, view)
        if row.included:
            number += 1
        chapters.append(
            ChapterState(row, number if row.included else None, view, status, rules.chapter_progress(status, view))
        )
    included = [c for c in chapters if c.row.included]
    views = [c.view for c in included]
    statuses = [c.status for c in included]
    return BookView(
        book=book,
        chapters=chapters,
        status=rules.book_status(state, statuses),
        progress=rules.book_progress(views, [c.progress for c in included]),
        chars_per_second=rules.chars_per_second(views, statuses),
    )


async def load_view(session: AsyncSession, book: Book, *, fresh: Job | None = None) -> BookView:
    """`fresh`: a chapter job changed in this transaction (its in-memory row is the newer one)."""
    rows = await chapter_rows(session, book.id)
    jobs = await chapter_jobs(session, [row.job_id for row in rows if row.job_id])
    if fresh is not None and fresh.id in jobs:
        jobs[fresh.id] = fresh
    return assemble(book, rows, jobs)


def book_links(book_id: str) -> BookLinks:
    base = f"{BOOKS_PATH}/{book_id}"
    return BookLinks(
        self=base,
        events=f"{base}/events",
        render=f"{base}/render",
        cancel=f"{base}/cancel",
        audio=f"{base}/audio",
        report=f"{base}/report",
    )


def finished_quality(chapter: ChapterState) -> qa.ChapterQuality | None:
    """The figures of a finished included chapter's job; None while it is not finished."""
    job = chapter.view.job
    if chapter.status != BookStatus.SUCCEEDED or chapter.number is None or job is None:
        return None
    return qa.chapter_quality(job.result)


def quality_of(view: BookView) -> dict[str, qa.ChapterQuality | None]:
    return {c.row.id: finished_quality(c) for c in view.included}


def book_quality(view: BookView, figures: dict[str, qa.ChapterQuality | None]) -> BookQuality:
    numbered = [(c.number, figures.get(c.row.id)) for c in view.included if c.number is not None]
    return qa.book_quality(book_settings(view.book).mastering_preset, numbered)


def book_report(view: BookView) -> BookReport:
    """`GET /books/{id}/report`: one row per included chapter, finished or not."""
    figures = quality_of(view)
    summary = book_quality(view, figures)
    flags = {row.number: row.flags for row in summary.drift}
    chapters = []
    for chapter in view.included:
        assert chapter.number is not None  # included chapters are numbered
        job = chapter.view.job
        quality = figures.get(chapter.row.id)
        duration = job.duration_s if quality is not None and job is not None else None
        drift = flags.get(chapter.number, [])
        row = qa.report_chapter(chapter.number, chapter.row.title, chapter.status.value, duration, quality, drift)
        chapters.append(row)
    title = BookMetadata.model_validate(view.book.book_metadata).title
    return BookReport(book_id=view.book.id, title=title, status=view.status.value, quality=summary, chapters=chapters)


def _chapter_public(
    view: BookView,
    chapter: ChapterState,
    start_s: float | None,
    now: datetime,
    quality: qa.ChapterQuality | None = None,
) -> ChapterPublic:
    row, job = chapter.row, chapter.view.job
    metrics = (job.metrics if job is not None else None) or {}
    synthesized_now = metrics.get("sentences_synthesized")
    cached_now = metrics.get("sentences_cached")
    finished = chapter.status == BookStatus.SUCCEEDED and chapter.number is not None
    base = f"{BOOKS_PATH}/{view.book.id}/chapters/{chapter.number}"
    duration = job.duration_s if finished and job is not None else None
    return ChapterPublic(
        id=row.id,
        number=chapter.number,
        title=row.title,
        kind=MatterKind(row.kind),
        included=row.included,
        source=row.source,
        status=chapter.status,
        progress=chapter.progress,
        eta_s=rules.running_eta_s(job, now) if job is not None and not chapter.view.changed else None,
        text_chars=row.text_chars,
        sentences=(synthesized_now or 0) + (cached_now or 0) if finished and synthesized_now is not None else None,
        sentences_synthesized=row.sentences_synthesized,
        sentences_cached=(cached_now or 0) if finished else 0,
        duration_s=duration,
        estimated_duration_s=round(row.text_chars / view.chars_per_second, 1),
        start_s=start_s,
        job_id=job.id if job is not None else None,
        settings=chapter_overrides(row),
        error=job.error if job is not None and chapter.status == BookStatus.FAILED else None,
        audio_url=f"{base}/audio" if finished else None,
        captions_url=f"{base}/captions" if finished else None,
        report=quality.report if quality else None,
        qa=quality.qa if quality else None,
        flagged=quality.flagged if quality else [],
        voice_stats=quality.voice_stats if quality else None,
        redraws=len(row.redraws or {}),
    )


def _without_timelines(figures: dict[str, qa.ChapterQuality | None]) -> dict[str, qa.ChapterQuality | None]:
    """A listing's chapters without their loudness timelines (hundreds of figures each, for the plot)."""
    stripped: dict[str, qa.ChapterQuality | None] = {}
    for chapter_id, quality in figures.items():
        if quality is not None and quality.report is not None and quality.report.timeline_lufs:
            report = quality.report.model_copy(update={"timeline_lufs": [], "timeline_step_s": None})
            quality = replace(quality, report=report)
        stripped[chapter_id] = quality
    return stripped


def book_public(view: BookView, now: datetime | None = None, *, timelines: bool = True) -> BookPublic:
    """`timelines=False` (the book list) leaves each chapter report's `timeline_lufs` empty."""
    now = now or datetime.now(UTC)
    book = view.book
    chapters: list[ChapterPublic] = []
    excluded: list[ChapterPublic] = []
    start: float | None = 0.0  # known while every earlier chapter is finished
    done_s = remaining_chars = 0.0
    figures = quality_of(view) if timelines else _without_timelines(quality_of(view))
    for chapter in view.chapters:
        if not chapter.row.included:
            excluded.append(_chapter_public(view, chapter, None, now))
            continue
        public = _chapter_public(view, chapter, start, now, figures.get(chapter.row.id))
        chapters.append(public)
        if public.duration_s is not None:
            done_s += public.duration_s
            start = None if start is None else start + public.duration_s
        else:
            remaining_chars += chapter.row.text_chars
            start = None
    estimated_s = done_s + remaining_chars / view.chars_per_second
    return BookPublic(
        id=book.id,
        status=view.status,
        progress=view.progress,
        metadata=BookMetadata.model_validate(book.book_metadata),
        settings=book_settings(book),
        source_format=book.source_format,
        has_cover=book.cover_path is not None,
        chapters=chapters,
        excluded=excluded,
        voice=PinnedVoice.model_validate(book.voice) if book.voice else None,
        seed=book.seed,
        audio_minutes_done=round(done_s / 60, 2),
        audio_minutes_estimated=round(estimated_s / 60, 2),
        eta_s=rules.book_eta_s(view.status, as_utc(book.started_at), view.progress, now),
        text_chars=sum(chapter.row.text_chars for chapter in view.included),
        warnings=list(book.warnings or []),
        created_at=as_utc(book.created_at),
        updated_at=as_utc(book.updated_at),
        started_at=as_utc(book.started_at),
        finished_at=as_utc(book.finished_at) if view.status == BookStatus.SUCCEEDED else None,
        quality=book_quality(view, figures) if any(figures.values()) else None,
        links=book_links(book.id),
    )


def book_event_public(row: BookEventRow) -> BookEvent:
    return BookEvent(
        seq=row.seq,
        book_id=row.book_id,
        type=row.type,
        status=BookStatus(row.status),
        progress=row.progress,
        chapter_id=row.chapter_id,
        data=row.data,
        created_at=as_utc(row.created_at),
    )
