"""A book's status and figures from its chapters' jobs, checked without a server."""

from datetime import UTC, datetime, timedelta

import pytest
from vocalio_api.books.status import (
    CHARS_PER_SECOND,
    BookState,
    ChapterView,
    JobView,
    book_eta_s,
    book_progress,
    book_status,
    chapter_progress,
    chapter_status,
    chars_per_second,
    running_eta_s,
)
from vocalio_shared.schemas.books import BookStatus as B
from vocalio_shared.schemas.jobs import JobStatus as J

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def chapter(
    status: J | None, *, progress: float = 0, chars: int = 100, changed: bool = False, **job: object
) -> ChapterView:
    view = None
    if status is not None:
        fields = {"duration_s": None, "started_at": None, "metrics": None, "error": None} | job
        view = JobView(id="j", status=status, progress=progress, **fields)  # type: ignore[arg-type]
    return ChapterView(id="c", text_chars=chars, changed=changed, job=view)


@pytest.mark.parametrize(
    ("state", "view", "expected"),
    [
        (BookState.RENDERING, chapter(None), B.DRAFT),
        (BookState.RENDERING, chapter(J.SUCCEEDED, changed=True), B.DRAFT),  # edited since
        (BookState.RENDERING, chapter(J.SYNTHESIZING, changed=True), B.SYNTHESIZING),  # still its old render
        (BookState.RENDERING, chapter(J.SUCCEEDED), B.SUCCEEDED),
        (BookState.PAUSED, chapter(J.CANCELLED), B.PAUSED),
        (BookState.RENDERING, chapter(J.CANCELLED), B.CANCELLED),
        (BookState.RENDERING, chapter(J.ENCODING), B.ENCODING),
    ],
)
def test_chapter_status(state: BookState, view: ChapterView, expected: B) -> None:
    assert chapter_status(state, view) == expected


@pytest.mark.parametrize(
    ("state", "statuses", "expected"),
    [
        (BookState.DRAFT, [B.DRAFT, B.DRAFT], B.DRAFT),
        (BookState.RENDERING, [B.SUCCEEDED, B.PREPARING, B.QUEUED], B.SYNTHESIZING),
        (BookState.RENDERING, [B.SUCCEEDED, B.QUEUED], B.QUEUED),
        (BookState.RENDERING, [B.SUCCEEDED, B.SUCCEEDED], B.SUCCEEDED),
        (BookState.RENDERING, [B.SUCCEEDED, B.FAILED], B.FAILED),
        (BookState.RENDERING, [B.FAILED, B.SYNTHESIZING], B.SYNTHESIZING),  # failed only once none runs
        (BookState.RENDERING, [B.SUCCEEDED, B.CANCELLED], B.CANCELLED),
        (BookState.RENDERING, [B.SUCCEEDED, B.DRAFT], B.DRAFT),  # an edited chapter waits for render
        (BookState.PAUSED, [B.SUCCEEDED, B.SYNTHESIZING], B.SYNTHESIZING),  # until the running one stops
        (BookState.PAUSED, [B.SUCCEEDED, B.PAUSED], B.PAUSED),
        (BookState.PAUSED, [B.SUCCEEDED, B.SUCCEEDED], B.PAUSED),
        (BookState.CANCELLED, [B.SUCCEEDED, B.PAUSED], B.CANCELLED),
    ],
)
def test_book_status(state: BookState, statuses: list[B], expected: B) -> None:
    assert book_status(state, statuses) == expected


def test_progress_weighs_chapters_by_their_characters() -> None:
    views = [chapter(J.SUCCEEDED, chars=300), chapter(J.SYNTHESIZING, progress=50, chars=100), chapter(None, chars=600)]
    progresses = [chapter_progress(chapter_status(BookState.RENDERING, v), v) for v in views]
    assert progresses == [100.0, 50.0, 0.0]
    assert book_progress(views, progresses) == 35.0
    stale = chapter(J.SUCCEEDED, progress=100, changed=True)
    assert chapter_progress(chapter_status(BookState.RENDERING, stale), stale) == 0.0


def test_the_narration_rate_comes_from_finished_chapters() -> None:
    assert chars_per_second([chapter(None)], [B.DRAFT]) == CHARS_PER_SECOND
    done = [chapter(J.SUCCEEDED, chars=600, duration_s=40.0), chapter(J.SUCCEEDED, chars=400, duration_s=60.0)]
    assert chars_per_second(done, [B.SUCCEEDED, B.SUCCEEDED]) == 10.0


def test_etas_from_the_pace_so_far() -> None:
    running = chapter(J.SYNTHESIZING, progress=25, started_at=NOW - timedelta(seconds=30)).job
    assert running is not None and running_eta_s(running, NOW) == 90.0
    queued = chapter(J.QUEUED).job
    assert queued is not None and running_eta_s(queued, NOW) is None
    assert book_eta_s(B.SYNTHESIZING, NOW - timedelta(seconds=60), 40.0, NOW) == 90.0
    assert book_eta_s(B.SUCCEEDED, NOW - timedelta(seconds=60), 100.0, NOW) is None
