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


# Containers a recorder or an editor writes: browsers' MediaRecorder (WebM/Opus in Chromium and Firefox,
# MP4/AAC in Safari), phones (M4A, 3GP), and the usual files. Only these demuxers may open an upload: a
# playlist or concat "audio file" would otherwise make ffmpeg read other files of this host.
DECODE_DEMUXERS = "matroska,webm,ogg,mov,mp4,m4a,3gp,mp3,aac,wav,flac,w64,aiff,caf"


def decode_to_wav(ffmpeg_exe: str, payload: bytes, max_seconds: float, timeout_s: float = 60.0) -> bytes:
    """An uploaded recording in any container above as a 16-bit WAV, at its own rate and channels.

    At most `max_seconds` are decoded (a longer clip still reads as too long, at that length) so an upload
    cannot make the decoder run or allocate without bound. Raises ValueError with ffmpeg's reason."""
    with tempfile.TemporaryDirectory(prefix="vocalio-decode-") as workdir:
        source = Path(workdir) / "upload"
        source.write_bytes(payload)  # a file, not a pipe: MP4 keeps its index at the end
        command = [
            ffmpeg_exe, "-hide_banner", "-loglevel", "error", "-nostdin",
            "-protocol_whitelist", "file", "-format_whitelist", DECODE_DEMUXERS,
            "-i", str(source), "-map", "0:a:0", "-vn", "-t", f"{max_seconds:.3f}",
            "-c:a", "pcm_s16le", "-f", "wav", "pipe:1",
        ]  # fmt: skip
        completed = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
    if completed.returncode != 0 or len(completed.stdout) <= 44:
        raise ValueError(completed.stderr.decode(errors="replace").strip()[-300:] or "no audio stream")
    return completed.stdout
