"""What the audiobook builders take and what the m4b plan says."""

from dataclasses import dataclass, field
from pathlib import Path

from vocalio_shared.schemas.jobs import Segment


@dataclass(frozen=True)
class ChapterAudio:
    """One rendered chapter, as its job left it."""

    number: int  # 1-based, in reading order among the included chapters
    title: str
    master_path: Path  # lossless master: FLAC, 44.1 kHz mono
    duration_s: float
    segments: list[Segment] = field(default_factory=list)  # sentence timings in the master
    # The chapter's text as imported (paragraphs separated by blank lines): only the read-along
    # EPUB uses it, to put the sentences back into their paragraphs.
    text: str | None = None


@dataclass(frozen=True)
class PartChapter:
    """Where one chapter sits in its m4b part."""

    number: int
    title: str
    start_s: float  # in the part's audio, where the chapter's AAC piece starts
    end_s: float


@dataclass(frozen=True)
class PartPlan:
    """One m4b file of a book: `number` of `count`, its chapters with their real starts."""

    number: int
    count: int
    chapters: list[PartChapter]
    duration_s: float
    estimated_bytes: int
    warnings: list[str] = field(default_factory=list)  # e.g. one chapter alone longer than the part limit
