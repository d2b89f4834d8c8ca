"""The live view of a rendering book: one bar for the book, one per chapter being worked on.

A book may have hundreds of chapters: finished ones leave the screen (the book's bar counts them),
and only the first `MAX_CHAPTER_BARS` unfinished chapters have a bar of their own.
"""

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from vocalio_shared.schemas.books import BookPublic, BookStatus, ChapterPublic

MAX_CHAPTER_BARS = 8


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"ETA {hours}:{minutes:02d}:{secs:02d}" if hours else f"ETA {minutes}:{secs:02d}"


def book_line(book: BookPublic) -> str:
    """`synthesizing · 12/30 chapters · 41.2/95.0 min audio · ETA 12:03`"""
    done = sum(1 for chapter in book.chapters if chapter.status is BookStatus.SUCCEEDED)
    parts = [book.status.value, f"{done}/{len(book.chapters)} chapters"]
    estimated = f"{book.audio_minutes_estimated:.1f}" if book.audio_minutes_estimated else "?"
    parts.append(f"{book.audio_minutes_done:.1f}/{estimated} min audio")
    if book.eta_s is not None and book.status not in (BookStatus.SUCCEEDED, BookStatus.PAUSED):
        parts.append(_eta(book.eta_s))
    return " · ".join(parts)


def chapter_label(chapter: ChapterPublic) -> str:
    title = chapter.title if len(chapter.title) <= 40 else chapter.title[:39] + "…"
    return f"  {chapter.number or '-':>3}. {title}"


class BookProgress:
    def __init__(self, console: Console) -> None:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[line]}"),
            TimeElapsedColumn(),
        )
        self.progress = Progress(*columns, console=console, transient=False)
        self.book_task: TaskID | None = None
        self.chapter_tasks: dict[str, TaskID] = {}

    def __enter__(self) -> "BookProgress":
        self.progress.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.progress.__exit__(kind, error, trace)

    def update(self, book: BookPublic) -> None:
        if self.book_task is None:
            self.book_task = self.progress.add_task(book.metadata.title[:50], total=100, line="")
        self.progress.update(self.book_task, completed=book.progress, line=book_line(book))
        unfinished = [chapter for chapter in book.chapters if chapter.status is not BookStatus.SUCCEEDED]
        shown = {chapter.id for chapter in unfinished[:MAX_CHAPTER_BARS]}
        for chapter in book.chapters:
            task = self.chapter_tasks.get(chapter.id)
            if chapter.id not in shown:
                if task is not None:  # finished (or out of the window): off the screen
                    self.progress.update(task, completed=chapter.progress, visible=False)
                continue
            line = chapter.status.value + (f" · {_eta(chapter.eta_s)}" if chapter.eta_s else "")
            if task is None:
                task = self.progress.add_task(chapter_label(chapter), total=100, line=line)
                self.chapter_tasks[chapter.id] = task
            self.progress.update(task, completed=chapter.progress, line=line, visible=True)
