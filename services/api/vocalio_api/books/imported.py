"""What an import hands the book service: the detected structure, before anything is stored.

`vocalio_api.books.importing.import_book(data, filename, media_type, include_footnotes)` returns one
of these or raises VocalioError (BOOK_UNREADABLE, BOOK_UNSAFE, BOOK_TOO_LARGE, BOOK_EMPTY).
"""

from dataclasses import dataclass, field

from vocalio_shared.schemas.books import BookMetadataPatch, MatterKind


@dataclass(frozen=True)
class ImportedSection:
    """One chapter or piece of front/back matter, in reading order."""

    title: str
    text: str  # plain text to be read: paragraphs separated by blank lines, footnotes already removed
    kind: MatterKind = MatterKind.CHAPTER
    included: bool = True  # False for set-aside matter (the client may include it)
    source: str | None = None  # EPUB: "OEBPS/ch1.xhtml#sec2" (first file, first anchor); TXT: "line 12"


@dataclass(frozen=True)
class ImportedBook:
    source_format: str  # "epub" | "txt"
    metadata: BookMetadataPatch  # what the source itself says (dc:title, dc:creator, ...)
    sections: list[ImportedSection]
    cover: bytes | None = None
    cover_media_type: str | None = None
    warnings: list[str] = field(default_factory=list)
