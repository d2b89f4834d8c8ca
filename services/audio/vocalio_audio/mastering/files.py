"""An audio file on disk against a preset (`vocalio book check`): decoded with ffmpeg (any format it
reads), measured, checked; MP3 files also by their frame headers (bitrate, CBR)."""

import tempfile
from dataclasses import dataclass
from pathlib import Path

import soundfile
from vocalio_shared.errors import VocalioError
from vocalio_shared.schemas.quality import AudioReport

from vocalio_audio.ffmpeg import run_ffmpeg
from vocalio_audio.mastering.measuring import measure
from vocalio_audio.mastering.mp3 import read_mp3_stream
from vocalio_audio.mastering.preset import Preset
from vocalio_audio.mastering.rules import report
from vocalio_audio.types import FloatAudio

AUDIO_SUFFIXES = frozenset(
    {".wav", ".flac", ".mp3", ".m4a", ".m4b", ".aac", ".ogg", ".oga", ".opus", ".aif", ".aiff", ".wma", ".webm"}
)


@dataclass(frozen=True)
class FileCheck:
    path: Path
    report: AudioReport | None
    error: str | None = None  # why it could not be read (then `report` is None)


def audio_files(paths: list[Path]) -> list[Path]:
    """The files named, and the audio files (by suffix) inside the folders named, in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES))
        else:
            found.append(path)
    return found


def decode_file(ffmpeg_exe: str, path: Path) -> tuple[FloatAudio, int]:
    """(samples as (frames, channels) float32, rate) of the file's first audio stream."""
    with tempfile.TemporaryDirectory(prefix="vocalio-check-") as workdir:
        target = Path(workdir) / "decoded.wav"
        args = ["-i", str(path), "-map", "0:a:0", "-vn", "-c:a", "pcm_f32le", "-f", "wav", str(target)]
        run_ffmpeg(ffmpeg_exe, args, f"decode {path.name}")
        samples, rate = soundfile.read(target, dtype="float32", always_2d=True)
    return samples, int(rate)


def check_file(ffmpeg_exe: str, path: Path, preset: Preset) -> FileCheck:
    if not path.is_file():
        return FileCheck(path, None, "no such file")
    try:
        samples, rate = decode_file(ffmpeg_exe, path)
    except VocalioError as error:
        return FileCheck(path, None, str(error.context.get("stderr") or error.message).strip()[-200:])
    if samples.size == 0:
        return FileCheck(path, None, "no audio samples")
    audio = samples[:, 0] if samples.shape[1] == 1 else samples
    mp3 = read_mp3_stream(path) if path.suffix.lower() == ".mp3" else None
    return FileCheck(path, report(measure(audio, rate, timeline=False), preset, mp3))
