"""Post-processing after crossfade, piece by piece: shorten silences → gain → limit peaks.

One machine for every job. `calibrate` with the job's first chunk sets the silence threshold (that
chunk's loudest 10 ms frame plus `silence_threshold_db`); silences are then shortened as the audio
flows. Only the gain stage depends on whether someone listens live:

- live (a streamed job): the gain is fixed from the first chunk (target − its integrated loudness,
  capped at +40 dB) and the streaming limiter follows, so every `push` returns final samples; the
  stored file is their concatenation, so its loudness is the first chunk's decision (and says so);
- collected (nobody listens): `push` returns nothing and `finish` makes the whole file in one go:
  a gain-only pass that brings the silence-shortened audio to the target measured over the whole
  file, then the limiter (corrected once more if the limiter lowered the loudness).
"""

import numpy as np
from vocalio_audio.types import FloatAudio

from vocalio_worker.audio.loudness import (
    StreamingLimiter,
    db_to_gain,
    first_chunk_gain_db,
    normalize_loudness,
)
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.audio.silence import SilenceCut, SilenceShortener, loudest_frame_db


def live_loudness_warning(gain_db: float, target_lufs: float) -> str:
    return (
        f"streamed: loudness set from the first chunk (gain {gain_db:+.1f} dB) and kept for the whole file, "
        f"so it may differ from the {target_lufs:g} LUFS target"
    )


class Postprocessor:
    """Silence → gain → limiter; `calibrate` with the first chunk, `push` in order, then `finish`."""

    def __init__(self, sample_rate_hz: int, settings: AudioSettings, live: bool, level: bool = True) -> None:
        self.sample_rate_hz = sample_rate_hz
        self.settings = settings
        self.live = live
        self.level = level  # collected mode only: False leaves the loudness to the caller (a chapter's mastering)
        self.gain_db = 0.0
        self.warnings: list[str] = []
        self._silence: SilenceShortener | None = None
        self._limiter = StreamingLimiter(sample_rate_hz, settings.peak_limit_dbfs) if live else None
        self._collected: list[FloatAudio] = []  # collected mode: the shortened audio, gain comes last

    @property
    def calibrated(self) -> bool:
        return self._silence is not None

    def calibrate(self, first_chunk: FloatAudio) -> None:
        rate, settings = self.sample_rate_hz, self.settings
        threshold_dbfs = loudest_frame_db(first_chunk, rate) + settings.silence_threshold_db
        self._silence = SilenceShortener(rate, settings.max_silence_s, settings.edge_silence_s, threshold_dbfs)
        if self.live:
            self.gain_db, warnings = first_chunk_gain_db(first_chunk, rate, settings.target_lufs)
            self.warnings.extend([*warnings, live_loudness_warning(self.gain_db, settings.target_lufs)])

    @property
    def cut(self) -> SilenceCut:
        assert self._silence is not None, "calibrate first"
        return self._silence.cut

    def push(self, samples: FloatAudio) -> FloatAudio:
        assert self._silence is not None, "calibrate first"
        return self._gain_stage(self._silence.push(samples))

    def finish(self) -> FloatAudio:
        """Live: the held-back tail. Collected: the whole finished file."""
        assert self._silence is not None, "calibrate first"
        tail = self._gain_stage(self._silence.finish())
        if self._limiter is not None:
            return np.concatenate([tail, self._limiter.finish()])
        shortened = np.concatenate(self._collected) if self._collected else np.zeros(0, np.float32)
        self._collected = []
        if not self.level:
            return shortened
        settings = self.settings
        audio, self.gain_db, warnings = normalize_loudness(
            shortened, self.sample_rate_hz, settings.target_lufs, settings.peak_limit_dbfs
        )
        self.warnings.extend(warnings)
        return audio

    def _gain_stage(self, shortened: FloatAudio) -> FloatAudio:
        if self._limiter is None:
            self._collected.append(shortened)
            return np.zeros(0, np.float32)
        return self._limiter.push(shortened * np.float32(db_to_gain(self.gain_db)))
