"""A book's contract: what a client submits, what it reads back, what a chapter job carries.

A book is imported (JSON chapters, EPUB or TXT) as a `draft`; the client confirms or edits the
structure, then `POST /api/v1/books/{id}/render` turns every included chapter into one job on the
bulk lane (`JobSpec.chapter` set). A chapter job renders sentence by sentence through the content-
addressed sentence cache (`vocalio_shared.books`), so a crash or an edit never redoes finished work.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vocalio_shared.regions import RegionChoice
from vocalio_shared.schemas.book_quality import (
    DEFAULT_MASTERING_PRESET,
    MASTERING_PRESETS,
    BookQuality,
    ChapterQA,
    FlaggedSentence,
)
from vocalio_shared.schemas.jobs import (
    MAX_LEXICON_ENTRIES,
    NFE_STEP_MAX,
    NFE_STEP_MIN,
    SPEED_MAX,
    SPEED_MIN,
    JobStatus,
    LexiconEntry,
    speakable,
)
from vocalio_shared.schemas.quality import AudioReport, VoiceStats

# Limits (documented in docs/api/limits.md; enforced with BOOK_* error codes).
MAX_BOOK_UPLOAD_BYTES = 100 * 1024 * 1024  # the EPUB/TXT file as sent
MAX_BOOK_UNPACKED_BYTES = 300 * 1024 * 1024  # all zip members together, once inflated
MAX_EPUB_MEMBERS = 5000
MAX_EPUB_COMPRESSION_RATIO = 200  # inflated/compressed, per member: zip bombs go beyond it
MAX_CHAPTERS = 500
MAX_CHAPTER_CHARS = 200_000
MAX_BOOK_CHARS = 3_000_000  # about 55 hours of narration
MAX_COVER_BYTES = 10 * 1024 * 1024
BOOK_PART_MAX_S = 12 * 3600  # m4b files are split into parts beyond this


class BookStatus(StrEnum):
    """The job statuses plus `draft` (imported, waiting for render) and `paused`."""

    DRAFT = "draft"
    QUEUED = JobStatus.QUEUED.value
    PREPARING = JobStatus.PREPARING.value
    SYNTHESIZING = JobStatus.SYNTHESIZING.value
    ENCODING = JobStatus.ENCODING.value
    PAUSED = "paused"
    SUCCEEDED = JobStatus.SUCCEEDED.value
    FAILED = JobStatus.FAILED.value
    CANCELLED = JobStatus.CANCELLED.value


class ChapterFormat(StrEnum):
    """Per-chapter delivery files. mp3: CBR 192 kbit/s, 44.1 kHz mono (ACX); flac, wav: lossless."""

    MP3 = "mp3"
    FLAC = "flac"
    WAV = "wav"


class BookAudioFormat(StrEnum):
    """`GET /api/v1/books/{id}/audio?format=`: the whole book."""

    M4B = "m4b"
    MP3_ZIP = "mp3-zip"
    FLAC_ZIP = "flac-zip"


class MatterKind(StrEnum):
    """What a section of the source is. Only `chapter` is read by default; the rest is set aside
    (listed in `BookPublic.excluded`, and the client may include it)."""

    CHAPTER = "chapter"
    COVER = "cover"
    TITLE_PAGE = "titlepage"
    COPYRIGHT = "copyright"
    DEDICATION = "dedication"
    EPIGRAPH = "epigraph"
    TOC = "toc"
    EDITION_NOTE = "edition-note"  # notes on the edition; a prologue or foreword is a chapter
    ACKNOWLEDGMENTS = "acknowledgments"
    INDEX = "index"
    BIBLIOGRAPHY = "bibliography"
    NOTES = "notes"  # endnotes / footnotes sections
    COLOPHON = "colophon"
    ABOUT_AUTHOR = "about-author"
    OTHER_BOOKS = "other-books"


class BookMetadata(BaseModel):
    """Tags of the audiobook (Audiobookshelf reads all of them). An EPUB fills what is not given."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    subtitle: str | None = Field(default=None, max_length=500)
    authors: list[str] = Field(default_factory=list, max_length=20)
    narrator: str | None = Field(default=None, max_length=200, description="Composer tag.")
    language: str = Field(default="es", max_length=35, description="BCP 47 tag.")
    publisher: str | None = Field(default=None, max_length=200)
    date: str | None = Field(default=None, max_length=40, description="ISO 8601: YYYY or YYYY-MM-DD.")
    isbn: str | None = Field(default=None, max_length=20)
    asin: str | None = Field(default=None, max_length=20)
    series: str | None = Field(default=None, max_length=300)
    series_part: str | None = Field(default=None, max_length=20)
    genre: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=10_000)


class BookMetadataPatch(BaseModel):
    """Every field optional: an upload's `metadata` part, and PATCH /books/{id}."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=500)
    subtitle: str | None = Field(default=None, max_length=500)
    authors: list[str] | None = Field(default=None, max_length=20)
    narrator: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=35)
    publisher: str | None = Field(default=None, max_length=200)
    date: str | None = Field(default=None, max_length=40)
    isbn: str | None = Field(default=None, max_length=20)
    asin: str | None = Field(default=None, max_length=20)
    series: str | None = Field(default=None, max_length=300)
    series_part: str | None = Field(default=None, max_length=20)
    genre: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=10_000)


class SynthesisOverrides(BaseModel):
    """Per-chapter overrides of the book's synthesis settings (unset: the book's)."""

    model_config = ConfigDict(extra="forbid")

    voice: str | None = Field(default=None, max_length=100)
    region: RegionChoice | None = None
    speed: float | None = Field(default=None, ge=SPEED_MIN, le=SPEED_MAX)
    nfe_step: int | None = Field(default=None, ge=NFE_STEP_MIN, le=NFE_STEP_MAX)
    lexicon: list[LexiconEntry] | None = Field(default=None, max_length=MAX_LEXICON_ENTRIES)


class BookSettings(BaseModel):
    """Book-level synthesis settings; a chapter's `settings` override them field by field."""

    model_config = ConfigDict(extra="forbid")

    voice: str | None = Field(default=None, max_length=100, description="Voice id or name; region default if unset.")
    region: RegionChoice = RegionChoice.AUTO
    speed: float = Field(default=1.0, ge=SPEED_MIN, le=SPEED_MAX)
    nfe_step: int = Field(default=32, ge=NFE_STEP_MIN, le=NFE_STEP_MAX)
    lexicon: list[LexiconEntry] | None = Field(default=None, max_length=MAX_LEXICON_ENTRIES)
    chapter_format: ChapterFormat = ChapterFormat.MP3
    read_titles: bool = Field(default=True, description="Read each chapter's title at its start.")
    include_footnotes: bool = Field(default=False, description="EPUB: read notes at a chapter's end (no markers).")
    seed: int | None = Field(default=None, ge=0, lt=2**31, description="Book seed; random (and recorded) if unset.")
    mastering_preset: str = Field(
        default=DEFAULT_MASTERING_PRESET,
        description=f"Each chapter is mastered to this preset ({', '.join(MASTERING_PRESETS)}); a change re-assembles "
        "every chapter (the sentences stay cached).",
    )

    @field_validator("mastering_preset")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        if value not in MASTERING_PRESETS:
            raise ValueError(f"unknown mastering preset {value!r}; one of {', '.join(MASTERING_PRESETS)}")
        return value


class ChapterIn(BaseModel):
    """One chapter in a JSON book, or an edit of one (PATCH /books/{id}/chapters/{n})."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1, max_length=MAX_CHAPTER_CHARS)
    settings: SynthesisOverrides | None = None

    @field_validator("text")
    @classmethod
    def _speakable(cls, value: str) -> str:
        # The rule a chapter's job applies: refused here, at upload, rather than as a 500 at render.
        return speakable(value, "text")


class ChapterPatch(BaseModel):
    """PATCH /api/v1/books/{id}/chapters/{n}: an edit; `included` puts set-aside matter back."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=500)
    text: str | None = Field(default=None, min_length=1, max_length=MAX_CHAPTER_CHARS)
    settings: SynthesisOverrides | None = None
    included: bool | None = None

    @field_validator("text")
    @classmethod
    def _speakable(cls, value: str | None) -> str | None:
        return value if value is None else speakable(value, "text")


class ChapterText(BaseModel):
    """GET /api/v1/books/{id}/chapters/{n}/text: what a chapter says, to read before confirming the
    structure (or before an edit); set-aside matter too, by its id."""

    id: str
    number: int | None = Field(description="1-based position among included chapters; null when set aside.")
    title: str
    kind: MatterKind
    included: bool
    text_chars: int
    text: str


class BookCreate(BaseModel):
    """Body of POST /api/v1/books (JSON). An upload sends `file` (+ optional `metadata`, `settings`
    JSON parts) as multipart instead."""

    model_config = ConfigDict(extra="forbid")

    metadata: BookMetadata
    chapters: list[ChapterIn] = Field(min_length=1, max_length=MAX_CHAPTERS)
    settings: BookSettings = Field(default_factory=BookSettings)


class ChapterPublic(BaseModel):
    id: str
    number: int | None = Field(description="1-based position among included chapters; null when set aside.")
    title: str
    kind: MatterKind = MatterKind.CHAPTER
    included: bool = True
    source: str | None = Field(default=None, description="Where it came from (EPUB file#anchor, TXT line).")
    status: BookStatus
    progress: float = Field(ge=0, le=100)
    eta_s: float | None = None
    text_chars: int
    sentences: int | None = None
    sentences_synthesized: int = Field(default=0, description="Engine renders, all renders.")
    sentences_cached: int = Field(default=0, description="Sentences of the last render found in the sentence cache.")
    duration_s: float | None = None
    estimated_duration_s: float | None = None
    start_s: float | None = Field(default=None, description="Where the chapter starts in the book's audio.")
    job_id: str | None = None
    settings: SynthesisOverrides | None = None
    error: dict | None = None
    audio_url: str | None = None
    captions_url: str | None = None
    report: AudioReport | None = Field(default=None, description="The chapter's master against its preset.")
    qa: ChapterQA | None = Field(default=None, description="Its sentences by how their QA went.")
    flagged: list[FlaggedSentence] = Field(default_factory=list, description="Sentences that never passed QA.")
    voice_stats: VoiceStats | None = None
    redraws: int = Field(default=0, description="Sentences a user asked to render again, over all renders.")


class PinnedVoice(BaseModel):
    """The voice a book renders with, pinned at its first render (reference by sha256)."""

    voice_id: str | None
    name: str | None = None
    sha256: str | None = None
    transcript_sha256: str | None = None


class BookLinks(BaseModel):
    self: str
    events: str
    render: str
    cancel: str
    audio: str
    report: str | None = None


class BookPublic(BaseModel):
    id: str
    status: BookStatus
    progress: float = Field(ge=0, le=100)
    metadata: BookMetadata
    settings: BookSettings
    source_format: str | None = Field(default=None, description="json | epub | txt")
    has_cover: bool = False
    chapters: list[ChapterPublic]
    excluded: list[ChapterPublic] = Field(default_factory=list, description="Set-aside matter, in reading order.")
    voice: PinnedVoice | None = None
    seed: int | None = None
    audio_minutes_done: float = 0.0
    audio_minutes_estimated: float | None = None
    eta_s: float | None = None
    text_chars: int
    warnings: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    quality: BookQuality | None = Field(default=None, description="The finished chapters' reports, summed up.")
    links: BookLinks


class BookList(BaseModel):
    items: list[BookPublic]
    next_cursor: str | None = None


class BookEvent(BaseModel):
    """One row of a book's event log; also the SSE `data` payload (SSE id = seq). `status` and
    `progress` are the book's at that moment; chapter events name the chapter and carry its
    `number`, `status`, `progress` and `job_id` in `data`."""

    seq: int
    book_id: str
    type: str
    status: BookStatus
    progress: float
    chapter_id: str | None = None
    data: dict | None = None
    created_at: datetime
