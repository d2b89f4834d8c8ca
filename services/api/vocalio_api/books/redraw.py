"""A user's "render again" for one sentence of a finished book: the sentence's next draw is
recorded in its chapter (`BookChapter.redraws`), and that chapter alone is rendered again with
`ChapterRender.redraw_from`: the worker draws that one sentence with a new seed, takes every other
sentence from the cache, and the m4b is re-muxed as after an edit.

Redraws are recorded by the sentence's draw-0 key (the key the worker plans for it). A segment's
`key` is the key it was stored under: the draw-0 key at first, the key of its first new draw after a
redraw. So each entry keeps the keys the sentence was seen under and its spoken text, and a later
redraw of the same sentence finds its entry again and counts on from where it left off.
"""

from datetime import UTC, datetime
from typing import Any

import structlog
from sqlmodel.ext.asyncio.session import AsyncSession
from vocalio_shared.books import normalized_sentence
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.books import BookStatus
from vocalio_shared.schemas.jobs import JobResult, Segment

from vocalio_api.auth import Caller
from vocalio_api.books import render
from vocalio_api.books.content import voice_fingerprint
from vocalio_api.books.events import lock_book
from vocalio_api.books.service import chapter_not_found
from vocalio_api.books.views import BookView, load_view
from vocalio_api.models import Job
from vocalio_api.state import AppState

log = structlog.get_logger("api.books")


def _entry_for(entries: dict[str, Any], segment: Segment, fingerprint: str) -> tuple[str, dict[str, Any] | None]:
    """The sentence's draw-0 key and its entry (None before its first redraw)."""
    assert segment.key is not None
    current = [(key, entry) for key, entry in entries.items() if entry.get("voice") == fingerprint]
    for key, entry in current:
        if segment.key == key or segment.key in entry.get("keys", []):
            return key, entry
    text = normalized_sentence(segment.text)
    for key, entry in current:  # re-rendered since its last redraw: stored under a key not seen yet
        if entry.get("text") == text:
            return key, entry
    return segment.key, None


def next_redraw(entries: dict[str, Any], segment: Segment, fingerprint: str) -> tuple[str, dict[str, Any]]:
    """The draw-0 key and the new entry: the next render starts after every draw made so far."""
    assert segment.key is not None
    key, entry = _entry_for(entries, segment, fingerprint)
    start = int(entry["draw"]) if entry else 0
    made = segment.qa.draws if segment.qa is not None else 1
    kept = segment.qa.draw if segment.qa is not None else start
    keys = sorted({*(entry or {}).get("keys", []), segment.key} - {key})
    draw = max(start + made, kept + 1)
    return key, {"draw": draw, "text": normalized_sentence(segment.text), "keys": keys, "voice": fingerprint}


async def redraw_sentence(
    state: AppState, session: AsyncSession, caller: Caller, book_id: str, reference: str, index: int
) -> tuple[BookView, int]:
    """Record the redraw and render the chapter again; the view after it, and the draw asked for."""
    book = await lock_book(session, book_id)
    if book is None:
        raise VocalioError(ErrorCode.BOOK_NOT_FOUND, f"book {book_id} not found", {"book_id": book_id})
    view = await load_view(session, book)
    chapter = view.chapter(reference)
    if chapter is None or not chapter.row.included:
        raise chapter_not_found(book_id, reference)
    if view.status != BookStatus.SUCCEEDED:
        raise VocalioError(
            ErrorCode.INVALID_STATE,
            f"a sentence is rendered again once the book is finished (it is {view.status})",
            {"status": view.status.value},
        )
    job = await session.get(Job, chapter.row.job_id) if chapter.row.job_id else None
    segments = JobResult.model_validate(job.result).segments if job is not None and job.result else []
    if not 0 <= index < len(segments):
        raise VocalioError(
            ErrorCode.NOT_FOUND,
            f"chapter {reference} has no sentence {index} (it has {len(segments)})",
            {"chapter": reference, "index": index, "sentences": len(segments)},
        )
    segment = segments[index]
    if segment.key is None:
        raise VocalioError(
            ErrorCode.INVALID_STATE,
            f"sentence {index} has no cache key (its worker did not report one): render the chapter instead",
            {"chapter": reference, "index": index},
        )
    row = chapter.row
    entries = dict(row.redraws or {})
    key, entry = next_redraw(entries, segment, voice_fingerprint(book, row))
    entries[key] = entry
    row.redraws = entries  # a new dict: the JSON column is written only when reassigned
    row.updated_at = datetime.now(UTC)
    session.add(row)
    await session.commit()
    log.info("sentence redraw", book_id=book_id, chapter=chapter.number, index=index, key=key, draw=entry["draw"])
    return await render.render_book(state, session, caller, book_id), int(entry["draw"])
