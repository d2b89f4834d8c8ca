"""One chapter's files from its lossless master: the delivery file (mp3/flac/wav) and the AAC piece
the m4b is muxed from. Each is made once per master: an edit re-encodes only its own chapter."""

from pathlib import Path

import soundfile
from vocalio_audio.ffmpeg import default_ffmpeg_exe, run_ffmpeg
from vocalio_shared.codecs import (
    AAC_FRAME_SAMPLES,
    BOOK_AAC_FFMPEG_ARGS,
    BOOK_CHAPTER_FFMPEG_ARGS,
    BOOK_SAMPLE_RATE_HZ,
)
from vocalio_shared.schemas.books import ChapterFormat

from vocalio_api.books.audiobook.mp4atoms import audio_frame_span
from vocalio_api.temp_files import replacing

# A chapter (up to ~4 h at MAX_CHAPTER_CHARS) encodes in a minute or two even on a busy machine, and
# a part muxes in seconds; this only stops a hung ffmpeg.
BOOK_FFMPEG_TIMEOUT_S = 1800


def _metadata_args(tags: dict[str, str]) -> list[str]:
    return [arg for key, value in tags.items() for arg in ("-metadata", f"{key}={value}")]


def encode_chapter(
    master: Path, fmt: ChapterFormat, out: Path, tags: dict[str, str], *, ffmpeg_exe: str | None = None
) -> Path:
    """The chapter's delivery file at `out`: mp3 CBR 192 kbit/s, flac or wav (16-bit), all 44.1 kHz
    mono, with `tags` (see `tags.chapter_tags`)."""
    # Written beside `out` under a name of this writer's own, then renamed: a crash leaves a temp file
    # (swept, see temp_files), never a short chapter file, and two API replicas never share one.
    with replacing(out) as partial:
        run_ffmpeg(
            ffmpeg_exe or default_ffmpeg_exe(),
            [
                "-i", str(master), "-map", "0:a:0", "-map_metadata", "-1",
                "-ar", str(BOOK_SAMPLE_RATE_HZ), "-ac", "1",
                *BOOK_CHAPTER_FFMPEG_ARGS[ChapterFormat(fmt).value], *_metadata_args(tags), str(partial),
            ],
            f"encode chapter {master.name} as {fmt}",
            timeout_s=BOOK_FFMPEG_TIMEOUT_S,
        )  # fmt: skip
    return out


def encode_aac(master: Path, out: Path, *, ffmpeg_exe: str | None = None) -> Path:
    """The chapter's AAC piece (AAC-LC 64 kbit/s, 44.1 kHz mono, in .m4a), no tags: the m4b
    carries them. Copied as it is (`-c copy`) into every m4b the book is muxed into.

    A frame-aligned master (44.1 kHz, a whole number of AAC frames: what chapter jobs upload) is
    encoded without its one-frame silent lead-in, so the piece decodes to the master's exact length
    (the encoder's priming takes the lead-in's place; see `codecs.AAC_FRAME_SAMPLES`)."""
    lead_in = ["-af", f"atrim=start_sample={AAC_FRAME_SAMPLES}"] if frame_aligned(master) else []
    with replacing(out) as partial:
        run_ffmpeg(
            ffmpeg_exe or default_ffmpeg_exe(),
            [
                "-i", str(master), "-map", "0:a:0", "-map_metadata", "-1", *lead_in,
                "-ar", str(BOOK_SAMPLE_RATE_HZ), "-ac", "1", *BOOK_AAC_FFMPEG_ARGS, str(partial),
            ],
            f"encode the AAC piece of {master.name}",
            timeout_s=BOOK_FFMPEG_TIMEOUT_S,
        )  # fmt: skip
    return out


def frame_aligned(master: Path) -> bool:
    info = soundfile.info(str(master))
    whole_frames = info.frames > AAC_FRAME_SAMPLES and info.frames % AAC_FRAME_SAMPLES == 0
    return info.samplerate == BOOK_SAMPLE_RATE_HZ and whole_frames


def aac_piece_samples(piece: Path) -> int:
    """Samples (at 44.1 kHz) the piece takes in an m4b: all its frames, priming and padding included.

    Not the master's length: AAC adds 1024 samples of encoder delay before the audio and pads the
    last frame, so summing master durations drifts by up to ~46 ms a chapter. The m4b's chapter
    starts are sums of these. Read from the piece's sample table (milliseconds, no ffmpeg run)."""
    ticks, timescale = audio_frame_span(piece)
    return ticks if timescale == BOOK_SAMPLE_RATE_HZ else round(ticks * BOOK_SAMPLE_RATE_HZ / timescale)
