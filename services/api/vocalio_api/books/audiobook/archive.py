"""The book as a zip (`mp3-zip`, `flac-zip`): one file per chapter, their captions, the cover.

Audio is stored, not deflated (mp3 and flac do not shrink, and a stored member can be streamed
and range-read); text is deflated. Members over 4 GiB and archives over 65535 entries use zip64.
Names are safe on every system a listener unpacks on (Windows, macOS, Linux, FAT32 sticks).
"""

import unicodedata
import zipfile
from pathlib import Path

from vocalio_api.books.audiobook.cover import cover_extension
from vocalio_api.books.audiobook.types import ChapterAudio
from vocalio_api.captions import CaptionFormat, render
from vocalio_api.temp_files import replacing, scratch_dir

_FORBIDDEN = set('<>:"/\\|?*') | {chr(code) for code in range(32)} | {"\x7f"}
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_STORED_SUFFIXES = {".mp3", ".flac", ".wav", ".m4a", ".m4b", ".jpg", ".jpeg", ".png", ".webp", ".gif"}


def safe_filename(name: str, *, max_bytes: int = 120, fallback: str = "sin título") -> str:
    """`name` as one path component every OS accepts: NFC (macOS would store NFD and the zip would
    list both), no separators, reserved or control characters, no trailing dot or space (Windows
    drops them), not a reserved device name, at most `max_bytes` UTF-8 bytes."""
    text = unicodedata.normalize("NFC", name)
    text = "".join("-" if char in _FORBIDDEN else char for char in text)
    text = " ".join(text.split()).strip(" .")
    while len(text.encode()) > max_bytes:
        text = text[:-1]
    text = text.rstrip(" .")
    if not text:
        text = fallback
    if text.split(".")[0].upper() in _WINDOWS_RESERVED:
        text = f"_{text}"
    return text


def chapter_filename(number: int, title: str, extension: str, count: int) -> str:
    """ "01 - Capítulo 1.mp3": numbered to the width of `count`, so names sort in reading order."""
    width = max(2, len(str(count)))
    return f"{number:0{width}d} - {safe_filename(title)}.{extension.lstrip('.')}"


def build_zip(files: list[tuple[str, Path]], out: Path) -> Path:
    """A zip at `out` with each (name in the archive, file) in order. Names are made safe and
    unique ("x.mp3", "x (2).mp3"). Written beside `out` and renamed: never a half zip."""
    seen: set[str] = set()
    with replacing(out) as partial, zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
        for name, path in files:
            stem, dot, suffix = name.rpartition(".")
            if not dot:
                stem, suffix = name, ""
            base = safe_filename(stem)
            ext = f".{safe_filename(suffix)}" if suffix else ""
            candidate, copy = f"{base}{ext}", 2
            while candidate.casefold() in seen:  # case-insensitive systems would overwrite
                candidate, copy = f"{base} ({copy}){ext}", copy + 1
            seen.add(candidate.casefold())
            method = zipfile.ZIP_STORED if ext.lower() in _STORED_SUFFIXES else zipfile.ZIP_DEFLATED
            archive.write(path, candidate, compress_type=method)
    return out


def build_book_zip(
    chapters: list[ChapterAudio],
    chapter_files: list[Path],
    out: Path,
    *,
    cover: bytes | None = None,
    cover_media_type: str | None = None,
    caption_format: CaptionFormat | None = CaptionFormat.VTT,
    extras: list[tuple[str, bytes]] | None = None,
) -> Path:
    """`mp3-zip` / `flac-zip`: "01 - Título.mp3" per chapter (the extension is the file's), with
    "01 - Título.vtt" beside it when the chapter has segments, "cover.jpg" when given, and each of
    `extras` (name, content) after them (the quality report: report.json, report.csv)."""
    count = len(chapters)
    with scratch_dir(out.parent) as scratch:
        files: list[tuple[str, Path]] = []
        if cover:
            cover_path = scratch / f"cover.{cover_extension(cover, cover_media_type)}"
            cover_path.write_bytes(cover)
            files.append((cover_path.name, cover_path))
        for chapter, path in zip(chapters, chapter_files, strict=True):
            files.append((chapter_filename(chapter.number, chapter.title, path.suffix, count), path))
            if caption_format is not None and chapter.segments:
                captions = scratch / f"{chapter.number}.{caption_format.value}"
                captions.write_text(render(chapter.segments, caption_format), encoding="utf-8")
                files.append((chapter_filename(chapter.number, chapter.title, caption_format.value, count), captions))
        for name, content in extras or []:
            extra = scratch / name
            extra.write_bytes(content)
            files.append((name, extra))
        return build_zip(files, out)
