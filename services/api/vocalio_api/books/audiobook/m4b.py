"""The book as m4b: the chapters' AAC pieces muxed without re-encoding (`-c copy`, concat demuxer),
chapter markers at the pieces' real starts, the cover as attached picture, the tags Audiobookshelf
and Apple's players read, the index first. Long books split into parts at chapter boundaries.

Why the starts are measured, not summed from the masters: each AAC piece starts with 1024 samples of
encoder priming and ends on a whole frame, and `-c copy` keeps every frame of every piece, so chapter
n starts after all the frames of the chapters before it. The concat list gives each piece exactly
that length (`duration`), so the m4b's timestamps run frame after frame with no overlap and its
timeline is the decoded audio, sample for sample: the markers, a player's seek and the audio agree.
"""

import math
import time
from pathlib import Path

import structlog
from vocalio_audio.ffmpeg import default_ffmpeg_exe, run_ffmpeg
from vocalio_shared.codecs import BOOK_AAC_BITRATE_BPS, BOOK_SAMPLE_RATE_HZ
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.books import BOOK_PART_MAX_S, BookMetadata

from vocalio_api.books.audiobook.archive import safe_filename
from vocalio_api.books.audiobook.chapters import BOOK_FFMPEG_TIMEOUT_S, aac_piece_samples
from vocalio_api.books.audiobook.cover import cover_extension, cover_kind
from vocalio_api.books.audiobook.mp4atoms import finish_mp4
from vocalio_api.books.audiobook.tags import MP4_NATIVE_KEYS, book_tags
from vocalio_api.books.audiobook.types import ChapterAudio, PartChapter, PartPlan
from vocalio_api.temp_files import scratch_dir

log = structlog.get_logger("api.books.audiobook")

# A part stays far below the 4 GiB that FAT32 and 32-bit chunk offsets cannot pass: 2 GB is also
# where readers with signed 32-bit sizes stop. At 64 kbit/s that is ~70 hours, so in practice the
# duration rule (BOOK_PART_MAX_S) splits first; the size rule guards a raised part limit.
PART_MAX_BYTES = 2_000_000_000
FILE_LIMIT_BYTES = 4 * 1024**3 - 1
_MUX_OVERHEAD_BYTES = 1024 * 1024  # index, chapter track, tags; the pieces' own indexes count too
# The audio track's language (mdhd, ISO 639-2) from the book's BCP 47 tag.
_ISO_639_2 = {
    "es": "spa", "ca": "cat", "gl": "glg", "eu": "eus", "pt": "por", "en": "eng", "fr": "fra", "de": "deu", "it": "ita",
}  # fmt: skip


def _estimated_bytes(samples: list[int], sizes: list[int], cover_bytes: int) -> int:
    # The larger of what the pieces weigh and what the bitrate says (5 % for AAC's bit reservoir).
    duration_s = sum(samples) / BOOK_SAMPLE_RATE_HZ
    by_bitrate = int(duration_s * BOOK_AAC_BITRATE_BPS / 8 * 1.05)
    return max(sum(sizes), by_bitrate) + cover_bytes + _MUX_OVERHEAD_BYTES


def _balanced(durations: list[float], count: int) -> list[list[int]]:
    """`count` runs of consecutive chapters, cut at the chapter boundaries nearest equal shares."""
    cumulative = [0.0]
    for duration in durations:
        cumulative.append(cumulative[-1] + duration)
    total, n = cumulative[-1], len(durations)
    cuts: list[int] = []
    for k in range(1, count):
        low = (cuts[-1] if cuts else 0) + 1
        high = n - (count - k)
        target = total * k / count
        cuts.append(min(range(low, high + 1), key=lambda b: abs(cumulative[b] - target)))
    bounds = [0, *cuts, n]
    return [list(range(bounds[i], bounds[i + 1])) for i in range(count)]


def partition(
    durations: list[float], sizes: list[int], max_s: float, max_bytes: int, cover_bytes: int = 0
) -> list[list[int]]:
    """Chapter indexes per part: as few parts as the limits allow, of about equal length, never a
    chapter cut in two (one chapter over a limit is a part of its own)."""
    samples = [round(d * BOOK_SAMPLE_RATE_HZ) for d in durations]

    def fits(group: list[int]) -> bool:
        return len(group) == 1 or (
            sum(durations[i] for i in group) <= max_s
            and _estimated_bytes([samples[i] for i in group], [sizes[i] for i in group], cover_bytes) <= max_bytes
        )

    n = len(durations)
    count = max(
        1,
        math.ceil(sum(durations) / max_s),
        math.ceil(_estimated_bytes(samples, sizes, cover_bytes) / max_bytes),
    )
    while count < n:
        groups = _balanced(durations, count)
        if all(fits(group) for group in groups):
            return groups
        count += 1
    return [[i] for i in range(n)]


def plan_parts(
    chapters: list[ChapterAudio],
    aac_pieces: list[Path],
    part_max_s: float = BOOK_PART_MAX_S,
    *,
    cover_bytes: int = 0,
    part_max_bytes: int = PART_MAX_BYTES,
) -> list[PartPlan]:
    """The m4b files a book makes and where each chapter starts in its part (measured pieces, no
    ffmpeg run: the book service may call it to report chapter starts)."""
    if not chapters or len(chapters) != len(aac_pieces):
        raise ValueError("one AAC piece per chapter, at least one chapter")
    if len({chapter.number for chapter in chapters}) != len(chapters):
        raise ValueError("chapter numbers must be unique")
    samples = [aac_piece_samples(piece) for piece in aac_pieces]
    sizes = [piece.stat().st_size for piece in aac_pieces]
    durations = [count / BOOK_SAMPLE_RATE_HZ for count in samples]
    groups = partition(durations, sizes, part_max_s, part_max_bytes, cover_bytes)
    plans = []
    for number, group in enumerate(groups, start=1):
        start = 0
        placed = []
        for index in group:
            chapter = chapters[index]
            placed.append(
                PartChapter(
                    number=chapter.number,
                    title=chapter.title,
                    start_s=start / BOOK_SAMPLE_RATE_HZ,
                    end_s=(start + samples[index]) / BOOK_SAMPLE_RATE_HZ,
                )
            )
            start += samples[index]
        warnings = []
        if len(group) == 1 and durations[group[0]] > part_max_s:
            chapter = chapters[group[0]]
            warnings.append(
                f"chapter {chapter.number} ({chapter.title!r}) alone lasts {durations[group[0]] / 3600:.1f} h, "
                f"over the {part_max_s / 3600:.1f} h part limit: it is a part of its own, not cut"
            )
        plans.append(
            PartPlan(
                number=number,
                count=len(groups),
                chapters=placed,
                duration_s=start / BOOK_SAMPLE_RATE_HZ,
                estimated_bytes=_estimated_bytes([samples[i] for i in group], [sizes[i] for i in group], cover_bytes),
                warnings=warnings,
            )
        )
    return plans


def _ffmetadata_escape(value: str) -> str:
    # FFMETADATA: '=', ';', '#', '\' and newlines are escaped with a backslash.
    out = []
    for char in value:
        if char in "=;#\\\n":
            out.append("\\")
        out.append(char)
    return "".join(out)


def _ffmetadata(tags: dict[str, str], chapters: list[PartChapter]) -> str:
    lines = [";FFMETADATA1"]
    lines += [f"{_ffmetadata_escape(key)}={_ffmetadata_escape(value)}" for key, value in tags.items()]
    for chapter in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(chapter.start_s * 1000)}",
            f"END={round(chapter.end_s * 1000)}",
            f"title={_ffmetadata_escape(chapter.title)}",
        ]
    return "\n".join(lines) + "\n"


def _concat_list(pieces: list[Path], durations_s: list[float]) -> str:
    lines = ["ffconcat version 1.0"]
    for piece, duration_s in zip(pieces, durations_s, strict=True):
        quoted = str(piece.resolve()).replace("'", "'\\''")
        lines += [f"file '{quoted}'", f"duration {duration_s:.6f}"]
    return "\n".join(lines) + "\n"


def part_filename(title: str, part: int, count: int) -> str:
    suffix = f" - Parte {part} de {count}" if count > 1 else ""
    return f"{safe_filename(title, max_bytes=160)}{suffix}.m4b"


def build_m4b(
    chapters: list[ChapterAudio],
    aac_pieces: list[Path],
    metadata: BookMetadata,
    cover: bytes | None,
    cover_media_type: str | None,
    out_dir: Path,
    part_max_s: float = BOOK_PART_MAX_S,
    *,
    part_max_bytes: int = PART_MAX_BYTES,
    ffmpeg_exe: str | None = None,
) -> list[Path]:
    """The book's m4b file(s) in `out_dir`: "<title>.m4b", or "<title> - Parte n de m.m4b" per part.

    `aac_pieces[i]` is `encode_aac(chapters[i].master_path)`. Nothing is re-encoded (the cover
    only when it is neither JPEG nor PNG; `cover_media_type` is a hint, the bytes decide). Each
    file is written beside its final name and renamed, so a crash never leaves a short m4b."""
    del cover_media_type  # the bytes say what the cover is
    exe = ffmpeg_exe or default_ffmpeg_exe()
    plans = plan_parts(chapters, aac_pieces, part_max_s, cover_bytes=len(cover or b""), part_max_bytes=part_max_bytes)
    piece_of = {chapter.number: piece for chapter, piece in zip(chapters, aac_pieces, strict=True)}
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    outputs = []
    with scratch_dir(out_dir) as work:
        cover_path = None
        if cover:
            cover_path = work / f"cover.{cover_extension(cover, None)}"
            cover_path.write_bytes(cover)
        for plan in plans:
            pieces = [piece_of[placed.number] for placed in plan.chapters]
            tags = book_tags(metadata, part=plan.number, parts=plan.count)
            native = {key: value for key, value in tags.items() if key in MP4_NATIVE_KEYS}
            freeform = {key: value for key, value in tags.items() if key not in MP4_NATIVE_KEYS}
            (work / "list.ffconcat").write_text(
                _concat_list(pieces, [placed.end_s - placed.start_s for placed in plan.chapters]), encoding="utf-8"
            )
            (work / "metadata.txt").write_text(_ffmetadata(native, plan.chapters), encoding="utf-8")
            args = ["-f", "concat", "-safe", "0", "-i", str(work / "list.ffconcat")]
            args += ["-f", "ffmetadata", "-i", str(work / "metadata.txt")]
            maps = ["-map", "0:a:0", "-c:a", "copy"]
            if cover_path is not None:
                args += ["-i", str(cover_path)]
                codec = ["-c:v", "copy"] if cover_kind(cover or b"") else ["-c:v", "mjpeg", "-q:v", "2"]
                maps += ["-map", "2:v:0", *codec, "-disposition:v:0", "attached_pic"]
            language = _ISO_639_2.get(metadata.language.split("-")[0].lower())
            if language:
                maps += ["-metadata:s:a:0", f"language={language}"]
            raw = work / "raw.m4b"
            run_ffmpeg(
                exe,
                [*args, *maps, "-map_metadata", "1", "-map_chapters", "1", "-brand", "M4B ", "-f", "ipod", str(raw)],
                f"mux part {plan.number} of {plan.count} of the m4b",
                timeout_s=BOOK_FFMPEG_TIMEOUT_S,
            )
            target = out_dir / part_filename(metadata.title, plan.number, plan.count)
            finish_mp4(raw, target, freeform)
            raw.unlink()
            if target.stat().st_size > FILE_LIMIT_BYTES:
                target.unlink()
                raise VocalioError(
                    ErrorCode.INTERNAL_ERROR,
                    "an m4b part came out over 4 GiB",
                    {"part": plan.number, "estimated_bytes": plan.estimated_bytes},
                )
            outputs.append(target)
            for warning in plan.warnings:
                log.warning("m4b part holds one chapter over the part limit", part=plan.number, warning=warning)
    log.info(
        "m4b built",
        parts=len(outputs),
        chapters=len(chapters),
        duration_s=round(sum(plan.duration_s for plan in plans), 3),
        bytes=sum(path.stat().st_size for path in outputs),
        elapsed_s=round(time.monotonic() - started, 3),
    )
    return outputs
