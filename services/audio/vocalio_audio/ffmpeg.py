"""ffmpeg writing one complete file: the worker's stored job file and the API's complete answer of
/v1/audio/speech both come from here (the command line itself is the codec table's)."""

import subprocess
import tempfile
from pathlib import Path

from vocalio_shared.codecs import codec_spec, ffmpeg_encode_command
from vocalio_shared.errors import ErrorCode, VocalioError

FFMPEG_TIMEOUT_S = 600  # a whole chapter encodes in seconds; this only stops a hung encoder


def encode_file(
    ffmpeg_exe: str, samples: bytes, input_sample_format: str, audio_format: str, sample_rate_hz: int
) -> bytes:
    """`samples` (mono, `input_sample_format`: f32le or s16le) as one file of `audio_format`.

    A real file, not a pipe: the FLAC, MP3, WAV and MP4 muxers seek back to write lengths, sizes
    and indexes once they are known, so every header of the result is right."""
    with tempfile.TemporaryDirectory(prefix="vocalio-encode-") as workdir:
        target = Path(workdir) / f"out.{codec_spec(audio_format).extension}"
        command = ffmpeg_encode_command(
            ffmpeg_exe, audio_format, sample_rate_hz, input_sample_format, str(target), stream=False
        )
        completed = subprocess.run(command, input=samples, capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=False)
        if completed.returncode != 0:
            raise VocalioError(
                ErrorCode.INTERNAL_ERROR,
                f"ffmpeg failed to encode {audio_format}",
                {"format": str(audio_format), "stderr": completed.stderr.decode(errors="replace")[-500:]},
            )
        return target.read_bytes()
