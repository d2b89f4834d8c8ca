"""A book's delivery files, made from its chapters' masters in the background and served when ready.

Under data_dir/books/{id}/:
- `pieces/<master sha256[:16]>.m4a`: each chapter's AAC piece, made once per master, so an edit
  re-encodes only the chapter that changed and the m4b is re-muxed (`-c copy`) from the others;
- `chapters/<master sha256[:16]>.<mp3|wav|flac>`: the chapter's delivery file (tags included), in the
  book's `chapter_format` once the m4b is made, in any format when first asked for;
- `out/<build key>/`: the m4b (or its parts), the zips, the read-along EPUB, for one exact state
  of the book (its chapters' masters, titles, metadata, cover): a new state is a new key, and the
  older builds are removed once the new one is complete.

When a chapter job succeeds its AAC piece is made at once; when the whole book has succeeded its m4b
is muxed. A request for a file that is not made yet starts it and is
answered 409 AUDIO_NOT_READY with Retry-After: the work runs once per book and process (a lock per
book), every file is written beside its name and renamed, so a crash leaves no short file, and the
next request starts it again.
"""

import asyncio
import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import structlog
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.book_quality import BookReport
from vocalio_shared.schemas.books import BOOK_PART_MAX_S, BookAudioFormat, BookMetadata, BookSettings, ChapterFormat
from vocalio_shared.schemas.jobs import JobResult

from vocalio_api import temp_files
from vocalio_api.books import audiobook, quality
from vocalio_api.books.views import BookView, book_report, chapter_text, load_view
from vocalio_api.models import Book, Job
from vocalio_api.state import AppState
from vocalio_api.temp_files import write_atomic

log = structlog.get_logger("api.books.delivery")

RETRY_AFTER_S = 5
CHAPTER_EXTENSIONS = {ChapterFormat.MP3: "mp3", ChapterFormat.WAV: "wav", ChapterFormat.FLAC: "flac"}


class BookFile(StrEnum):
    """What `out/<key>/` holds: the three `BookAudioFormat`s and the read-along EPUB."""

    M4B = BookAudioFormat.M4B.value
    MP3_ZIP = BookAudioFormat.MP3_ZIP.value
    FLAC_ZIP = BookAudioFormat.FLAC_ZIP.value
    READ_ALONG = "read-along"


@dataclass(frozen=True)
class FinishedChapter:
    """A chapter whose job succeeded, with what the builders need from its row and its job."""

    audio: audiobook.ChapterAudio
    sha256: str  # of the master

    @property
    def stem(self) -> str:
        return self.sha256[:16]


@dataclass(frozen=True)
class BookSnapshot:
    """What a build reads, taken in one short transaction, so no session stays open while ffmpeg runs."""

    book_id: str
    directory: Path
    metadata: BookMetadata
    settings: BookSettings
    cover: bytes | None
    cover_media_type: str | None
    chapters: list[FinishedChapter]  # the succeeded ones, reading order
    included: int  # chapters to read, finished or not
    report: BookReport | None = None  # the quality report the zips carry

    @property
    def complete(self) -> bool:
        """Every included chapter succeeded."""
        return self.included > 0 and len(self.chapters) == self.included

    @property
    def key(self) -> str:
        """The build key: changes whenever a file of `out/` would."""
        material = {
            "chapters": [(c.audio.number, c.audio.title, c.sha256) for c in self.chapters],
            "metadata": self.metadata.model_dump(mode="json"),
            "cover": hashlib.sha256(self.cover).hexdigest() if self.cover else None,
            "part_max_s": BOOK_PART_MAX_S,
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:20]

    @property
    def out_dir(self) -> Path:
        return self.directory / "out" / self.key

    def piece(self, chapter: FinishedChapter) -> Path:
        return self.directory / "pieces" / f"{chapter.stem}.m4a"

    def chapter_file(self, chapter: FinishedChapter, fmt: ChapterFormat) -> Path:
        return self.directory / "chapters" / f"{chapter.stem}.{CHAPTER_EXTENSIONS[fmt]}"

    def tags(self, chapter: FinishedChapter) -> dict[str, str]:
        number, title = chapter.audio.number, chapter.audio.title
        return audiobook.chapter_tags(self.metadata, number=number, count=self.included, title=title)


def book_directory(state: AppState, book_id: str) -> Path:
    return state.settings.data_dir / "books" / book_id


async def sweep_abandoned_files(state: AppState) -> list[Path]:
    """Delete the temp files and scratch directories a killed writer left anywhere under
    data_dir/books (see temp_files); a live writer's, on this host or another, stay."""
    settings = state.settings
    root = settings.data_dir / "books"
    removed = await asyncio.to_thread(temp_files.sweep, [root], settings.abandoned_upload_after_s, recursive=True)
    if removed:
        files = [str(path.relative_to(root)) for path in removed]
        log.warning("removed abandoned book files", count=len(removed), files=files)
    return removed


async def snapshot(state: AppState, book_id: str) -> BookSnapshot | None:
    async with state.sessions() as session:
        book = await session.get(Book, book_id)
        if book is None:
            return None
        view = await load_view(session, book)
        jobs = {job_id: await session.get(Job, job_id) for job_id in _succeeded_job_ids(view)}
        texts = {c.row.id: await chapter_text(session, c.row.id) for c in view.included}  # rows load without it
    cover = Path(book.cover_path).read_bytes() if book.cover_path and Path(book.cover_path).exists() else None
    chapters = []
    for chapter in view.included:
        job = jobs.get(chapter.row.job_id or "")
        if job is None or not job.audio_path or not job.audio_sha256 or chapter.number is None:
            continue
        result = JobResult.model_validate(job.result) if job.result else None
        audio = audiobook.ChapterAudio(
            number=chapter.number,
            title=chapter.row.title,
            master_path=Path(job.audio_path),
            duration_s=result.duration_s if result else 0.0,
            segments=[s.model_copy(update={"text": s.source_text}) if s.source_text else s for s in result.segments]
            if result
            else [],
            text=texts.get(chapter.row.id),
        )
        chapters.append(FinishedChapter(audio, job.audio_sha256))
    return BookSnapshot(
        book_id=book.id,
        directory=book_directory(state, book.id),
        metadata=BookMetadata.model_validate(book.book_metadata),
        settings=BookSettings.model_validate(book.settings),
        cover=cover,
        cover_media_type=book.cover_media_type,
        chapters=chapters,
        included=len(view.included),
        report=book_report(view),
    )


def _succeeded_job_ids(view: BookView) -> list[str]:
    return [c.row.job_id for c in view.included if c.row.job_id and c.status.value == "succeeded"]


# --- the blocking builders (run in a thread) -----------------------------------------------------


def ensure_piece(book: BookSnapshot, chapter: FinishedChapter) -> Path:
    path = book.piece(chapter)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        audiobook.encode_aac(chapter.audio.master_path, path)
    return path


def ensure_chapter_file(book: BookSnapshot, chapter: FinishedChapter, fmt: ChapterFormat) -> Path:
    path = book.chapter_file(chapter, fmt)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        audiobook.encode_chapter(chapter.audio.master_path, fmt, path, book.tags(chapter))
    return path


def built_files(book: BookSnapshot, kind: BookFile) -> list[Path] | None:
    """The finished files of `kind` for this exact state of the book, or None."""
    directory = book.out_dir / kind.value
    marker = directory / "files.json"
    if not marker.exists():
        return None
    return [directory / name for name in json.loads(marker.read_text())]


def build(book: BookSnapshot, kind: BookFile) -> list[Path]:
    """Make `kind` for the whole book (its chapters' pieces and files first, each made once)."""
    directory = book.out_dir / kind.value
    directory.mkdir(parents=True, exist_ok=True)
    chapters = [c.audio for c in book.chapters]
    if kind == BookFile.M4B:
        pieces = [ensure_piece(book, chapter) for chapter in book.chapters]
        files = audiobook.build_m4b(chapters, pieces, book.metadata, book.cover, book.cover_media_type, directory)
    elif kind in (BookFile.MP3_ZIP, BookFile.FLAC_ZIP):
        fmt = ChapterFormat.MP3 if kind == BookFile.MP3_ZIP else ChapterFormat.FLAC
        sources = [ensure_chapter_file(book, chapter, fmt) for chapter in book.chapters]
        name = audiobook.safe_filename(book.metadata.title) + ".zip"
        extras = _report_files(book.report)
        files = [
            audiobook.build_book_zip(
                chapters,
                sources,
                directory / name,
                cover=book.cover,
                cover_media_type=book.cover_media_type,
                extras=extras,
            )
        ]
    else:
        sources = [ensure_chapter_file(book, chapter, ChapterFormat.MP3) for chapter in book.chapters]
        name = audiobook.safe_filename(book.metadata.title) + ".epub"
        files = [audiobook.build_overlay_epub(book.metadata, book.cover, chapters, sources, directory / name)]
    write_atomic(directory / "files.json", json.dumps([path.name for path in files]).encode())
    _drop_older_builds(book)
    return files


def _report_files(report: BookReport | None) -> list[tuple[str, bytes]]:
    if report is None:
        return []
    return [("report.json", quality.report_json(report)), ("report.csv", quality.report_csv(report))]


def _drop_older_builds(book: BookSnapshot) -> None:
    """Keep only this state's `out/` (the pieces and chapter files stay: other states share them)."""
    for other in (book.directory / "out").iterdir():
        if other.is_dir() and other.name != book.key:
            shutil.rmtree(other, ignore_errors=True)


def prepare_chapters(book: BookSnapshot) -> None:
    """Each finished chapter's AAC piece, made once, so the m4b is a re-mux away when the last
    chapter succeeds. Chapter delivery files (mp3, ...) are made when first asked for: encoding them
    too would double the encoding work that runs beside the synthesis (measured: the m4b then lags
    the last chapter by about a minute per 0.4 h of audio on 2 cores)."""
    for chapter in book.chapters:
        ensure_piece(book, chapter)


def prepare_chapter_files(book: BookSnapshot, interrupted: Callable[[], bool]) -> None:
    """The book's own chapter format (`settings.chapter_format`) for every chapter, once the m4b is
    made: a chapter download is then a file that is there already. Stops between chapters when new
    work for the book arrives (an edit's m4b must not wait for the whole book's mp3s)."""
    for chapter in book.chapters:
        if interrupted():
            return
        ensure_chapter_file(book, chapter, book.settings.chapter_format)


# --- one worker per book and process ---------------------------------------------------------------

_running: dict[str, asyncio.Task[None]] = {}
_wanted: dict[str, set[BookFile]] = {}


def schedule(state: AppState, book_id: str, *kinds: BookFile) -> None:
    """Make the finished chapters' files, then `kinds` of the whole book, in the background."""
    _wanted.setdefault(book_id, set()).update(kinds)
    task = _running.get(book_id)
    if task is not None and not task.done():
        return  # the running task looks at _wanted again before it ends
    task = asyncio.get_running_loop().create_task(_work(state, book_id))
    _running[book_id] = task


async def _work(state: AppState, book_id: str) -> None:
    try:
        while True:
            kinds = _wanted.pop(book_id, set())
            book = await snapshot(state, book_id)
            if book is None:
                return
            await asyncio.to_thread(prepare_chapters, book)
            for kind in sorted(kinds) if book.complete else []:
                if built_files(book, kind) is None:
                    started = asyncio.get_running_loop().time()
                    files = await asyncio.to_thread(build, book, kind)
                    elapsed = asyncio.get_running_loop().time() - started
                    log.info("book_files_built", book_id=book_id, kind=kind.value, files=len(files), s=round(elapsed))
            if book.complete and not _wanted.get(book_id):  # last, so the m4b never waits on them
                await asyncio.to_thread(prepare_chapter_files, book, lambda: bool(_wanted.get(book_id)))
            if not _wanted.get(book_id):
                return
    except Exception as error:
        log.warning("book_files_failed", book_id=book_id, error=repr(error))
    finally:
        _running.pop(book_id, None)


async def book_files(state: AppState, book_id: str, kind: BookFile) -> list[Path]:
    """The files of `kind` when made for the book as it is now; else start making them and 409."""
    book = await snapshot(state, book_id)
    if book is None:
        raise VocalioError(ErrorCode.BOOK_NOT_FOUND, f"no book {book_id}", {"book_id": book_id})
    if not book.complete:
        raise VocalioError(
            ErrorCode.AUDIO_NOT_READY,
            "the book is not finished: every included chapter must succeed first",
            {"chapters_done": len(book.chapters), "assembling": False},
        )
    files = built_files(book, kind)
    if files is not None and all(path.exists() for path in files):
        return files
    schedule(state, book_id, kind)
    raise VocalioError(
        ErrorCode.AUDIO_NOT_READY,
        f"the book's {kind.value} is being assembled; ask again shortly",
        {"assembling": True, "retry_after_s": RETRY_AFTER_S},
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


async def chapter_file(state: AppState, book_id: str, number: int, fmt: ChapterFormat) -> Path:
    book = await snapshot(state, book_id)
    chapter = next((c for c in book.chapters if c.audio.number == number), None) if book else None
    if book is None or chapter is None:
        raise VocalioError(ErrorCode.AUDIO_NOT_READY, f"chapter {number} is not finished", {"chapter": number})
    # One chapter encodes in seconds (mp3: about 65x real time on one core), made once per master.
    return await asyncio.to_thread(ensure_chapter_file, book, chapter, fmt)


async def parts_zip(parts: list[Path]) -> Path:
    """The parts of a long book in one (stored, zip64) archive beside them, made once."""
    out = parts[0].parent / "parts.zip"
    if not out.exists():
        await asyncio.to_thread(audiobook.build_zip, [(part.name, part) for part in parts], out)
    return out
