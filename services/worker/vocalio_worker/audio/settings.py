"""Audio-path settings (VOCALIO_ prefix); the runtime's WorkerSettings composes this class."""

from typing import Literal

from pydantic import Field, field_validator
from vocalio_audio.mastering.preset import DEFAULT_PRESET, preset_names
from vocalio_shared.settings import CommonSettings


class AudioSettings(CommonSettings):
    crossfade_s: float = Field(default=0.15, ge=0.0, le=1.0, description="Overlap between consecutive chunks.")
    crossfade_curve: Literal["equal_power", "linear"] = Field(
        default="equal_power",
        description="equal_power keeps loudness through the overlap of unrelated audio.",
    )
    target_lufs: float = Field(
        default=-20.0,
        ge=-40.0,
        le=-6.0,
        description="Integrated loudness after post-processing; -20 sits inside ACX's -23..-18 dB window.",
    )
    peak_limit_dbfs: float = Field(
        default=-3.0,
        ge=-20.0,
        le=0.0,
        description="Sample-peak ceiling; -3 dBFS is ACX's and leaves lossy headroom.",
    )
    max_silence_s: float = Field(
        default=0.75, ge=0.05, le=10.0, description="Internal pauses longer than this are shortened to it."
    )
    edge_silence_s: float = Field(
        default=0.1, ge=0.0, le=5.0, description="Silence kept at the start and end of the audio."
    )
    silence_threshold_db: float = Field(
        default=-45.0,
        ge=-90.0,
        le=-10.0,
        description="A 10 ms frame is silent when its RMS is this far below the loudest frame.",
    )
    # A book's chapter is assembled from sentences rendered one by one (vocalio_worker.chapters):
    # these silences go between them. Each is added on top of the crossfade on either side, so the
    # fades never overlap two sentences' speech; an internal silence up to the longest of them (plus
    # max_silence_s) is kept whole in a chapter job.
    chapter_sentence_pause_s: float = Field(
        default=0.25, ge=0.0, le=5.0, description="Chapter jobs: silence between two sentences of a paragraph."
    )
    chapter_paragraph_pause_s: float = Field(
        default=0.7, ge=0.0, le=5.0, description="Chapter jobs: silence between paragraphs."
    )
    chapter_title_pause_s: float = Field(
        default=1.2, ge=0.0, le=5.0, description="Chapter jobs: silence after the chapter's title."
    )
    mastering_preset: str = Field(
        default=DEFAULT_PRESET,
        description="Mastering preset (vocalio_audio/mastering/presets): chapter jobs are mastered to it unless "
        "the chapter names one; every other job's file is measured against it.",
    )

    @field_validator("mastering_preset")
    @classmethod
    def _known_preset(cls, name: str) -> str:
        if name not in preset_names():
            raise ValueError(f"unknown mastering preset {name!r}; known: {', '.join(preset_names())}")
        return name
