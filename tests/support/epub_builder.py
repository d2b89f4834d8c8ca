"""Real EPUB 2/3 files for tests, built with zipfile: `build_epub(version=3, chapters=[...]) -> bytes`.

A book is a list of pages (one XHTML file each) in reading order: `front + chapters + back`.
A page is a `Page`, or a `(title, text)` pair made into one by `chapter()` (an <h1> with the title,
one <p> per paragraph of the text, separated by blank lines). Each page lists its table-of-contents
entries (`toc`: (title, fragment) pairs; [] keeps it out of the TOC). The manifest is written in
the reverse of the reading order by default, so an importer that follows the manifest is caught.

    from tests.support.epub_builder import Page, build_epub, chapter
    data = build_epub(version=2, chapters=[("Capítulo 1", "Era una noche."), ("Capítulo 2", "Amaneció.")],
                      front=[Page("cover.xhtml", '<img src="cover.png"/>', epub_type="cover")],
                      metadata={"title": "El libro", "authors": ["Ana Pérez"]}, cover=tiny_png())
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

XHTML11_DOCTYPE = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">'


@dataclass
class Page:
    name: str  # file name under OEBPS/, e.g. "ch1.xhtml"
    body: str  # the inner XHTML of <body>
    toc: list[tuple[str, str | None]] = field(default_factory=list)  # (title, fragment) entries
    epub_type: str | None = None  # on <body>
    linear: bool = True
    title: str | None = None  # <title>; the first TOC title by default
    guide: str | None = None  # EPUB 2 <guide> reference type (cover, title-page, copyright-page, toc, ...)
    raw: bytes | None = None  # the whole file as given (hostile documents); body is then ignored


def paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


def chapter(title: str, text: str, name: str | None = None, epub_type: str | None = None, in_toc: bool = True) -> Page:
    """A chapter page: <h1>title</h1> and the text's paragraphs; in the TOC under its title."""
    return Page(
        name or "",
        f"<h1>{escape(title)}</h1>{paragraphs(text)}",
        toc=[(title, None)] if in_toc else [],
        epub_type=epub_type,
        title=title,
    )


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A valid PNG (grey pixels), for covers."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def xhtml(page: Page, version: int, doctype: bool) -> bytes:
    if page.raw is not None:
        return page.raw
    body_type = f' epub:type="{page.epub_type}"' if page.epub_type else ""
    title = escape(page.title or (page.toc[0][0] if page.toc else page.name))
    head = XHTML11_DOCTYPE if doctype and version == 2 else ("<!DOCTYPE html>" if version == 3 else "")
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{head}'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
        f"<head><title>{title}</title></head><body{body_type}>{page.body}</body></html>"
    ).encode()


def _metadata_xml(meta: dict[str, Any], version: int) -> str:
    title = meta.get("title", "Libro de prueba")  # None: no dc:title at all
    parts = [f'<dc:title id="t1">{escape(title)}</dc:title>'] if title is not None else []
    if version == 3 and title is not None:
        parts.append('<meta refines="#t1" property="title-type">main</meta>')
        if meta.get("subtitle"):
            parts.append(f'<dc:title id="t2">{escape(meta["subtitle"])}</dc:title>')
            parts.append('<meta refines="#t2" property="title-type">subtitle</meta>')
    for n, author in enumerate(meta.get("authors", ["Autora de Prueba"]), start=1):
        if version == 3:
            parts.append(f'<dc:creator id="a{n}">{escape(author)}</dc:creator>')
            parts.append(f'<meta refines="#a{n}" property="role" scheme="marc:relators">aut</meta>')
        else:
            parts.append(f'<dc:creator opf:role="aut">{escape(author)}</dc:creator>')
    for n, other in enumerate(meta.get("contributors", []), start=1):  # (name, role)
        name, role = other
        if version == 3:
            parts.append(f'<dc:contributor id="c{n}">{escape(name)}</dc:contributor>')
            parts.append(f'<meta refines="#c{n}" property="role" scheme="marc:relators">{role}</meta>')
        else:
            parts.append(f'<dc:contributor opf:role="{role}">{escape(name)}</dc:contributor>')
    parts.append(f"<dc:language>{meta.get('language', 'es')}</dc:language>")
    parts.append(f'<dc:identifier id="uid">{escape(meta.get("identifier", "urn:uuid:1234-5678"))}</dc:identifier>')
    if meta.get("isbn"):
        scheme = "" if version == 3 else ' opf:scheme="ISBN"'
        parts.append(f"<dc:identifier{scheme}>{escape(meta['isbn'])}</dc:identifier>")
    for key in ("publisher", "date", "description"):
        if meta.get(key):
            parts.append(f"<dc:{key}>{escape(meta[key])}</dc:{key}>")
    for subject in meta.get("subjects", []):
        parts.append(f"<dc:subject>{escape(subject)}</dc:subject>")
    if meta.get("series"):
        if version == 3 and not meta.get("calibre_series"):
            parts.append(f'<meta property="belongs-to-collection" id="s1">{escape(meta["series"])}</meta>')
            parts.append('<meta refines="#s1" property="collection-type">series</meta>')
            if meta.get("series_index"):
                parts.append(f'<meta refines="#s1" property="group-position">{meta["series_index"]}</meta>')
        else:
            parts.append(f'<meta name="calibre:series" content="{escape(meta["series"])}"/>')
            if meta.get("series_index"):
                parts.append(f'<meta name="calibre:series_index" content="{meta["series_index"]}"/>')
    if version == 3:
        parts.append('<meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>')
    return "".join(parts)


def _nav_xhtml(pages: Sequence[Page], landmarks: bool) -> bytes:
    items = "".join(
        f'<li><a href="{p.name}{"#" + frag if frag else ""}">{escape(title)}</a></li>'
        for p in pages
        for title, frag in p.toc
    )
    marks = ""
    if landmarks:
        marks = '<nav epub:type="landmarks"><ol>' + "".join(
            f'<li><a epub:type="{p.epub_type}" href="{p.name}">{escape(p.name)}</a></li>' for p in pages if p.epub_type
        )
        marks += "</ol></nav>"
    return (
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html>'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
        f'<head><title>Índice</title></head><body><nav epub:type="toc" id="toc"><h1>Índice</h1><ol>{items}</ol></nav>'
        f"{marks}</body></html>"
    ).encode()


def _ncx(pages: Sequence[Page], title: str) -> bytes:
    points = []
    order = 0
    for p in pages:
        for entry_title, frag in p.toc:
            order += 1
            src = f"{p.name}#{frag}" if frag else p.name
            points.append(
                f'<navPoint id="np{order}" playOrder="{order}"><navLabel><text>{escape(entry_title)}</text>'
                f'</navLabel><content src="{src}"/></navPoint>'
            )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
        f'<head><meta name="dtb:uid" content="x"/></head><docTitle><text>{escape(title)}</text></docTitle>'
        f"<navMap>{''.join(points)}</navMap></ncx>"
    ).encode()


def build_epub(
    version: int = 3,
    chapters: Sequence[Page | tuple[str, str]] = (),
    front: Sequence[Page | tuple[str, str]] = (),
    back: Sequence[Page | tuple[str, str]] = (),
    *,
    metadata: dict[str, Any] | None = None,
    cover: bytes | None = None,
    cover_media_type: str = "image/png",
    cover_in_opf: bool = True,
    toc: bool = True,
    ncx: bool | None = None,
    landmarks: bool = False,
    manifest_order: str = "reversed",
    doctype: bool = True,
    extra_files: dict[str, bytes] | None = None,
    encryption_xml: str | None = None,
    mimetype: bytes = b"application/epub+zip",
) -> bytes:
    """An EPUB of `front + chapters + back` in that reading order (see the module docstring).

    `cover_in_opf=False` stores the cover image without naming it as the cover (EPUB 3 property,
    EPUB 2 meta) and as images/i1.<ext>; `toc=False` writes neither nav nor NCX (headings are then
    the only structure); `ncx` defaults to
    EPUB 2 only; `manifest_order` is "reversed" (default) or "spine"."""
    meta = metadata or {}
    pages: list[Page] = []
    for n, item in enumerate([*front, *chapters, *back], start=1):
        page = chapter(*item) if isinstance(item, tuple) else item
        if not page.name:
            page.name = f"ch{n:02d}.xhtml"
        pages.append(page)
    with_ncx = (version == 2) if ncx is None else ncx
    manifest = [
        f'<item id="p{n}" href="{p.name}" media-type="application/xhtml+xml"/>' for n, p in enumerate(pages, start=1)
    ]
    if manifest_order == "reversed":
        manifest.reverse()
    spine_attr = ' toc="ncx"' if with_ncx and toc else ""
    no = ' linear="no"'
    spine = "".join(f'<itemref idref="p{n}"{"" if p.linear else no}/>' for n, p in enumerate(pages, start=1))
    files: dict[str, bytes] = {}
    extra_meta = ""
    if toc and version == 3:
        manifest.append('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>')
        files["OEBPS/nav.xhtml"] = _nav_xhtml(pages, landmarks)
    if toc and with_ncx:
        manifest.append('<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
        files["OEBPS/toc.ncx"] = _ncx(pages, meta.get("title") or "Libro de prueba")
    if cover is not None:
        ext = cover_media_type.split("/")[-1].replace("jpeg", "jpg")
        props = ' properties="cover-image"' if version == 3 and cover_in_opf else ""
        # Not in the OPF: a neutral name, so only a cover page's <img> can lead to it.
        name, item_id = (f"cover.{ext}", "cover-img") if cover_in_opf else (f"i1.{ext}", "i1")
        manifest.append(f'<item id="{item_id}" href="images/{name}" media-type="{cover_media_type}"{props}/>')
        files[f"OEBPS/images/{name}"] = cover
        if version == 2 and cover_in_opf:
            extra_meta = '<meta name="cover" content="cover-img"/>'
    guide = "".join(f'<reference type="{p.guide}" href="{p.name}" title="{p.guide}"/>' for p in pages if p.guide)
    opf = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="{version}.0" unique-identifier="uid">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">'
        f"{_metadata_xml(meta, version)}{extra_meta}</metadata>"
        f"<manifest>{''.join(manifest)}</manifest><spine{spine_attr}>{spine}</spine>"
        f"{'<guide>' + guide + '</guide>' if guide else ''}</package>"
    )
    files["OEBPS/content.opf"] = opf.encode()
    for page in pages:
        files[f"OEBPS/{page.name}"] = xhtml(page, version, doctype)
    if encryption_xml is not None:
        files["META-INF/encryption.xml"] = encryption_xml.encode()
    files.update(extra_files or {})

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
        for name, data in files.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip holding exactly `members` (names written as given: hostile names included)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compress)
    return buffer.getvalue()
