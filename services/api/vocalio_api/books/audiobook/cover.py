"""What a cover image is, from its bytes (a client's media type may be wrong)."""

# The two kinds every target takes as they are: an m4b's attached picture (covr), an EPUB's core
# media types, a zip's cover file. Anything else is re-encoded (m4b) or left out (EPUB).
_KINDS = ((b"\xff\xd8\xff", "jpg", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "png", "image/png"))
_OTHER_EXTENSIONS = {"image/webp": "webp", "image/gif": "gif", "image/avif": "avif"}


def cover_kind(cover: bytes) -> tuple[str, str] | None:
    """(extension, media type) for a JPEG or PNG cover, else None."""
    return next(((ext, media) for magic, ext, media in _KINDS if cover.startswith(magic)), None)


def cover_extension(cover: bytes, media_type: str | None) -> str:
    kind = cover_kind(cover)
    return kind[0] if kind else _OTHER_EXTENSIONS.get(media_type or "", "img")
