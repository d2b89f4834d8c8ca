"""Audiobook-grade quality: the per-file audio report (mastering to a preset) and the per-sentence QA
record. One definition, used by the worker (measures, masters, re-draws), the API (stores them with
the job or chapter, aggregates a book), the dashboard and `vocalio book check`.

Rule names in `RuleCheck.rule` and check names in `SentenceQA.failures` are stable identifiers that
scripts read (`rms`, `peak`, `true_peak`, `noise_floor`, `head_room_tone`, `tail_room_tone`, ...;
`duration`, `leading_silence`, `clipping`, `loop`, ...): the modules that define them list them.
"""

from pydantic import BaseModel, Field


class AudioMeasurements(BaseModel):
    """What one file (or one chapter's master) measures: levels in dBFS, times in seconds."""

    duration_s: float = Field(ge=0)
    sample_rate_hz: int
    channels: int = 1
    rms_dbfs: float = Field(description="RMS over the whole file, as ACX measures it.")
    peak_dbfs: float = Field(description="Largest sample magnitude.")
    true_peak_dbfs: float | None = Field(default=None, description="Inter-sample peak (4x oversampled).")
    noise_floor_dbfs: float = Field(description="RMS of the quietest stretch between speech (room tone).")
    head_room_tone_s: float = Field(ge=0, description="Room tone before the first speech.")
    tail_room_tone_s: float = Field(ge=0, description="Room tone after the last speech.")
    integrated_lufs: float | None = Field(default=None, description="ITU-R BS.1770 integrated loudness.")


class RuleCheck(BaseModel):
    """One rule of a preset against one measurement."""

    rule: str
    passed: bool
    value: float | None = Field(default=None, description="The measured figure the rule looked at.")
    target: str = Field(description="The rule as a person reads it, e.g. '-23..-18 dBFS'.")


class AudioReport(BaseModel):
    """A file measured against a mastering preset (by default ACX), and what mastering changed."""

    preset: str
    measured: AudioMeasurements
    rules: list[RuleCheck] = Field(default_factory=list)
    passed: bool
    failures: list[str] = Field(default_factory=list, description="Names of the rules that failed.")
    before: AudioMeasurements | None = Field(default=None, description="As it came, when mastering changed it.")
    changes: list[str] = Field(default_factory=list, description="What mastering did, in words (gain, limiter, ...).")
    timeline_step_s: float | None = Field(default=None, description="Spacing of `timeline_lufs`.")
    timeline_lufs: list[float | None] = Field(
        default_factory=list,
        description="Short-term loudness (3 s windows, BS.1770) every `timeline_step_s`, for the loudness plot; "
        "None where the window is below the gate (silence).",
    )


class SentenceQA(BaseModel):
    """A synthesized sentence's checks, for the draw that was kept. Stored with the sentence's audio
    in the cache, so a chapter assembled from cached sentences reports them as well."""

    passed: bool
    failures: list[str] = Field(default_factory=list, description="Checks the kept draw failed (flagged when any).")
    draws: int = Field(ge=1, description="Draws made; 1 when the first one passed.")
    draw: int = Field(ge=0, description="The kept draw's number (its seed: sentence_seed(book_seed, text, draw)).")
    seed: int
    scores: dict[str, float] = Field(default_factory=dict, description="The kept draw's figures, by check name.")
    cer: float | None = Field(default=None, description="Character error rate of the ASR round trip, when configured.")


class VoiceStats(BaseModel):
    """A chapter's voice, for drift against the book's median (speaking rate and pitch)."""

    speaking_rate_cps: float | None = Field(default=None, description="Spoken characters per second of speech.")
    pitch_median_hz: float | None = None
    pitch_iqr_hz: float | None = None
