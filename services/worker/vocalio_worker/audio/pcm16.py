"""16-bit PCM, the samples a streamed piece carries and a streamed job's file is encoded from."""

import numpy as np
from vocalio_audio.types import FloatAudio

# k / 32768 is exact in float32 for every int16 k, so any float → PCM_16 writer (libsndfile's
# flooring one, ffmpeg's rounding one) turns `from_pcm16(pcm)` back into exactly `pcm`.
PCM16_SCALE = 32768.0


def to_pcm16(audio: FloatAudio) -> bytes:
    """16-bit signed little-endian, rounded to nearest (ties to even), out-of-range values clipped."""
    # Scaling by 2**15 is exact in float32 and so is rounding, so this is the float64 arithmetic's
    # result without a float64 copy of the audio.
    with np.errstate(over="ignore"):  # beyond ±1e34 the product is ±inf, clipped like the rest
        scaled = np.rint(np.asarray(audio, dtype=np.float32) * np.float32(PCM16_SCALE))
    return np.clip(scaled, -32768, 32767, out=scaled).astype("<i2").tobytes()


def from_pcm16(data: bytes) -> FloatAudio:
    """Exact float32 image of PCM16, for the encoder of the stored file."""
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / np.float32(PCM16_SCALE)
