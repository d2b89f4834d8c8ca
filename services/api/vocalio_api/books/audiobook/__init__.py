"""A book's audio files, from the chapters' lossless masters: the chapter delivery files, the m4b
(AAC pieces muxed with chapters, cover and tags, split into parts), the zips, captions, and the
EPUB 3 with media overlays. Pure functions over files: no database, no routes (the book service
calls them). ffmpeg is the runtime one (`vocalio_audio.ffmpeg`); nothing here needs ffprobe.
"""

from vocalio_api.books.audiobook.archive import build_book_zip, build_zip, chapter_filename, safe_filename
from vocalio_api.books.audiobook.chapters import aac_piece_samples, encode_aac, encode_chapter
from vocalio_api.books.audiobook.m4b import build_m4b, plan_parts
from vocalio_api.books.audiobook.overlays import build_overlay_epub
from vocalio_api.books.audiobook.tags import book_tags, chapter_tags
from vocalio_api.books.audiobook.types import ChapterAudio, PartChapter, PartPlan

__all__ = [
    "ChapterAudio",
    "PartChapter",
    "PartPlan",
    "aac_piece_samples",
    "book_tags",
    "build_book_zip",
    "build_m4b",
    "build_overlay_epub",
    "build_zip",
    "chapter_filename",
    "chapter_tags",
    "encode_aac",
    "encode_chapter",
    "plan_parts",
    "safe_filename",
]
