"""Reference voices for F5: audio + its transcript, prepared once per voice and cached.

Audio is read with soundfile (not torchaudio.load: no ffmpeg/torchcodec backend needed), mixed to mono,
resampled to the model rate, clipped to the model's maximum reference length and loudness-matched to the
RMS the model was trained around (quiet references are raised; the output is scaled back by the same factor,
as the package does, so a quiet voice stays quiet).
"""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import soundfile
from vocalio_audio.types import FloatAudio
from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_worker.audio.resample import resample
from vocalio_worker.engines.base import VoiceRef

TARGET_RMS = 0.1
_CACHE_SIZE = 16


@dataclass(frozen=True)
class PreparedReference:
    audio: FloatAudio  # mono float32 at the model rate, loudness-matched
    transcript: str  # ends with sentence punctuation and a space, as the model saw in training
    output_gain: float  # multiply generated audio by this to undo the loudness match
    key: str  # identifies the voice content, for cross-job batching and caches

    @property
    def transcript_bytes(self) -> int:
        return len(self.transcript.encode("utf-8"))


def _invalid(message: str, voice: VoiceRef) -> VocalioError:
    return VocalioError(ErrorCode.VALIDATION_ERROR, message, {"voice_id": voice.voice_id, "engine": "f5"})


def normalise_transcript(text: str) -> str:
    # The package's rule: end with ". " (or "。") so the reference sentence is closed before the new text.
    text = text.strip()
    if not text.endswith((".", "。", "!", "?")):
        text += "."
    return text if text.endswith("。") else text + " "


def _decode(voice: VoiceRef) -> tuple[FloatAudio, int]:
    if voice.reference_audio is not None:
        if not voice.reference_sample_rate_hz:
            raise _invalid("reference audio given without its sample rate", voice)
        samples = np.asarray(voice.reference_audio, dtype=np.float32)
        return samples, voice.reference_sample_rate_hz
    assert voice.reference_audio_path is not None
    try:
        samples, rate = soundfile.read(str(voice.reference_audio_path), dtype="float32", always_2d=True)
    except (OSError, RuntimeError, soundfile.LibsndfileError) as error:
        raise _invalid(f"cannot read reference audio {voice.reference_audio_path}: {error}", voice) from error
    return samples.mean(axis=1).astype(np.float32), int(rate)


def prepare_reference(voice: VoiceRef, sample_rate_hz: int, max_reference_s: float) -> PreparedReference:
    if not voice.has_reference:
        raise _invalid(
            f"voice {voice.voice_id!r} has no reference audio: F5-TTS clones a voice from reference audio and "
            "its transcript (name a library voice, or set VOCALIO_F5_REFERENCE_AUDIO/TEXT)",
            voice,
        )
    if not (voice.reference_transcript or "").strip():
        # Transcribing it would need an ASR model (Whisper) on the worker; we require the transcript instead.
        raise _invalid(f"voice {voice.voice_id!r} has reference audio but no transcript", voice)
    samples, rate = _decode(voice)
    if samples.ndim > 1:
        samples = samples.mean(axis=-1).astype(np.float32)
    audio = resample(samples, rate, sample_rate_hz)[: int(max_reference_s * sample_rate_hz)]
    if audio.size < sample_rate_hz // 4:
        raise _invalid(f"reference audio of voice {voice.voice_id!r} is shorter than 0.25 s", voice)
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    if rms <= 1e-6:
        raise _invalid(f"reference audio of voice {voice.voice_id!r} is silent", voice)
    gain = TARGET_RMS / rms if rms < TARGET_RMS else 1.0
    audio = np.clip(audio * gain, -1.0, 1.0).astype(np.float32)
    transcript = normalise_transcript(voice.reference_transcript or "")
    key = hashlib.sha256(audio.tobytes() + transcript.encode()).hexdigest()[:16]
    return PreparedReference(audio=audio, transcript=transcript, output_gain=1.0 / gain, key=key)


class ReferenceCache:
    """Prepared references by (voice id, path, transcript): jobs on one voice skip decode and resample."""

    def __init__(self, sample_rate_hz: int, max_reference_s: float) -> None:
        self._sample_rate_hz = sample_rate_hz
        self._max_reference_s = max_reference_s
        self._items: OrderedDict[tuple[object, ...], PreparedReference] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, voice: VoiceRef) -> PreparedReference:
        # Decoded arrays are not hashable cheaply; those voices are prepared every time (rare: tests, /tts).
        if voice.reference_audio is not None:
            return prepare_reference(voice, self._sample_rate_hz, self._max_reference_s)
        key = (voice.voice_id, voice.reference_audio_path, voice.reference_transcript)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        prepared = prepare_reference(voice, self._sample_rate_hz, self._max_reference_s)
        with self._lock:
            self._items[key] = prepared
            while len(self._items) > _CACHE_SIZE:
                self._items.popitem(last=False)
        return prepared
