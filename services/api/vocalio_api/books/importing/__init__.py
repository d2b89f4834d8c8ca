"""Book import: an uploaded EPUB 2/3 or plain-text file → the detected structure (ImportedBook).

`import_book` is the one entry point. It stores nothing; it raises VocalioError with
BOOK_TOO_LARGE (upload, chapters, characters over the limits), BOOK_UNSAFE (zip bombs, path
traversal, XML entity declarations, too many members), BOOK_UNREADABLE (not an EPUB or text, DRM,
damaged) or BOOK_EMPTY (nothing to read once front and back matter is set aside).
"""

import structlog
from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_api.books.imported import ImportedBook
from vocalio_api.books.importing.epub import import_epub
from vocalio_api.books.importing.safety import ImportLimits, check_upload_size, too_large, unreadable
from vocalio_api.books.importing.txt import import_txt

__all__ = ["ImportLimits", "detect_format", "import_book"]

log = structlog.get_logger("api.books.import")

_ZIP_MAGIC = b"PK\x03\x04"
_TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
_EPUB_MEDIA = "application/epub+zip"
# Formats people send that are not EPUB or text: refused by name, not sniffed as text.
_OTHER_SUFFIXES = (
    ".pdf",
    ".mobi",
    ".azw",
    ".azw3",
    ".kfx",
    ".doc",
    ".docx",
    ".odt",
    ".rtf",
    ".fb2",
    ".html",
    ".htm",
    ".xhtml",
    ".zip",
    ".cbz",
    ".djvu",
    ".lit",
    ".pdb",
)
_BINARY_MAGIC = (b"%PDF", b"\xd0\xcf\x11\xe0", b"{\\rtf", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
_WRONG_FORMAT = "send an EPUB 2/3 or a plain-text file"


def detect_format(data: bytes, filename: str | None, media_type: str | None) -> str:
    """ "epub" or "txt": by content first (zip magic + mimetype), then by name and media type."""
    name = (filename or "").lower().strip()
    media = (media_type or "").lower().split(";")[0].strip()
    if data.startswith(_ZIP_MAGIC):
        # An EPUB's first member is `mimetype`, stored, saying application/epub+zip; other zips
        # are tried as EPUBs too and refused if they hold no container.xml.
        return "epub"
    if name.endswith(".epub") or media == _EPUB_MEDIA:
        raise unreadable(f"the file is named or typed as an EPUB but is not a zip archive: {_WRONG_FORMAT}")
    if data.startswith(_BINARY_MAGIC) or data[60:68] == b"BOOKMOBI":
        raise unreadable(f"the file is not an EPUB or plain text: {_WRONG_FORMAT}")
    textual = media.startswith("text/") and media not in ("text/html", "text/xml", "text/rtf")
    if name.endswith(_TEXT_SUFFIXES) or textual:
        return "txt"
    if name.endswith(_OTHER_SUFFIXES) or (media and media != "application/octet-stream"):
        raise unreadable(f"unsupported book format ({filename or media}): {_WRONG_FORMAT}")
    return "txt"  # no name, no type: text if it decodes as text (import_txt refuses binary)


def import_book(
    data: bytes,
    filename: str | None,
    media_type: str | None,
    include_footnotes: bool = False,
    *,
    limits: ImportLimits | None = None,
) -> ImportedBook:
    """Read an uploaded book and answer its structure; raise VocalioError (BOOK_*) if it cannot be."""
    limits = limits or ImportLimits()
    check_upload_size(data, limits)
    if not data.strip():
        raise VocalioError(ErrorCode.BOOK_EMPTY, "the file is empty")
    source_format = detect_format(data, filename, media_type)
    if source_format == "epub":
        book = import_epub(data, include_footnotes, limits, filename)
    else:
        book = import_txt(data, filename)
    check_limits(book, limits)
    log.info(
        "book_imported",
        source_format=book.source_format,
        sections=len(book.sections),
        chapters=sum(1 for s in book.sections if s.included),
        chars=sum(len(s.text) for s in book.sections if s.included),
        warnings=len(book.warnings),
    )
    return book


def check_limits(book: ImportedBook, limits: ImportLimits) -> None:
    if len(book.sections) > limits.chapters:
        raise too_large(
            f"the book has {len(book.sections)} sections; at most {limits.chapters} are accepted",
            sections=len(book.sections),
            limit=limits.chapters,
        )
    for number, section in enumerate(book.sections, start=1):
        if len(section.text) > limits.chapter_chars:
            raise too_large(
                f"section {number} ({section.title!r}) has {len(section.text)} characters; "
                f"a chapter may have at most {limits.chapter_chars}",
                section=number,
                title=section.title,
                chars=len(section.text),
                limit_chars=limits.chapter_chars,
            )
    total = sum(len(s.text) for s in book.sections if s.included)
    if total > limits.book_chars:
        raise too_large(
            f"the book has {total} characters to read; at most {limits.book_chars} are accepted",
            chars=total,
            limit_chars=limits.book_chars,
        )
    if not any(s.included and s.text.strip() for s in book.sections):
        listed = ", ".join(f"{s.title} ({s.kind.value})" for s in book.sections[:10])
        raise VocalioError(
            ErrorCode.BOOK_EMPTY,
            "nothing to read: no chapter with text"
            + (f" once front/back matter is set aside ({listed})" if listed else ""),
            {"sections": len(book.sections)},
        )
