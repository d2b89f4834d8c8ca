"""A book's status, progress, audio minutes and ETA, computed from its chapters' jobs.

The jobs are the truth: a book row only says what the client asked last (`BookState`). Pure
functions over small views, so the rules are tested without a server:

- a chapter is `draft` with no job, or when its content changed since its job finished; else its
  job's status (`paused` for a job cancelled by a pause);
- the book is `draft` until its first render; `synthesizing` while any chapter job runs, `queued`
  while any waits; then `paused` / `cancelled` when the client asked so; `succeeded` when every
  included chapter succeeded; `failed` when any failed; `cancelled` when any was cancelled;
  otherwise (an edited or added chapter waits for a render) `draft`.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from vocalio_shared.schemas.books import BookStatus
from vocalio_shared.schemas.jobs import JobStatus

# Spanish narration at speed 1.0 runs at about 14 characters a second (~150 words a minute); once
# chapters are finished, their own figure replaces it.
CHARS_PER_SECOND = 14.0


class BookState(StrEnum):
    """What the client asked last."""

    DRAFT = "draft"  # never rendered
    RENDERING = "rendering"
    PAUSED = "paused"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class JobView:
    """The part of a chapter job's row the aggregation reads."""

    id: str
    status: JobStatus
    progress: float
    duration_s: float | None
    started_at: datetime | None
    metrics: dict | None
    error: dict | None
    result: dict | None = None  # JobResult as stored (the chapter's report, segments with QA)


@dataclass(frozen=True)
class ChapterView:
    id: str
    text_chars: int
    changed: bool  # its content differs from what its job renders
    job: JobView | None


def chapter_status(state: BookState, chapter: ChapterView) -> BookStatus:
    job = chapter.job
    if job is None:
        return BookStatus.DRAFT
    if job.status.terminal and chapter.changed:
        return BookStatus.DRAFT
    if job.status == JobStatus.CANCELLED and state == BookState.PAUSED:
        return BookStatus.PAUSED
    return BookStatus(job.status.value)


def chapter_progress(status: BookStatus, chapter: ChapterView) -> float:
    if status == BookStatus.SUCCEEDED:
        return 100.0
    if status == BookStatus.DRAFT or chapter.job is None:
        return 0.0
    return max(0.0, min(100.0, chapter.job.progress))


def book_status(state: BookState, statuses: list[BookStatus]) -> BookStatus:
    if state == BookState.DRAFT:
        return BookStatus.DRAFT
    present = set(statuses)
    if present & {BookStatus.PREPARING, BookStatus.SYNTHESIZING, BookStatus.ENCODING}:
        return BookStatus.SYNTHESIZING
    if BookStatus.QUEUED in present:
        return BookStatus.QUEUED
    if state == BookState.PAUSED:
        return BookStatus.PAUSED
    if state == BookState.CANCELLED:
        return BookStatus.CANCELLED
    if statuses and present == {BookStatus.SUCCEEDED}:
        return BookStatus.SUCCEEDED
    if BookStatus.FAILED in present:
        return BookStatus.FAILED
    if BookStatus.CANCELLED in present or BookStatus.PAUSED in present:
        return BookStatus.CANCELLED
    return BookStatus.DRAFT


def book_progress(chapters: list[ChapterView], progresses: list[float]) -> float:
    """Chapters weigh by their characters."""
    total = sum(chapter.text_chars for chapter in chapters)
    if total == 0:
        return 0.0
    done = sum(chapter.text_chars * progress for chapter, progress in zip(chapters, progresses, strict=True))
    return round(min(100.0, done / total), 2)


def chars_per_second(chapters: list[ChapterView], statuses: list[BookStatus]) -> float:
    """Narration rate from the finished chapters of this book; the default until one is finished."""
    chars = seconds = 0.0
    for chapter, status in zip(chapters, statuses, strict=True):
        if status == BookStatus.SUCCEEDED and chapter.job is not None and chapter.job.duration_s:
            chars += chapter.text_chars
            seconds += chapter.job.duration_s
    return chars / seconds if chars > 0 and seconds > 0 else CHARS_PER_SECOND


def running_eta_s(job: JobView, now: datetime) -> float | None:
    """Remaining time of a running job, from its own pace so far."""
    if job.started_at is None or not job.status.running or job.progress <= 0:
        return None
    elapsed = (now - job.started_at).total_seconds()
    return max(0.0, elapsed * (100.0 - job.progress) / job.progress)


def book_eta_s(status: BookStatus, started_at: datetime | None, progress: float, now: datetime) -> float | None:
    """Remaining time of a rendering book, from its pace since the render started (rough: chapters
    found in the sentence cache make the start look fast)."""
    if status not in (BookStatus.QUEUED, BookStatus.SYNTHESIZING) or started_at is None or progress <= 0:
        return None
    elapsed = (now - started_at).total_seconds()
    return max(0.0, elapsed * (100.0 - progress) / progress)
