"""Post-processing that works piece by piece, so a streamed job's pieces are final when sent.

The whole-file post-process (`postprocess.py`) needs all the audio before it can decide anything:
loudness is measured over everything and the silence threshold is relative to the loudest frame.
A streamed job cannot wait for that, so here every decision is taken from the first chunk:

- gain: the first chunk's integrated loudness against the target (capped at +40 dB), then fixed;
- silence: a frame is silent below an absolute level, the first chunk's loudest frame plus
  `silence_threshold_db`; pauses are shortened with the same rules as the whole-file version;
- limiter: the same smooth look-ahead envelope as `limit_peaks`, holding back only its reach.

Each stage holds back only what a later sample could still change, so concatenating the pieces is
the finished audio: the worker encodes exactly that concatenation for the stored file.
"""

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from vocalio_audio.metrics import integrated_loudness_lufs

from vocalio_worker.audio.loudness import LIMITER_WINDOW_S, db_to_gain
from vocalio_worker.audio.postprocess import MAX_GAIN_DB
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.audio.silence import FRAME_S, SilenceCut, frame_rms_db

FloatAudio = npt.NDArray[np.float32]
# k / 32768 is exact in float32 for every int16 k, so any float → PCM_16 writer (libsndfile's
# truncating one, ffmpeg's rounding one) turns `from_pcm16(pcm)` back into exactly `pcm`.
PCM16_SCALE = 32768.0


def to_pcm16(audio: FloatAudio) -> bytes:
    """16-bit signed little-endian, rounded to nearest: the bytes a streamed piece carries."""
    scaled = np.rint(np.asarray(audio, dtype=np.float64) * PCM16_SCALE)
    return np.clip(scaled, -32768, 32767).astype("<i2").tobytes()


def from_pcm16(data: bytes) -> FloatAudio:
    """Exact float32 image of PCM16, for the encoder of the stored file."""
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / np.float32(PCM16_SCALE)


class StreamingSilenceShortener:
    """`shorten_silences` on a stream, with an absolute threshold (dBFS) instead of a relative one.

    Frames are 10 ms from the first input sample, as in the whole-file version; a silent run is
    held until the next voiced frame (or the end) says how much of it to keep.
    """

    def __init__(self, sample_rate_hz: int, max_silence_s: float, edge_silence_s: float, threshold_dbfs: float):
        self.frame_samples = max(1, round(FRAME_S * sample_rate_hz))
        self.max_silence_samples = round(max_silence_s * sample_rate_hz)
        self.edge_samples = round(edge_silence_s * sample_rate_hz)
        self.threshold_dbfs = threshold_dbfs
        self._unframed: FloatAudio = np.zeros(0, dtype=np.float32)
        self._position = 0  # input position of the first unframed sample
        self._run: list[FloatAudio] = []  # the silent run in progress
        self._run_start = 0
        self._seen_voice = False
        self.kept_ranges_samples: list[tuple[int, int]] = []

    def push(self, samples: FloatAudio) -> FloatAudio:
        audio = np.concatenate([self._unframed, np.asarray(samples, dtype=np.float32)])
        whole = len(audio) // self.frame_samples * self.frame_samples
        self._unframed = audio[whole:]
        return self._frames(audio[:whole])

    def finish(self) -> FloatAudio:
        """The last partial frame and the trailing silence (trimmed to the edge)."""
        out = [self._frames(self._unframed)] if len(self._unframed) else []
        self._unframed = np.zeros(0, dtype=np.float32)
        run = np.concatenate(self._run) if self._run else np.zeros(0, dtype=np.float32)
        self._run = []
        keep = min(self.edge_samples, len(run)) if self._seen_voice else len(run)  # all silence: left alone
        out.append(self._keep(run, self._run_start, [(0, keep)]))
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)

    @property
    def cut(self) -> SilenceCut:
        return SilenceCut(list(self.kept_ranges_samples))

    def _frames(self, audio: FloatAudio) -> FloatAudio:
        out: list[FloatAudio] = []
        for offset in range(0, len(audio), self.frame_samples):
            frame = audio[offset : offset + self.frame_samples]
            start = self._position
            self._position += len(frame)
            # A partial last frame is measured zero-padded, like frame_rms_db does.
            level_db = frame_rms_db(frame, self.frame_samples)[0] if len(frame) else -200.0
            if level_db < self.threshold_dbfs:
                if not self._run:
                    self._run_start = start
                self._run.append(frame)
                continue
            out.append(self._close_run())
            out.append(self._keep(frame, start, [(0, len(frame))]))
            self._seen_voice = True
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)

    def _close_run(self) -> FloatAudio:
        """A voiced frame ends the silent run: keep its end (leading) or both ends (internal)."""
        if not self._run:
            return np.zeros(0, dtype=np.float32)
        run = np.concatenate(self._run)
        self._run = []
        length = len(run)
        if not self._seen_voice:
            keep = [(max(0, length - self.edge_samples), length)]
        elif length > self.max_silence_samples:
            head = self.max_silence_samples // 2
            keep = [(0, head), (length - (self.max_silence_samples - head), length)]
        else:
            keep = [(0, length)]
        return self._keep(run, self._run_start, keep)

    def _keep(self, audio: FloatAudio, input_start: int, ranges: list[tuple[int, int]]) -> FloatAudio:
        pieces = []
        for start, end in ranges:
            if end <= start:
                continue
            pieces.append(audio[start:end])
            absolute = (input_start + start, input_start + end)
            if self.kept_ranges_samples and self.kept_ranges_samples[-1][1] == absolute[0]:
                self.kept_ranges_samples[-1] = (self.kept_ranges_samples[-1][0], absolute[1])
            else:
                self.kept_ranges_samples.append(absolute)
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


class StreamingLimiter:
    """`limit_peaks` on a stream: a sample's gain depends on the input within `reach` samples of
    it, so that many samples are held back and that many already sent are kept as left context."""

    def __init__(self, sample_rate_hz: int, ceiling_dbfs: float):
        self.window = max(1, round(LIMITER_WINDOW_S * sample_rate_hz))
        self.reach = self.window + self.window // 2
        self.ceiling = db_to_gain(ceiling_dbfs)
        self._context: FloatAudio = np.zeros(0, dtype=np.float32)
        self._pending: FloatAudio = np.zeros(0, dtype=np.float32)

    def push(self, samples: FloatAudio) -> FloatAudio:
        self._pending = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        return self._emit(len(self._pending) - self.reach)

    def finish(self) -> FloatAudio:
        return self._emit(len(self._pending))

    def _emit(self, count: int) -> FloatAudio:
        if count <= 0:
            return np.zeros(0, dtype=np.float32)
        audio = np.concatenate([self._context, self._pending])
        start = len(self._context)
        ready = self._limit(audio)[start : start + count]
        self._context = audio[: start + count][-2 * self.reach :]
        self._pending = self._pending[count:]
        return ready

    def _limit(self, audio: FloatAudio) -> FloatAudio:
        magnitude = np.abs(audio)
        if len(audio) == 0 or magnitude.max() <= self.ceiling:
            return audio
        needed_gain = np.minimum(1.0, self.ceiling / np.maximum(magnitude, 1e-12))
        spread = minimum_filter1d(needed_gain, size=2 * self.window + 1, mode="nearest")
        smooth = uniform_filter1d(spread, size=2 * (self.window // 2) + 1, mode="nearest")
        safe_ceiling = np.nextafter(np.float32(self.ceiling), np.float32(0))
        return np.clip((audio * smooth).astype(np.float32), -safe_ceiling, safe_ceiling)


@dataclass
class StreamingPostprocessor:
    """Silence → fixed gain → limiter, piece by piece; `calibrate` with the first chunk first."""

    sample_rate_hz: int
    settings: AudioSettings
    gain_db: float = 0.0
    input_lufs: float = float("-inf")
    warnings: list[str] = field(default_factory=list)
    _silence: StreamingSilenceShortener | None = None
    _limiter: StreamingLimiter | None = None

    def calibrate(self, first_chunk: FloatAudio) -> None:
        rate, settings = self.sample_rate_hz, self.settings
        self.input_lufs = integrated_loudness_lufs(first_chunk, rate)
        if np.isfinite(self.input_lufs):
            self.gain_db = min(settings.target_lufs - self.input_lufs, MAX_GAIN_DB)
            if self.gain_db >= MAX_GAIN_DB - 1e-6:
                self.warnings.append(f"gain capped at +{MAX_GAIN_DB:.0f} dB; audio is quieter than the target")
        else:
            self.warnings.append("first chunk is silent; loudness not normalised")
        levels = frame_rms_db(np.asarray(first_chunk, dtype=np.float32), max(1, round(FRAME_S * rate)))
        loudest_db = float(levels.max()) if len(levels) else -200.0
        self._silence = StreamingSilenceShortener(
            rate, settings.max_silence_s, settings.edge_silence_s, loudest_db + settings.silence_threshold_db
        )
        self._limiter = StreamingLimiter(rate, settings.peak_limit_dbfs)

    @property
    def calibrated(self) -> bool:
        return self._silence is not None

    def push(self, samples: FloatAudio) -> FloatAudio:
        assert self._silence is not None and self._limiter is not None, "calibrate first"
        return self._limiter.push(self._silence.push(samples) * np.float32(db_to_gain(self.gain_db)))

    def finish(self) -> FloatAudio:
        assert self._silence is not None and self._limiter is not None, "calibrate first"
        tail = self._limiter.push(self._silence.finish() * np.float32(db_to_gain(self.gain_db)))
        return np.concatenate([tail, self._limiter.finish()])

    @property
    def cut(self) -> SilenceCut:
        assert self._silence is not None
        return self._silence.cut
