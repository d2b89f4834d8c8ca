"""EPUB 2 and 3: container.xml → OPF → spine (reading order), metadata, cover, nav/NCX → sections.

Reading order is the spine's, never the manifest's. Chapter titles and boundaries come from the
EPUB 3 nav (`epub:type="toc"`) or else the EPUB 2 NCX, fragment anchors included: one file holding
several chapters is split at the anchors, and a spine file the TOC does not name continues the
chapter before it (one chapter split over several files) unless it is matter of its own. Without
a usable TOC, the book's top heading level (h1, else h2, else h3) marks the chapters.
"""

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from lxml import etree
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.books import MatterKind

from vocalio_api.books.imported import ImportedBook, ImportedSection
from vocalio_api.books.importing import matter
from vocalio_api.books.importing.metadata import read_metadata, title_from_filename
from vocalio_api.books.importing.safety import ImportLimits, SafeZip, parse_xml, unreadable
from vocalio_api.books.importing.xhtml import (
    Block,
    Document,
    clean_text,
    extract,
    local_name,
    parse_document,
    type_tokens,
)

CONTAINER = "META-INF/container.xml"
ENCRYPTION = "META-INF/encryption.xml"
OPF_NS = "http://www.idpf.org/2007/opf"
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
ENC_NS = "http://www.w3.org/2001/04/xmlenc#"
XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/xml", "text/xml"})
# Font obfuscation (IDPF, Adobe) is listed in encryption.xml too, but it is not DRM: fonts only.
_FONT_OBFUSCATION = frozenset({"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"})
MAX_TITLE_CHARS = 500
_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class ManifestItem:
    id: str
    path: str  # resolved against the OPF's folder; "" when it points outside the book
    media_type: str
    properties: frozenset[str]


@dataclass(frozen=True)
class SpineItem:
    path: str
    linear: bool


@dataclass(frozen=True)
class TocEntry:
    title: str
    path: str
    fragment: str | None


@dataclass
class Package:
    opf_path: str
    root: etree._Element
    manifest: dict[str, ManifestItem]
    spine: list[SpineItem]
    ncx_id: str | None
    guide: dict[str, MatterKind]  # file → kind, from <guide> and EPUB 3 landmarks


@dataclass
class _Section:
    title: str | None
    blocks: list[Block]
    source: str
    path: str
    from_toc: bool
    kind: MatterKind | None  # explicit evidence when it started (types, guide, title, file name)
    linear: bool = True
    fallback_title: str | None = None  # the file's <title>, when nothing better names it


def resolve(base: str, href: str) -> tuple[str | None, str | None]:
    """An href inside `base` → (member path, fragment); (None, None) for links out of the book."""
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        return None, None
    fragment = unquote(parts.fragment) or None
    if not parts.path:
        return base, fragment
    path = posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(parts.path)))
    if path.startswith("../") or path == ".." or path.startswith("/"):
        return None, None
    return path, fragment


def read_container(zf: SafeZip) -> str:
    if not zf.has(CONTAINER):
        raise unreadable("not an EPUB: META-INF/container.xml is missing")
    root = parse_xml(zf.read(CONTAINER, max_bytes=1024 * 1024), CONTAINER)
    rootfiles = [el for el in root.iter() if local_name(el) == "rootfile"]
    rootfiles.sort(key=lambda el: el.get("media-type") != "application/oebps-package+xml")
    for el in rootfiles:
        path = unquote(el.get("full-path") or "").lstrip("/")
        if path and zf.has(path):
            return path
    raise unreadable("not an EPUB: container.xml names no package document (OPF) that the file holds")


def read_encrypted(zf: SafeZip) -> set[str]:
    """Members encrypted with anything but font obfuscation: DRM."""
    if not zf.has(ENCRYPTION):
        return set()
    try:
        root = parse_xml(zf.read(ENCRYPTION, max_bytes=4 * 1024 * 1024), ENCRYPTION)
    except VocalioError as exc:
        raise unreadable(f"META-INF/encryption.xml cannot be read, so the EPUB may be DRM-protected ({exc})") from None
    encrypted: set[str] = set()
    for data in root.iter(f"{{{ENC_NS}}}EncryptedData"):
        method = data.find(f"{{{ENC_NS}}}EncryptionMethod")
        algorithm = method.get("Algorithm") if method is not None else None
        if algorithm in _FONT_OBFUSCATION:
            continue
        for ref in data.iter(f"{{{ENC_NS}}}CipherReference"):
            uri = unquote(ref.get("URI") or "").lstrip("/")
            if uri:
                encrypted.add(posixpath.normpath(uri))
    return encrypted


def read_package(zf: SafeZip, opf_path: str) -> Package:
    root = parse_xml(zf.read(opf_path, max_bytes=16 * 1024 * 1024), opf_path)
    if local_name(root) != "package":
        raise unreadable(f"{opf_path} is not an OPF package document")
    manifest: dict[str, ManifestItem] = {}
    for el in root.iter(f"{{{OPF_NS}}}item"):
        item_id, href = el.get("id"), el.get("href")
        if not item_id or not href:
            continue
        path, _ = resolve(opf_path, href)
        manifest[item_id] = ManifestItem(
            item_id,
            path or "",
            (el.get("media-type") or "").lower().strip(),
            frozenset((el.get("properties") or "").split()),
        )
    spine_el = root.find(f"{{{OPF_NS}}}spine")
    spine: list[SpineItem] = []
    seen: set[str] = set()
    ncx_id = None
    if spine_el is not None:
        ncx_id = spine_el.get("toc")
        for ref in spine_el.iter(f"{{{OPF_NS}}}itemref"):
            item = manifest.get(ref.get("idref") or "")
            if item is None or not item.path or item.path in seen:
                continue
            seen.add(item.path)
            spine.append(SpineItem(item.path, (ref.get("linear") or "yes").strip().lower() != "no"))
    guide: dict[str, MatterKind] = {}
    for ref in root.iter(f"{{{OPF_NS}}}reference"):
        path, _ = resolve(opf_path, ref.get("href") or "")
        kind = matter.kind_from_guide(ref.get("type") or "")
        if path and kind is not None:
            guide.setdefault(path, kind)
    return Package(opf_path, root, manifest, spine, ncx_id, guide)


# --- table of contents ------------------------------------------------------------------------


def _flatten(nodes: list[tuple[str, str | None, str | None, list]], parent_path: str | None) -> list[TocEntry]:
    """Entries that start a section: the top level, and nested entries that start in another file
    than their parent (parts → chapter files). Nested entries inside their parent's file are the
    chapter's own sub-sections and stay in it."""
    out: list[TocEntry] = []
    for title, path, fragment, children in nodes:
        if path is not None and (parent_path is None or path != parent_path):
            out.append(TocEntry(title, path, fragment))
        out.extend(_flatten(children, path if path is not None else parent_path))
    return out


def _nav_nodes(ol: etree._Element, nav_path: str) -> list[tuple[str, str | None, str | None, list]]:
    nodes = []
    for li in ol:
        if local_name(li) != "li":
            continue
        label, path, fragment, children = "", None, None, []
        for child in li:
            name = local_name(child)
            if name in ("a", "span") and not label:
                label = _title_text(child)
                if name == "a" and child.get("href"):
                    path, fragment = resolve(nav_path, child.get("href") or "")
            elif name == "ol":
                children = _nav_nodes(child, nav_path)
        nodes.append((label, path, fragment, children))
    return nodes


def _title_text(el: etree._Element) -> str:
    return " ".join(clean_text("".join(t for t in el.itertext() if isinstance(t, str))).split())


def read_nav(zf: SafeZip, pkg: Package, warnings: list[str]) -> tuple[list[TocEntry], dict[str, MatterKind]]:
    """EPUB 3 nav: the toc entries and the landmarks (file → kind)."""
    nav_item = next((i for i in pkg.manifest.values() if "nav" in i.properties and i.path), None)
    if nav_item is None or not zf.has(nav_item.path):
        return [], {}
    try:
        root = parse_document(zf.read(nav_item.path, max_bytes=16 * 1024 * 1024), nav_item.path)
    except VocalioError as exc:
        if exc.code is ErrorCode.BOOK_UNSAFE:
            raise
        warnings.append(f"the EPUB 3 navigation document could not be read: {exc.message}")
        return [], {}
    navs = [el for el in root.iter() if local_name(el) == "nav"]
    landmarks: dict[str, MatterKind] = {}
    toc_nav = None
    for nav in navs:
        tokens = type_tokens(nav)
        if "toc" in tokens and toc_nav is None:
            toc_nav = nav
        if "landmarks" in tokens:
            for a in nav.iter():
                if local_name(a) == "a" and a.get("href"):
                    path, _ = resolve(nav_item.path, a.get("href") or "")
                    kind = matter.kind_from_types(type_tokens(a))
                    if path and kind is not None:
                        landmarks.setdefault(path, kind)
    if toc_nav is None and navs:
        toc_nav = navs[0]
    if toc_nav is None:
        return [], landmarks
    ol = next((el for el in toc_nav.iter() if local_name(el) == "ol"), None)
    if ol is None:
        return [], landmarks
    return _flatten(_nav_nodes(ol, nav_item.path), None), landmarks


def read_ncx(zf: SafeZip, pkg: Package, warnings: list[str]) -> list[TocEntry]:
    item = pkg.manifest.get(pkg.ncx_id or "")
    if item is None or item.media_type != "application/x-dtbncx+xml":
        item = next((i for i in pkg.manifest.values() if i.media_type == "application/x-dtbncx+xml"), item)
    if item is None or not item.path or not zf.has(item.path):
        return []
    try:
        root = parse_xml(zf.read(item.path, max_bytes=16 * 1024 * 1024), item.path, map_html_entities=True)
    except VocalioError as exc:
        if exc.code is ErrorCode.BOOK_UNSAFE:
            raise
        warnings.append(f"the NCX table of contents could not be read: {exc.message}")
        return []
    nav_map = next((el for el in root.iter() if local_name(el) == "navMap".lower()), None)
    if nav_map is None:
        return []

    def nodes(parent: etree._Element) -> list[tuple[str, str | None, str | None, list]]:
        out = []
        for point in parent:
            if local_name(point) != "navpoint":
                continue
            label_el = next((c for c in point if local_name(c) == "navlabel"), None)
            label = _title_text(label_el) if label_el is not None else ""
            content = next((c for c in point if local_name(c) == "content"), None)
            path, fragment = resolve(item.path, content.get("src") or "") if content is not None else (None, None)
            out.append((label, path, fragment, nodes(point)))
        return out

    return _flatten(nodes(nav_map), None)


# --- sections ----------------------------------------------------------------------------------


def _position(doc: Document, fragment: str | None) -> int | None:
    if fragment is None:
        return 0
    for index, block in enumerate(doc.blocks):
        if fragment in block.ids:
            return index
    if fragment in doc.trailing_ids:
        return len(doc.blocks)
    return None


def _file_kind(path: str, doc: Document, pkg: Package, landmarks: dict[str, MatterKind]) -> MatterKind | None:
    first_types = doc.blocks[0].types if doc.blocks else frozenset()
    return (
        matter.kind_from_types(doc.types | first_types)
        or landmarks.get(path)
        or pkg.guide.get(path)
        or matter.kind_from_filename(path)
    )


def _heading_boundaries(docs: dict[str, Document], spine: list[SpineItem]) -> dict[str, list[tuple[int, str, str]]]:
    """No usable TOC: the book's top heading level marks the chapters."""
    spine = [item for item in spine if item.path in docs]
    levels = [b.heading for item in spine for b in docs[item.path].blocks if b.heading and not b.note]
    bounds: dict[str, list[tuple[int, str, str]]] = {}
    if not levels:
        return bounds
    top = min(min(levels), 3)
    for item in spine:
        for index, block in enumerate(docs[item.path].blocks):
            if block.heading == top and not block.note:
                anchor = f"{item.path}#{block.ids[0]}" if block.ids else item.path
                bounds.setdefault(item.path, []).append((index, block.text.replace("\n", " "), anchor))
    return bounds


def _toc_boundaries(
    toc: list[TocEntry], docs: dict[str, Document], warnings: list[str]
) -> dict[str, list[tuple[int, str, str]]]:
    bounds: dict[str, list[tuple[int, str, str]]] = {}
    for entry in toc:
        doc = docs.get(entry.path)
        if doc is None:
            warnings.append(f"the table of contents names {entry.path!r}, which is not in the reading order: skipped")
            continue
        position = _position(doc, entry.fragment)
        if position is None:
            warnings.append(
                f"the anchor #{entry.fragment} of {entry.title!r} is not in {entry.path}: "
                "the chapter starts at the start of its file"
            )
            position = 0
        source = f"{entry.path}#{entry.fragment}" if entry.fragment else entry.path
        file_bounds = bounds.setdefault(entry.path, [])
        if (position, entry.title) not in [(b[0], b[1]) for b in file_bounds]:  # a TOC listing one twice
            file_bounds.append((position, entry.title, source))
    for path in bounds:
        bounds[path].sort(key=lambda b: b[0])  # stable: TOC order where two start at the same place
    return bounds


def split_sections(
    pkg: Package,
    docs: dict[str, Document],
    bounds: dict[str, list[tuple[int, str, str]]],
    landmarks: dict[str, MatterKind],
    book_title: str | None,
) -> list[_Section]:
    sections: list[_Section] = []
    for item in pkg.spine:
        doc = docs.get(item.path)
        if doc is None:
            continue
        file_bounds = bounds.get(item.path, [])
        first = file_bounds[0][0] if file_bounds else len(doc.blocks)
        lead = doc.blocks[:first]
        if lead or (not file_bounds and doc.blocks):
            file_kind = _file_kind(item.path, doc, pkg, landmarks)
            previous = sections[-1] if sections else None
            continues = (
                previous is not None
                and file_kind is None
                and item.linear
                and previous.kind in (None, MatterKind.CHAPTER)
                and previous.linear
            )
            if continues and previous is not None:
                previous.blocks.extend(lead)
            else:
                title = _lead_title(lead)
                kind = file_kind or matter.kind_from_title(title or _doc_title(doc, book_title))
                section = _Section(title, list(lead), item.path, item.path, False, kind, item.linear)
                section.fallback_title = _doc_title(doc, book_title)
                sections.append(section)
        for index, (position, title, source) in enumerate(file_bounds):
            end = file_bounds[index + 1][0] if index + 1 < len(file_bounds) else len(doc.blocks)
            blocks = doc.blocks[position:end]
            types = doc.types | (blocks[0].types if blocks else frozenset())
            kind = matter.kind_from_types(types) or matter.kind_from_title(title)
            if kind is None and position == 0:
                kind = landmarks.get(item.path) or pkg.guide.get(item.path)
            sections.append(_Section(title or None, list(blocks), source, item.path, True, kind, True))
    return sections


def _lead_title(blocks: list[Block]) -> str | None:
    for block in blocks:
        if block.heading and not block.note:
            return block.text.replace("\n", " ")
    return None


def _doc_title(doc: Document, book_title: str | None) -> str | None:
    """A file's <title>, unless it is the book's title (many tools repeat it) or a file name."""
    title = doc.title
    if not title or re.search(r"\.x?html?$", title, re.IGNORECASE):
        return None
    if book_title and matter.fold(title) == matter.fold(book_title):
        return None
    return title


def _strip_title_blocks(title: str, blocks: list[Block]) -> tuple[str, list[Block]]:
    """Drop the leading heading(s) that repeat the title (the title is read on its own)."""
    folded_title = matter.fold(title)
    if not folded_title:
        return title, blocks
    consumed = 0
    used = 0
    for block in blocks:
        if block.note:
            break
        folded = matter.fold(block.text)
        if not folded:
            consumed += 1
            continue
        if f" {folded} " in f" {folded_title} " and used + len(folded) <= len(folded_title):
            consumed += 1
            used += len(folded)
            continue
        if consumed == 0 and block.heading and f"{folded} ".startswith(f"{folded_title} "):
            # The TOC shortened the heading ("Capítulo 1" for "Capítulo 1: El regreso"): the
            # heading is the fuller title.
            return " ".join(block.text.split()), blocks[1:]
        break
    return title, blocks[consumed:]


def finish_sections(
    raw: list[_Section], include_footnotes: bool, book_title: str | None, warnings: list[str]
) -> list[ImportedSection]:
    built: list[ImportedSection] = []
    pending_prefix: str | None = None
    for section in raw:
        title = section.title
        blocks = section.blocks
        if title:
            title, blocks = _strip_title_blocks(title, blocks)
        elif blocks and blocks[0].heading and not blocks[0].note:
            title, blocks = blocks[0].text.replace("\n", " "), blocks[1:]
        kind = section.kind
        body = [b.text for b in blocks if not b.note]
        notes = [b.text for b in blocks if b.note]
        text_only = "\n\n".join(body)
        if kind is None and matter.is_title_page(title, text_only, book_title):
            kind = MatterKind.TITLE_PAGE
        if kind is None and not section.from_toc:
            kind = matter.kind_from_content(text_only)
        kind = kind or MatterKind.CHAPTER
        if kind is MatterKind.NOTES or include_footnotes:
            body += notes
        text = "\n\n".join(body)
        included = (kind is MatterKind.CHAPTER and section.linear) or (include_footnotes and kind is MatterKind.NOTES)
        title = _clean_title(title)
        if not title:
            if kind is not MatterKind.CHAPTER:
                title = matter.KIND_LABELS[kind]
            else:
                title = _clean_title(section.fallback_title) or _file_label(section.path)
        if not text.strip():
            if included and kind is MatterKind.CHAPTER:
                # A heading with nothing under it (a part title): it joins the next chapter's title.
                pending_prefix = f"{pending_prefix}. {title}" if pending_prefix else title
            continue
        if pending_prefix and included:
            title = _join_titles(pending_prefix, title)
            pending_prefix = None
        built.append(ImportedSection(title[:MAX_TITLE_CHARS], text, kind, included, section.source))
    if pending_prefix:
        warnings.append(f"{pending_prefix!r} has no text to read: left out")
    return built


def _join_titles(prefix: str, title: str) -> str:
    return f"{prefix} {title}" if prefix.endswith((".", ":", "!", "?", "—")) else f"{prefix}. {title}"


def _clean_title(title: str | None) -> str:
    return " ".join((title or "").split())[:MAX_TITLE_CHARS]


def _file_label(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[_\-]+", " ", stem).strip() or "Sección"


# --- cover -------------------------------------------------------------------------------------


def _sniff_image(data: bytes) -> str | None:
    for magic, media_type in _IMAGE_MAGIC:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def read_cover(
    zf: SafeZip, pkg: Package, docs: dict[str, Document], limits: ImportLimits, warnings: list[str]
) -> tuple[bytes | None, str | None]:
    candidates: list[str] = []
    for item in pkg.manifest.values():
        if "cover-image" in item.properties:
            candidates.append(item.path)
    for meta in pkg.root.iter(f"{{{OPF_NS}}}meta"):
        if (meta.get("name") or "").lower() == "cover":
            ref = meta.get("content") or ""
            item = pkg.manifest.get(ref)
            if item is not None:
                candidates.append(item.path)
            else:  # some tools put the href itself
                path, _ = resolve(pkg.opf_path, ref)
                if path:
                    candidates.append(path)
    for path, kind in pkg.guide.items():  # the cover page's first image
        if kind is MatterKind.COVER and path in docs:
            for src in docs[path].images:
                image, _ = resolve(path, src)
                if image:
                    candidates.append(image)
    for item in pkg.manifest.values():
        if item.media_type.startswith("image/") and "cover" in (item.id + " " + item.path).lower():
            candidates.append(item.path)
    for path in dict.fromkeys(p for p in candidates if p):
        if not zf.has(path):
            continue
        if zf.size(path) > limits.cover_bytes:
            warnings.append(f"the cover {path} is over {limits.cover_bytes} bytes: not taken")
            return None, None
        data = zf.read(path)
        media_type = _sniff_image(data)
        if media_type is None:
            continue
        return data, media_type
    return None, None


# --- the whole ---------------------------------------------------------------------------------


def import_epub(
    data: bytes, include_footnotes: bool, limits: ImportLimits, filename: str | None = None
) -> ImportedBook:
    warnings: list[str] = []
    zf = SafeZip(data, limits)
    if zf.has("mimetype"):
        mimetype = zf.read("mimetype", max_bytes=1024).strip()
        if mimetype != b"application/epub+zip":
            warnings.append("the mimetype file does not say application/epub+zip; read as an EPUB anyway")
    opf_path = read_container(zf)
    encrypted = read_encrypted(zf)
    pkg = read_package(zf, opf_path)
    if not pkg.spine:
        raise unreadable("the EPUB's spine (its reading order) lists no content document")
    drm = [item.path for item in pkg.spine if item.path in encrypted]
    if drm or opf_path in encrypted:
        raise unreadable(
            "the EPUB is DRM-protected (its content files are encrypted); send a DRM-free EPUB",
            encrypted=(drm or [opf_path])[:10],
        )
    metadata = read_metadata(pkg.root, warnings)
    if metadata.title is None and (stem := title_from_filename(filename)):
        metadata = metadata.model_copy(update={"title": stem})
        warnings.append("the EPUB has no dc:title: the file name is the title")

    docs: dict[str, Document] = {}
    for item in pkg.spine:
        media_type = next((m.media_type for m in pkg.manifest.values() if m.path == item.path), "")
        if media_type and media_type not in XHTML_TYPES:
            warnings.append(f"{item.path} ({media_type}) is in the reading order but is not XHTML: skipped")
            continue
        if not zf.has(item.path):
            warnings.append(f"{item.path} is in the reading order but not in the file: skipped")
            continue
        content = zf.read(item.path)  # a damaged member fails the import: no chapter goes missing unseen
        try:
            docs[item.path] = extract(parse_document(content, item.path))
        except VocalioError as exc:
            if exc.code is not ErrorCode.BOOK_UNREADABLE:
                raise
            warnings.append(f"{item.path} could not be read: {exc.message}")

    toc, landmarks = read_nav(zf, pkg, warnings)
    if not toc:
        toc = read_ncx(zf, pkg, warnings)
    bounds = _toc_boundaries(toc, docs, warnings) if toc else {}
    if not bounds:
        if toc:
            warnings.append("the table of contents names nothing in the reading order: chapters from the headings")
        bounds = _heading_boundaries(docs, pkg.spine)
    raw = split_sections(pkg, docs, bounds, landmarks, metadata.title)
    sections = finish_sections(raw, include_footnotes, metadata.title, warnings)
    cover, cover_type = read_cover(zf, pkg, docs, limits, warnings)
    return ImportedBook("epub", metadata, sections, cover, cover_type, warnings)
