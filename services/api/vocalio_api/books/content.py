"""What a chapter job renders: the chapter's effective settings (book settings with the chapter's
overrides on top), its signature, and the job request made from them.

The signature hashes everything that decides a chapter's audio: text, the title when it is read,
effective settings, the pinned voice, the book seed, the mastering preset and the sentences a user
asked to render again. A chapter whose signature differs from the one its job was made with has
changed and needs a new job; any other chapter keeps its job.
"""

import hashlib
import json
from typing import Any

from vocalio_shared.schemas.books import BookSettings, PinnedVoice, SynthesisOverrides
from vocalio_shared.schemas.jobs import ChapterRender, JobCreate, OutputFormat, Priority

from vocalio_api.models import Book, BookChapter

CHAPTER_OUTPUT_FORMAT = OutputFormat.FLAC  # the chapter master; delivery encodings are made from it
CHAPTER_SAMPLE_RATE = 44100  # ACX delivery rate: no resampling between master and delivery files


def book_settings(book: Book) -> BookSettings:
    return BookSettings.model_validate(book.settings)


def chapter_overrides(chapter: BookChapter) -> SynthesisOverrides | None:
    return SynthesisOverrides.model_validate(chapter.settings) if chapter.settings else None


def effective_settings(book: Book, chapter: BookChapter) -> BookSettings:
    """The book's settings with the chapter's overrides (only the fields it sets) on top."""
    settings = book_settings(book)
    overrides = chapter_overrides(chapter)
    if overrides is None:
        return settings
    # Validated again, not model_copy(update=...): that would leave the lexicon as plain dicts.
    return BookSettings.model_validate(settings.model_dump() | overrides.model_dump(exclude_none=True))


def pinned_voice(book: Book, chapter: BookChapter) -> PinnedVoice | None:
    """The voice this chapter renders with: its own override's pin, else the book's."""
    overrides = chapter_overrides(chapter)
    pin = chapter.pinned_voice if overrides is not None and overrides.voice else book.voice
    return PinnedVoice.model_validate(pin) if pin else None


def pin_reference(pin: dict[str, Any] | None) -> str | None:
    """What the pin was resolved from (a voice id or name, or None for the region default)."""
    return None if pin is None else pin.get("reference")


def _sentence_material(book: Book, chapter: BookChapter) -> dict[str, Any]:
    """What decides every sentence's key but its text: a change makes every draw-0 key new."""
    settings = effective_settings(book, chapter)
    voice = pinned_voice(book, chapter)
    return {
        "voice": settings.voice,
        "pinned": None if voice is None else [voice.voice_id, voice.sha256, voice.transcript_sha256],
        "region": settings.region.value,
        "speed": settings.speed,
        "nfe_step": settings.nfe_step,
        "lexicon": [entry.model_dump() for entry in settings.lexicon or []],
        "seed": book.seed,
    }


def _digest(material: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(material, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def voice_fingerprint(book: Book, chapter: BookChapter) -> str:
    """Names the sentence keys a chapter's settings give: a redraw recorded under another
    fingerprint names keys the worker no longer plans, so it is not sent."""
    return _digest(_sentence_material(book, chapter))[:16]


def redraw_from(book: Book, chapter: BookChapter) -> dict[str, int]:
    """`ChapterRender.redraw_from`: the first draw per draw-0 key, for the chapter's current settings."""
    fingerprint = voice_fingerprint(book, chapter)
    entries = (chapter.redraws or {}).items()
    return {key: int(entry["draw"]) for key, entry in entries if entry.get("voice") == fingerprint}


def chapter_signature(book: Book, chapter: BookChapter) -> str:
    settings = effective_settings(book, chapter)
    material = _sentence_material(book, chapter) | {
        "text": chapter.text_sha256,
        "title": chapter.title if settings.read_titles else None,
        "mastering_preset": settings.mastering_preset,  # assembly only: the sentences stay cached
    }
    redraws = redraw_from(book, chapter)
    if redraws:
        material["redraws"] = redraws
    return _digest(material)


def chapter_job(book: Book, chapter: BookChapter, text: str, number: int) -> tuple[JobCreate, ChapterRender]:
    """The job request for one included chapter (bulk lane, FLAC master at 44.1 kHz); `text` is the
    chapter's (rows are read without it)."""
    settings = effective_settings(book, chapter)
    voice = pinned_voice(book, chapter)
    assert book.seed is not None, "a book is seeded at its first render"
    body = JobCreate(
        text=text,
        priority=Priority.BULK,
        output_format=CHAPTER_OUTPUT_FORMAT,
        sample_rate=CHAPTER_SAMPLE_RATE,
        voice=voice.voice_id if voice is not None and voice.voice_id else settings.voice,
        region=settings.region,
        speed=settings.speed,
        nfe_step=settings.nfe_step,
        lexicon=settings.lexicon,
        metadata={"book_id": book.id, "chapter_id": chapter.id, "chapter_number": number},
    )
    render = ChapterRender(
        book_id=book.id,
        chapter_id=chapter.id,
        title=chapter.title if settings.read_titles else None,
        book_seed=book.seed,
        voice_sha256=voice.sha256 if voice is not None else None,
        mastering_preset=settings.mastering_preset,
        redraw_from=redraw_from(book, chapter),
    )
    return body, render
