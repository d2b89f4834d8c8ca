"""Hostile input: the upload and zip limits, member reads with a cap, and the one hardened XML parser.

Everything an EPUB holds is untrusted. Member names are only ever looked up in the zip's own listing
(nothing is written to disk), yet names that would escape a directory are refused outright, so a
file that tries it is reported rather than half-read. Sizes declared in the zip are checked before
anything is inflated and again while inflating, because a crafted zip may lie about them.
"""

import html.entities
import io
import lzma
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.books import (
    MAX_BOOK_CHARS,
    MAX_BOOK_UNPACKED_BYTES,
    MAX_BOOK_UPLOAD_BYTES,
    MAX_CHAPTER_CHARS,
    MAX_CHAPTERS,
    MAX_COVER_BYTES,
    MAX_EPUB_COMPRESSION_RATIO,
    MAX_EPUB_MEMBERS,
)

# A member smaller than this once inflated is never a bomb, whatever its ratio (a page of spaces
# compresses 1000:1 and is harmless).
BOMB_MIN_BYTES = 1024 * 1024

# Errors the zip and decompression modules raise on damaged or crafted archives.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    struct.error,
    OverflowError,
)


@dataclass(frozen=True)
class ImportLimits:
    """The import's limits; the shared constants by default (tests lower them)."""

    upload_bytes: int = MAX_BOOK_UPLOAD_BYTES
    unpacked_bytes: int = MAX_BOOK_UNPACKED_BYTES
    members: int = MAX_EPUB_MEMBERS
    compression_ratio: float = MAX_EPUB_COMPRESSION_RATIO
    bomb_min_bytes: int = BOMB_MIN_BYTES
    chapters: int = MAX_CHAPTERS
    chapter_chars: int = MAX_CHAPTER_CHARS
    book_chars: int = MAX_BOOK_CHARS
    cover_bytes: int = MAX_COVER_BYTES


def unreadable(message: str, **context: object) -> VocalioError:
    return VocalioError(ErrorCode.BOOK_UNREADABLE, message, context)


def unsafe(message: str, **context: object) -> VocalioError:
    return VocalioError(ErrorCode.BOOK_UNSAFE, message, context)


def too_large(message: str, **context: object) -> VocalioError:
    return VocalioError(ErrorCode.BOOK_TOO_LARGE, message, context)


def check_upload_size(data: bytes, limits: ImportLimits) -> None:
    if len(data) > limits.upload_bytes:
        raise too_large(
            f"the upload is {len(data)} bytes; the largest book file accepted is {limits.upload_bytes} bytes",
            size_bytes=len(data),
            limit_bytes=limits.upload_bytes,
        )


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_member_name(name: str) -> str | None:
    """Why a zip member name could escape its directory (None: it cannot)."""
    if "\\" in name:
        return "a backslash in a member name"
    if name.startswith("/"):
        return "an absolute member path"
    if _DRIVE.match(name):
        return "a drive letter in a member name"
    if "\x00" in name:
        return "a NUL byte in a member name"
    if ".." in name.split("/"):
        return "a '..' component in a member name (path traversal)"
    return None


_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # zip64 end of central directory record
_LOCATOR64 = struct.Struct("<4sLQL")
CD_BYTES_PER_MEMBER = 1024  # a generous central-directory entry; real EPUB names are far shorter


def _central_directory(data: bytes) -> tuple[int, int] | None:
    """(entries, central directory bytes) as the zip declares them, read before zipfile parses the
    directory: a crafted one can declare millions of entries, each an object in memory."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if at < 0 or at + _EOCD.size > len(data):
        return None
    _, _, _, _, entries, size, _, _ = _EOCD.unpack_from(data, at)
    if entries == 0xFFFF or size == 0xFFFFFFFF:
        locator = at - _LOCATOR64.size
        if locator < 0 or data[locator : locator + 4] != b"PK\x06\x07":
            return None
        offset = _LOCATOR64.unpack_from(data, locator)[2]
        if offset + _EOCD64.size > len(data) or data[offset : offset + 4] != b"PK\x06\x06":
            return None
        fields = _EOCD64.unpack_from(data, offset)
        entries, size = fields[6], fields[7]
    return entries, size


class SafeZip:
    """A zip opened for reading after its listing passed the limits; reads are capped while inflating."""

    def __init__(self, data: bytes, limits: ImportLimits) -> None:
        self._limits = limits
        declared = _central_directory(data)
        if declared is not None and (
            declared[0] > limits.members or declared[1] > limits.members * CD_BYTES_PER_MEMBER + 1024 * 1024
        ):
            raise unsafe(
                f"the EPUB declares {declared[0]} files; at most {limits.members} are accepted",
                members=declared[0],
                limit=limits.members,
            )
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except ZIP_ERRORS as exc:
            raise unreadable(f"not a readable zip file, so not an EPUB ({exc})") from None
        if len(infos) > limits.members:
            raise unsafe(
                f"the EPUB holds {len(infos)} files; at most {limits.members} are accepted",
                members=len(infos),
                limit=limits.members,
            )
        self._infos: dict[str, zipfile.ZipInfo] = {}
        declared = 0
        for info in infos:
            reason = unsafe_member_name(info.filename)
            if reason:
                raise unsafe(f"refused: {reason}", member=info.filename[:300])
            if info.filename in self._infos:
                raise unsafe("refused: two members with the same name", member=info.filename[:300])
            self._infos[info.filename] = info
            declared += info.file_size
            self._check_ratio(info.filename, info.file_size, info.compress_size)
        if declared > limits.unpacked_bytes:
            raise unsafe(
                f"the EPUB would inflate to {declared} bytes; at most {limits.unpacked_bytes} are accepted",
                unpacked_bytes=declared,
                limit_bytes=limits.unpacked_bytes,
            )
        self._inflated = 0  # all reads together, counted while inflating

    def _check_ratio(self, name: str, inflated: int, compressed: int) -> None:
        if inflated <= self._limits.bomb_min_bytes:
            return
        if inflated / max(compressed, 1) > self._limits.compression_ratio:
            raise unsafe(
                "refused: a member compresses far beyond any real book content (zip bomb)",
                member=name[:300],
                ratio=round(inflated / max(compressed, 1)),
                limit_ratio=self._limits.compression_ratio,
            )

    def names(self) -> set[str]:
        return set(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def size(self, name: str) -> int:
        return self._infos[name].file_size

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """The member inflated, refusing it as soon as it passes its declared size, the book's
        unpacked budget, the zip-bomb ratio or `max_bytes`."""
        info = self._infos.get(name)
        if info is None:
            raise unreadable(f"the EPUB names a file it does not contain: {name[:300]}", member=name[:300])
        if info.flag_bits & 0x1:
            raise unreadable(
                f"{name[:300]} is encrypted (password or DRM-protected); send a DRM-free EPUB", member=name[:300]
            )
        if max_bytes is not None and info.file_size > max_bytes:
            raise too_large(f"{name[:300]} is over {max_bytes} bytes", member=name[:300], limit_bytes=max_bytes)
        # zipfile stops at the declared size (and a member that lied fails its CRC); the budget and
        # the ratio are checked again on what really comes out.
        budget = self._limits.unpacked_bytes - self._inflated
        chunks: list[bytes] = []
        got = 0
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(64 * 1024):
                    got += len(chunk)
                    if got > budget:
                        raise unsafe(
                            "refused: the EPUB inflates beyond the unpacked limit",
                            member=name[:300],
                            limit_bytes=self._limits.unpacked_bytes,
                        )
                    self._check_ratio(name, got, info.compress_size)
                    chunks.append(chunk)
        except VocalioError:
            raise
        except ZIP_ERRORS as exc:
            raise unreadable(f"{name[:300]} is damaged in the zip ({exc})", member=name[:300]) from None
        self._inflated += got
        return b"".join(chunks)


# --- XML -------------------------------------------------------------------------------------

_XML_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_NAMED_REF = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def _html_ref_to_numeric(match: re.Match[bytes]) -> bytes:
    """&nbsp; → &#160;: EPUB 2 XHTML often uses HTML's named entities, which XML without the
    (never loaded) DTD does not know."""
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    chars = html.entities.html5.get(name.decode("ascii") + ";")
    if chars is None:
        return match.group(0)
    return b"".join(b"&#%d;" % ord(c) for c in chars)


def html_entity_text(name: str) -> str:
    """The text of an HTML named entity left as a reference by the parser ('' if unknown)."""
    return html.entities.html5.get(name.strip("&;") + ";", "")


def refuse_entity_declarations(data: bytes, name: str) -> None:
    if _ENTITY_DECL.search(data):
        raise unsafe(
            f"refused: {name[:300]} declares XML entities (entity expansion / external entities)", member=name[:300]
        )


def _check_doctype(tree: etree._ElementTree, name: str) -> None:
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise unsafe(f"refused: {name[:300]} declares XML entities", member=name[:300])


def parse_xml(data: bytes, name: str, map_html_entities: bool = False) -> etree._Element:
    """Parse one document with entities, DTDs and the network off; refuse entity declarations.

    A DOCTYPE without an internal subset (the usual XHTML 1.1 one) is accepted and its DTD never
    fetched. `map_html_entities` turns HTML named references into character references first."""
    refuse_entity_declarations(data, name)
    if map_html_entities:
        data = _NAMED_REF.sub(_html_ref_to_numeric, data)
    parser = etree.XMLParser(**_XML_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.LxmlError as exc:
        raise unreadable(f"{name[:300]} is not well-formed XML ({exc})", member=name[:300]) from None
    if root is None:
        raise unreadable(f"{name[:300]} is empty", member=name[:300])
    _check_doctype(root.getroottree(), name)
    return root


def parse_html(data: bytes, name: str) -> etree._Element:
    """The fallback for XHTML that is not well-formed XML: lxml's HTML parser, network off.
    Entity declarations were refused by the XML attempt before this is ever called."""
    refuse_entity_declarations(data, name)
    try:  # without a charset the HTML parser assumes latin-1; EPUB content is UTF-8 by default
        data.decode("utf-8")
        encoding: str | None = "utf-8"
    except UnicodeDecodeError:
        encoding = None
    parser = etree.HTMLParser(
        no_network=True, remove_comments=True, remove_pis=True, huge_tree=False, encoding=encoding
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        raise unreadable(f"{name[:300]} is neither XHTML nor HTML ({exc})", member=name[:300]) from None
    if root is None:
        raise unreadable(f"{name[:300]} is empty", member=name[:300])
    return root
