"""A book's quality as the API shows it: each chapter's mastering report and sentence QA summary,
its flagged sentences, and the book-level summary (chapters passing, consistency, voice drift).

The per-file figures themselves are `vocalio_shared.schemas.quality` (what the worker reports); this
module holds what the API derives from them for a book, and the bands it judges them by.
"""

from pydantic import BaseModel, Field

# The mastering presets a book may ask for. The worker's presets are data files
# (vocalio_audio/mastering/); this list is the API's one copy of their names, checked when a book's
# settings are written (so a typo is a 422, not a failed chapter job).
MASTERING_PRESETS: tuple[str, ...] = ("acx", "podcast")  # = vocalio_audio/mastering/presets/*.toml (a test checks)
DEFAULT_MASTERING_PRESET = "acx"

# Consistency: ACX asks that all chapters be consistent; the chapters' RMS (dBFS) may spread at most
# this much (largest minus smallest) for the book to count as consistent.
RMS_SPREAD_MAX_DB = 2.0
# Drift: a chapter's speaking rate within ±10 % of the book's median, its median pitch within
# ±2 semitones of the book's median pitch; outside either, the chapter is flagged.
RATE_DRIFT_MAX_RATIO = 0.10
PITCH_DRIFT_MAX_SEMITONES = 2.0


class ChapterQA(BaseModel):
    """A chapter's sentences by how their QA went (from the segments of its latest job)."""

    checked: int = Field(default=0, description="Sentences with a QA record.")
    drawn_once: int = 0
    redrawn: int = Field(default=0, description="Needed more than one draw and passed.")
    flagged: int = Field(default=0, description="Never passed: kept, listed in `flagged`.")


class FlaggedSentence(BaseModel):
    """A sentence whose kept draw failed a check: what to listen to, and what to render again."""

    index: int = Field(description="Its position in the chapter's segments (the redraw route's `index`).")
    text: str
    failures: list[str]
    draws: int
    start_s: float = Field(description="Where it starts in the chapter's audio.")
    end_s: float


class ChapterDrift(BaseModel):
    """One chapter's voice against the book's median."""

    number: int
    speaking_rate_cps: float | None = None
    rate_deviation: float | None = Field(default=None, description="Chapter rate / book median - 1.")
    pitch_median_hz: float | None = None
    pitch_deviation_semitones: float | None = None
    flags: list[str] = Field(default_factory=list, description="`speaking_rate` and/or `pitch` when outside the band.")


class BookQuality(BaseModel):
    """The book-level summary of its finished chapters' reports."""

    preset: str
    chapters_measured: int = 0
    chapters_passing: int = 0
    chapters_failing: int = 0
    failing_chapters: list[int] = Field(default_factory=list)
    sentences: ChapterQA = Field(default_factory=ChapterQA)
    rms_spread_db: float | None = Field(default=None, description="Largest minus smallest chapter RMS.")
    rms_spread_max_db: float = RMS_SPREAD_MAX_DB
    consistent: bool | None = Field(default=None, description="RMS spread within the band; None: under two chapters.")
    speaking_rate_median_cps: float | None = None
    pitch_median_hz: float | None = None
    rate_drift_max_ratio: float = RATE_DRIFT_MAX_RATIO
    pitch_drift_max_semitones: float = PITCH_DRIFT_MAX_SEMITONES
    drift: list[ChapterDrift] = Field(default_factory=list)
    drifting_chapters: list[int] = Field(default_factory=list)
    passed: bool | None = Field(
        default=None,
        description="Every included chapter measured and passing, consistent, none flagged for drift; "
        "None until every chapter has a report.",
    )


class BookReportChapter(BaseModel):
    """One row of `GET /books/{id}/report` (the CSV's columns, in order, are REPORT_COLUMNS)."""

    number: int
    title: str
    status: str
    duration_s: float | None = None
    preset: str | None = None
    passed: bool | None = None
    failures: list[str] = Field(default_factory=list)
    rms_dbfs: float | None = None
    peak_dbfs: float | None = None
    true_peak_dbfs: float | None = None
    noise_floor_dbfs: float | None = None
    head_room_tone_s: float | None = None
    tail_room_tone_s: float | None = None
    integrated_lufs: float | None = None
    changes: list[str] = Field(default_factory=list)
    sentences_checked: int = 0
    sentences_drawn_once: int = 0
    sentences_redrawn: int = 0
    sentences_flagged: int = 0
    speaking_rate_cps: float | None = None
    pitch_median_hz: float | None = None
    drift: list[str] = Field(default_factory=list)
    flagged: list[FlaggedSentence] = Field(default_factory=list, description="JSON only (not a CSV column).")


REPORT_COLUMNS: tuple[str, ...] = tuple(name for name in BookReportChapter.model_fields if name != "flagged")


class BookReport(BaseModel):
    """`GET /api/v1/books/{id}/report?format=json`, and `report.json` in the mp3/flac zips."""

    book_id: str
    title: str
    status: str
    quality: BookQuality
    chapters: list[BookReportChapter]
