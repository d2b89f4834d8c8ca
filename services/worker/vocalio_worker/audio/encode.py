"""Encodes float32 mono to the job's format as a complete file: WAV directly (the RIFF header, then
the samples rounded to PCM16), the others by soundfile (libsndfile) where it can, ffmpeg where it must.
Which encoder, container and codec per format: `vocalio_shared.codecs`.

Every file has right headers (sizes, FLAC STREAMINFO length, MP3 Xing/LAME frame count, MP4 index up
front): a WAV's sizes are known before it is written, libsndfile writes to memory it can seek in,
ffmpeg to a temporary file, never to a pipe.

Opus only runs at 8/12/16/24/48 kHz: other rates (22050, 44100) are resampled to 48 kHz, the
result reports 48000 and carries a warning. Every other format keeps the asked rate.
"""

import hashlib
import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import soundfile
from vocalio_audio import ffmpeg
from vocalio_audio.types import FloatAudio
from vocalio_audio.wav import direct_file
from vocalio_shared.codecs import codec_spec
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.jobs import OutputFormat

from vocalio_worker.audio.pcm16 import to_pcm16
from vocalio_worker.audio.resample import resample

OPUS_SAMPLE_RATES_HZ = (8000, 12000, 16000, 24000, 48000)
OPUS_FALLBACK_RATE_HZ = 48000


@dataclass(frozen=True)
class EncoderTools:
    """What this process can encode with besides itself (the `direct` formats need nothing);
    `detect()` finds it, tests pass a reduced set."""

    soundfile_formats: frozenset[OutputFormat]
    ffmpeg_exe: str | None

    @staticmethod
    @cache
    def detect() -> "EncoderTools":
        formats = frozenset(
            output_format
            for output_format in OutputFormat
            if (writer := codec_spec(output_format).soundfile) is not None
            and writer[0] in soundfile.available_formats()
            and writer[1] in soundfile.available_subtypes(writer[0])
        )
        try:
            import imageio_ffmpeg

            ffmpeg_exe: str | None = imageio_ffmpeg.get_ffmpeg_exe()
        except Exception:  # package absent or its binary missing for this platform
            ffmpeg_exe = None
        return EncoderTools(soundfile_formats=formats, ffmpeg_exe=ffmpeg_exe)

    def can_encode(self, output_format: OutputFormat) -> bool:
        return (
            codec_spec(output_format).direct or output_format in self.soundfile_formats or self.ffmpeg_exe is not None
        )


@dataclass(frozen=True)
class EncodedAudio:
    data: bytes = field(repr=False)
    format: OutputFormat
    sample_rate_hz: int
    duration_s: float
    sha256: str
    encoder: str
    channels: int = 1
    warnings: list[str] = field(default_factory=list)

    @property
    def size_bytes(self) -> int:
        return len(self.data)

    def write_to(self, path: Path) -> Path:
        path.write_bytes(self.data)
        return path


def container_sample_rate_hz(output_format: OutputFormat, asked_rate_hz: int) -> int:
    """The rate the file will really have."""
    if output_format == OutputFormat.OPUS and asked_rate_hz not in OPUS_SAMPLE_RATES_HZ:
        return OPUS_FALLBACK_RATE_HZ
    return asked_rate_hz


def _encode_with_soundfile(pcm: FloatAudio, sample_rate_hz: int, output_format: OutputFormat) -> bytes:
    spec = codec_spec(output_format)
    assert spec.soundfile is not None
    container, subtype = spec.soundfile
    buffer = io.BytesIO()
    soundfile.write(buffer, pcm, sample_rate_hz, subtype=subtype, format=container)
    return buffer.getvalue()


def encode_audio(
    audio: FloatAudio,
    sample_rate_hz: int,
    output_format: OutputFormat,
    tools: EncoderTools | None = None,
) -> EncodedAudio:
    """Encode float32 mono audio that is already at `sample_rate_hz` (the job's rate)."""
    tools = tools or EncoderTools.detect()
    output_format = OutputFormat(output_format)
    if not tools.can_encode(output_format):
        raise VocalioError(
            ErrorCode.ENCODER_MISSING,
            f"no encoder available for {output_format.value}: this worker has neither libsndfile "
            f"support for it nor an ffmpeg binary",
            {"format": output_format.value},
        )
    warnings: list[str] = []
    file_rate_hz = container_sample_rate_hz(output_format, sample_rate_hz)
    pcm = np.clip(np.asarray(audio, dtype=np.float32).reshape(-1), -1.0, 1.0)  # no integer wrap-around
    if file_rate_hz != sample_rate_hz:
        pcm = resample(pcm, sample_rate_hz, file_rate_hz)
        warnings.append(f"{output_format.value} does not support {sample_rate_hz} Hz; encoded at {file_rate_hz} Hz")
    if codec_spec(output_format).direct:
        # Rounded to nearest, as ffmpeg and a streamed job's pieces are (libsndfile floors: half an
        # LSB low on average); a streamed job's file holds exactly the PCM16 it sent.
        data, encoder = direct_file(output_format, to_pcm16(pcm), file_rate_hz), "direct"
    elif output_format in tools.soundfile_formats:
        data, encoder = _encode_with_soundfile(pcm, file_rate_hz, output_format), "soundfile"
    else:
        assert tools.ffmpeg_exe is not None
        samples = pcm.astype("<f4").tobytes()
        data, encoder = ffmpeg.encode_file(tools.ffmpeg_exe, samples, "f32le", output_format, file_rate_hz), "ffmpeg"
    return EncodedAudio(
        data=data,
        format=output_format,
        sample_rate_hz=file_rate_hz,
        duration_s=len(pcm) / file_rate_hz,
        sha256=hashlib.sha256(data).hexdigest(),
        encoder=encoder,
        warnings=warnings,
    )
