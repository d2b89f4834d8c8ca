"""Decoding an uploaded recording that soundfile cannot open (a browser's WebM/Opus, an M4A) with ffmpeg."""

import subprocess
import tempfile
from pathlib import Path

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
    if completed.returncode != 0 or len(completed.stdout) <= 44:  # 44 bytes: a WAV header and no samples
        raise ValueError(completed.stderr.decode(errors="replace").strip()[-300:] or "no audio stream")
    return completed.stdout
