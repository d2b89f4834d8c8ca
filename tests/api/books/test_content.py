"""What a chapter job renders: effective settings and the signature that decides a re-render."""

from datetime import UTC, datetime

from vocalio_api.books.content import chapter_job, chapter_signature, effective_settings
from vocalio_api.models import Book, BookChapter, text_sha256
from vocalio_shared.schemas.books import BookSettings
from vocalio_shared.schemas.jobs import Priority

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def book(**settings: object) -> Book:
    return Book(
        id="b",
        api_key_id="k",
        state="rendering",
        announced_status="draft",
        book_metadata={"title": "T"},
        settings=BookSettings.model_validate(settings).model_dump(mode="json"),
        source_format="json",
        seed=42,
        voice={"reference": None, "voice_id": "v1", "sha256": "a" * 64, "transcript_sha256": "b" * 64},
        text_chars=10,
        created_at=NOW,
        updated_at=NOW,
    )


def chapter(text: str = "Hola. Adiós.", title: str = "Uno", **overrides: object) -> BookChapter:
    return BookChapter(
        id="c",
        book_id="b",
        position=0,
        title=title,
        text=text,
        text_chars=len(text),
        text_sha256=text_sha256(text),
        kind="chapter",
        settings=overrides or None,
        updated_at=NOW,
    )


def test_overrides_merge_over_the_book_settings_field_by_field() -> None:
    merged = effective_settings(book(speed=1.2, nfe_step=20), chapter(nfe_step=40))
    assert (merged.speed, merged.nfe_step) == (1.2, 40)


def test_the_signature_changes_with_what_changes_the_audio_only() -> None:
    base = chapter_signature(book(), chapter())
    assert chapter_signature(book(), chapter()) == base
    assert chapter_signature(book(), chapter(text="Hola. Adiós!")) != base
    assert chapter_signature(book(), chapter(title="Dos")) != base
    assert chapter_signature(book(read_titles=False), chapter(title="Dos")) == chapter_signature(
        book(read_titles=False), chapter()
    )
    assert chapter_signature(book(speed=1.1), chapter()) != base
    assert chapter_signature(book(), chapter(speed=1.1)) != base
    assert chapter_signature(book(chapter_format="flac"), chapter()) == base  # delivery only
    seeded = book()
    seeded.seed = 43
    assert chapter_signature(seeded, chapter()) != base


def test_the_job_request_is_a_bulk_flac_master_with_its_render_spec() -> None:
    body, spec = chapter_job(book(speed=0.9), chapter(), "Hola. Adiós.", 1)
    assert body.priority == Priority.BULK and body.output_format == "flac" and body.sample_rate == 44100
    assert body.voice == "v1" and body.speed == 0.9 and body.text == "Hola. Adiós."
    assert (spec.book_id, spec.chapter_id, spec.title, spec.book_seed) == ("b", "c", "Uno", 42)
    assert spec.voice_sha256 == "a" * 64
    _, untitled = chapter_job(book(read_titles=False), chapter(), "Hola.", 1)
    assert untitled.title is None
