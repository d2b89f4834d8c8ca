"""The audiobook files' cost beside synthesis: per chapter (AAC piece, mp3) and per book (the m4b
mux, which copies the pieces), plus what one edited chapter costs again (one piece, one re-mux).

Chapters are synthetic 44.1 kHz mono FLAC masters (noise-modulated tones: AAC and MP3 work about
as hard as on speech), so no engine is needed:

    python bench/audiobook_files.py [--chapters 30] [--seconds 60]

Reports seconds of audio per second of wall time for each step, and the re-render share.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vocalio_api.books.audiobook import ChapterAudio, build_m4b, chapter_tags, encode_aac, encode_chapter
from vocalio_audio.ffmpeg import default_ffmpeg_exe
from vocalio_shared.schemas.books import BookMetadata, ChapterFormat

RATE = 44_100


def master(path: Path, seconds: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * RATE)) / RATE
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)  # syllable-rate modulation
    voice = np.sin(2 * np.pi * (140 + 40 * np.sin(2 * np.pi * 0.5 * t)) * t) + 0.3 * rng.standard_normal(t.size)
    signal = (0.2 * envelope * voice).astype(np.float32)
    subprocess.run(
        [default_ffmpeg_exe(), "-v", "error", "-y", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
         "-c:a", "flac", "-sample_fmt", "s16", str(path)],
        input=signal.tobytes(), check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chapters", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    metadata = BookMetadata(title="Banco de pruebas", authors=["Vocalio"], series="Bench", series_part="1")
    with tempfile.TemporaryDirectory() as workdir:
        folder = Path(workdir)
        chapters = []
        for number in range(1, args.chapters + 1):
            path = folder / f"m{number}.flac"
            master(path, args.seconds, number)
            chapters.append(ChapterAudio(number, f"Capítulo {number}", path, args.seconds))
        audio_s = args.chapters * args.seconds
        started = time.perf_counter()
        pieces = [encode_aac(c.master_path, folder / f"p{c.number}.m4a") for c in chapters]
        aac_s = time.perf_counter() - started
        started = time.perf_counter()
        for c in chapters:
            tags = chapter_tags(metadata, number=c.number, count=len(chapters), title=c.title)
            encode_chapter(c.master_path, ChapterFormat.MP3, folder / f"c{c.number}.mp3", tags)
        mp3_s = time.perf_counter() - started
        started = time.perf_counter()
        (m4b,) = build_m4b(chapters, pieces, metadata, None, None, folder / "out")
        mux_s = time.perf_counter() - started
        started = time.perf_counter()  # one chapter edited: its piece and its mp3 again, then the re-mux
        encode_aac(chapters[0].master_path, pieces[0])
        encode_chapter(chapters[0].master_path, ChapterFormat.MP3, folder / "c1.mp3", {})
        build_m4b(chapters, pieces, metadata, None, None, folder / "out")
        edit_s = time.perf_counter() - started
        first_s = aac_s + mp3_s + mux_s
        print(f"book: {args.chapters} chapters, {audio_s / 60:.1f} min of audio, m4b {m4b.stat().st_size / 1e6:.1f} MB")
        print(f"AAC pieces: {aac_s:.2f} s ({audio_s / aac_s:.0f}x real time)")
        print(f"mp3 chapters: {mp3_s:.2f} s ({audio_s / mp3_s:.0f}x real time)")
        print(f"m4b mux (copy): {mux_s:.2f} s ({audio_s / mux_s:.0f}x real time)")
        print(f"first build: {first_s:.2f} s; after one edit: {edit_s:.2f} s ({100 * edit_s / first_s:.1f} %)")


if __name__ == "__main__":
    main()
