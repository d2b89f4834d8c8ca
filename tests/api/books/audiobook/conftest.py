"""Chapter masters made here (tones of different lengths, 44.1 kHz mono FLAC, like a chapter job's
upload) and Debian's ffprobe to read every file back. The runtime ffmpeg is imageio-ffmpeg's."""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from vocalio_api.books.audiobook import ChapterAudio, encode_aac
from vocalio_audio.ffmpeg import default_ffmpeg_exe
from vocalio_shared.schemas.books import BookMetadata
from vocalio_shared.schemas.jobs import Segment

FFPROBE = Path("/usr/bin/ffprobe")
RATE = 44_100
TAIL_SILENCE_S = 0.4  # every master ends quiet, so the next chapter's onset can be found in the m4b
CHAPTER_SECONDS = [1.3, 2.07, 0.91, 1.55]
TITLES = ["Capítulo 1", "Capítulo 2: «La noche»", "Interludio / breve", "Epílogo"]


def ffprobe(path: Path, *args: str) -> dict[str, Any]:
    if not FFPROBE.exists():
        script = Path(__file__).parents[2] / "ensure_ffprobe.sh"
        subprocess.run(["sh", str(script)], check=False)
    if not FFPROBE.exists():
        pytest.fail(f"{FFPROBE} is required (Debian's ffmpeg package): run {script}", pytrace=False)
    out = subprocess.run(
        [str(FFPROBE), "-v", "error", "-of", "json", *args, str(path)], capture_output=True, check=True, text=True
    ).stdout
    return json.loads(out)


def decode(path: Path) -> np.ndarray:
    """The file's audio as a decoder plays it (float32 mono, 44.1 kHz)."""
    pcm = subprocess.run(
        [
            default_ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-f",
            "f32le",
            "-ac",
            "1",
            "-ar",
            "44100",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(pcm, dtype=np.float32)


def write_master(path: Path, seconds: float, frequency: float) -> int:
    samples = round(seconds * RATE)
    t = np.arange(samples) / RATE
    signal = (0.3 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)
    signal[-round(TAIL_SILENCE_S * RATE) :] = 0.0
    subprocess.run(
        [default_ffmpeg_exe(), "-v", "error", "-y", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
         "-c:a", "flac", "-sample_fmt", "s16", str(path)],
        input=signal.tobytes(),
        check=True,
    )  # fmt: skip
    return samples


def sentences_for(title: str, duration_s: float) -> list[Segment]:
    """The title read first, then two sentences sharing the rest (as a chapter job reports them)."""
    third = duration_s / 3
    return [
        Segment(text=title, source_text=title, start_s=0.0, end_s=round(third, 3)),
        Segment(
            text="Era la una y media.", source_text="Era la 1:30.", start_s=round(third, 3), end_s=round(2 * third, 3)
        ),
        Segment(text="Nadie   dormía.", source_text="Nadie\ndormía.", start_s=round(2 * third, 3), end_s=duration_s),
    ]


@dataclass
class Book:
    chapters: list[ChapterAudio]
    pieces: list[Path]
    metadata: BookMetadata
    cover: bytes


@pytest.fixture(scope="session")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    folder = tmp_path_factory.mktemp("book")
    chapters, pieces = [], []
    for number, (seconds, title) in enumerate(zip(CHAPTER_SECONDS, TITLES, strict=True), start=1):
        master = folder / f"master{number}.flac"
        samples = write_master(master, seconds, 220.0 * number)
        duration = samples / RATE
        text = f"{title}\n\nEra la 1:30.\n\nNadie dormía."
        chapters.append(ChapterAudio(number, title, master, duration, sentences_for(title, duration), text))
        pieces.append(encode_aac(master, folder / f"piece{number}.m4a"))
    cover = folder / "cover.jpg"
    subprocess.run(
        [
            default_ffmpeg_exe(),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=0x336699:s=96x96",
            "-frames:v",
            "1",
            str(cover),
        ],
        check=True,
    )
    metadata = BookMetadata(
        title="La casa de los relojes",
        subtitle="Una novela breve",
        authors=["Ana Pérez", "Luis Gómez"],
        language="es-ES",
        publisher="Ediciones Prueba",
        date="2024-05-01",
        isbn="978-84-376-0494-7",
        asin="B00TEST123",
        series="Relojes",
        series_part="2",
        genre="Novela",
        description="Una casa, muchos relojes.",
    )
    return Book(chapters, pieces, metadata, cover.read_bytes())
