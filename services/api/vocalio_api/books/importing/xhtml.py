"""XHTML content documents → plain-text blocks (paragraphs) with what the splitter needs.

Block elements become paragraphs, inline elements join, <br> is a line break; scripts, styles and
other non-text elements are dropped; whitespace is normalized and soft hyphens removed. Each block
keeps the ids met on the way to it (so a TOC anchor can split a file between two blocks) and the
epub:type / role tokens of its ancestors (so matter can be recognised). Notes (footnote, endnote,
aside notes) come out as blocks flagged `note`, placed after the paragraph they interrupt; note
references (the superscript markers) are dropped, since a bare "1" glued to a word reads badly.
"""

import re
from dataclasses import dataclass, field

from lxml import etree
from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_api.books.importing.safety import html_entity_text, parse_html, parse_xml, unreadable

OPS_NS = "http://www.idpf.org/2007/ops"
_EPUB_TYPE = f"{{{OPS_NS}}}type"

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "figure",
        "figcaption",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
        "hr",
        "address",
        "center",
        "main",
        "nav",
        "body",
        "hgroup",
        "details",
        "summary",
        "fieldset",
        "legend",
        "form",
    ]
)
SKIP_TAGS = frozenset(
    [
        "head",
        "script",
        "style",
        "template",
        "noscript",
        "svg",
        "math",
        "object",
        "embed",
        "iframe",
        "audio",
        "video",
        "rt",
        "rp",
    ]
)
HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}

# Single notes (moved out of the text) and note containers (a notes section at the end of a file).
NOTE_TOKENS = frozenset(
    [
        "footnote",
        "endnote",
        "rearnote",
        "note",
        "footnotes",
        "endnotes",
        "rearnotes",
        "doc-footnote",
        "doc-endnote",
        "doc-endnotes",
    ]
)
NOTEREF_TOKENS = frozenset({"noteref", "doc-noteref"})
BACKLINK_TOKENS = frozenset({"backlink", "doc-backlink", "referrer"})
_MARKER = re.compile(r"^[\[\(]?(\d{1,4}|[*†‡§¶]{1,3})[\]\)]?\.?$")
_SUP_MARKER = re.compile(r"^[\[\(]?(\d{1,4}|[*†‡§¶]{1,3}|[a-z]|[ivxlc]{1,6})[\]\)]?\.?$")
_BACKLINK_TEXT = frozenset({"↩", "↩︎", "↑", "^", "volver", "regresar", "back", "[volver]", "(volver)"})

# Out: soft hyphens, zero-width characters, C0 controls (\t \n \v \f \r stay: they are whitespace).
_DROP = str.maketrans({c: None for c in [0xAD, 0x200B, 0xFEFF, 0x2060, *range(0x00, 0x09), *range(0x0E, 0x20), 0x7F]})
MAX_DEPTH = 300  # libxml2 stops at 256 already; a guard so recursion can never reach Python's limit


@dataclass(frozen=True)
class Block:
    text: str
    heading: int = 0  # 1-6 for h1..h6
    ids: tuple[str, ...] = ()
    types: frozenset[str] = frozenset()  # epub:type and role tokens of the block and its ancestors
    note: bool = False


@dataclass
class Document:
    blocks: list[Block]
    title: str | None = None  # <title>
    types: frozenset[str] = frozenset()  # of <body> (and <html>)
    images: list[str] = field(default_factory=list)  # img/src, svg image hrefs, in order
    trailing_ids: tuple[str, ...] = ()  # ids after the last block (an anchor at the very end)


_NO_TOKENS: frozenset[str] = frozenset()
LINE_BREAK = "\u2028"  # what <br> leaves in the buffer; source newlines are only whitespace


def clean_text(text: str) -> str:
    """One paragraph's text: invisible characters out, whitespace (newlines and no-break spaces
    included) to single spaces, <br> line breaks kept as "\n", each line stripped."""
    text = text.translate(_DROP)
    if LINE_BREAK not in text:
        return " ".join(text.split())
    lines = (" ".join(part.split()) for part in text.split(LINE_BREAK))
    return "\n".join(line for line in lines if line)


def local_name(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def type_tokens(el: etree._Element) -> frozenset[str]:
    """epub:type (namespaced, or as a plain attribute when the HTML parser read the file) and role."""
    if not len(el.attrib):
        return _NO_TOKENS
    raw = " ".join(v for v in (el.get(_EPUB_TYPE), el.get("epub:type"), el.get("role")) if v)
    return frozenset(tok.split(":")[-1].lower() if tok.startswith("epub:") else tok.lower() for tok in raw.split())


def _text_content(el: etree._Element) -> str:
    return "".join(t for t in el.itertext() if isinstance(t, str))


class _Extractor:
    def __init__(self, as_notes: bool = False) -> None:
        self.blocks: list[Block] = []
        self.images: list[str] = []
        self._buf: list[str] = []
        self._ids: list[str] = []
        self._heading = 0
        self._types: frozenset[str] = frozenset()
        self._as_notes = as_notes
        self._deferred_notes: list[Block] = []

    def run(self, el: etree._Element, types: frozenset[str] = frozenset()) -> list[Block]:
        self._types = types
        if el.text:
            self._buf.append(el.text)
        self._walk(el, 0, types)
        self._flush()
        self.blocks.extend(self._deferred_notes)
        self._deferred_notes = []
        return self.blocks

    def _flush(self) -> None:
        text = clean_text("".join(self._buf))
        self._buf = []
        if text:
            self.blocks.append(Block(text, self._heading, tuple(self._ids), self._types, self._as_notes))
            self._ids = []
        if self._deferred_notes:
            self.blocks.extend(self._deferred_notes)
            self._deferred_notes = []

    def _walk(self, el: etree._Element, depth: int, types: frozenset[str]) -> None:
        if depth > MAX_DEPTH:
            raise unreadable(f"a content document nests elements more than {MAX_DEPTH} deep")
        for child in el:
            self._node(child, depth + 1, types)
            if child.tail:
                self._buf.append(child.tail)

    def _node(self, el: etree._Element, depth: int, inherited: frozenset[str]) -> None:
        tag = el.tag
        if tag is etree.Entity:  # an HTML named entity the parser left as a reference
            self._buf.append(html_entity_text(el.text or ""))
            return
        if not isinstance(tag, str):  # comments, processing instructions
            return
        name = local_name(el)
        if name in SKIP_TAGS:
            self._images_in(el)
            return
        if name == "img":
            if src := el.get("src"):
                self.images.append(src)
            return
        tokens = type_tokens(el)
        types = inherited | tokens if tokens else inherited
        if self._is_noteref(el, name, tokens):
            return
        if self._as_notes and name == "a" and self._is_backlink(el, tokens):
            return
        if not self._as_notes and tokens & NOTE_TOKENS:
            # The note's own ids go with its first block (a TOC may point at a notes section).
            ids = [i for i in (el.get("id"), el.get("name")) if i]
            notes = _Extractor(as_notes=True)
            notes._ids.extend(ids)
            note_blocks = notes.run(el, types)
            if not note_blocks:
                self._ids.extend(ids)
            self._deferred_notes.extend(note_blocks)
            self.images.extend(notes.images)
            return
        if name == "br":
            self._buf.append(LINE_BREAK)
            return
        block = name in BLOCK_TAGS
        outer_heading = self._heading
        if block:
            self._flush()
            self._types = types
            self._heading = HEADING_TAGS.get(name, outer_heading)
        for attr in ("id", "name") if name == "a" else ("id",):
            if value := el.get(attr):
                self._ids.append(value)
        if el.text:
            self._buf.append(el.text)
        self._walk(el, depth, types)
        if block:
            self._flush()
            self._heading = outer_heading
            self._types = inherited  # text after a block belongs to the parent
        elif name in ("td", "th"):
            self._buf.append(" ")

    def _is_noteref(self, el: etree._Element, name: str, tokens: frozenset[str]) -> bool:
        if tokens & NOTEREF_TOKENS:
            return True
        if name == "a" and "#" in (el.get("href") or ""):
            text = _text_content(el).strip()
            if _MARKER.match(text):
                return True
            if any(local_name(s) == "sup" for s in el.iter()) and _SUP_MARKER.match(text):
                return True
            parent = el.getparent()
            if parent is not None and local_name(parent) == "sup" and _SUP_MARKER.match(text):
                return True
        if name == "sup":
            links = [a for a in el.iter() if local_name(a) == "a" and "#" in (a.get("href") or "")]
            if links and _SUP_MARKER.match(_text_content(el).strip()):
                return True
        return False

    @staticmethod
    def _is_backlink(el: etree._Element, tokens: frozenset[str]) -> bool:
        return bool(tokens & BACKLINK_TOKENS) or _text_content(el).strip().lower() in _BACKLINK_TEXT

    def _images_in(self, el: etree._Element) -> None:
        for sub in el.iter():
            if local_name(sub) == "image":
                href = sub.get("{http://www.w3.org/1999/xlink}href") or sub.get("href")
                if href:
                    self.images.append(href)


def fragment_text(root: etree._Element) -> str:
    """The text of an HTML fragment (a description), paragraphs joined by spaces."""
    return " ".join(block.text.replace("\n", " ") for block in _Extractor().run(root))


def parse_document(data: bytes, name: str) -> etree._Element:
    """XHTML as XML (HTML entities mapped); if it is not well-formed, lxml's HTML parser."""
    try:
        return parse_xml(data, name, map_html_entities=True)
    except VocalioError as exc:
        if exc.code is ErrorCode.BOOK_UNSAFE:
            raise
        return parse_html(data, name)


def extract(root: etree._Element) -> Document:
    """The document's blocks in order, its <title>, body types and images."""
    body = None
    title = None
    for el in root.iter():
        name = local_name(el)
        if name == "title" and title is None:
            title = clean_text(_text_content(el)) or None
        elif name == "body":
            body = el
            break
    if body is None:
        body = root
    doc_types = type_tokens(root) | type_tokens(body)
    ex = _Extractor()
    body_ids = [i for i in (body.get("id"),) if i]
    ex._ids.extend(body_ids)
    ex.run(body, doc_types)
    return Document(ex.blocks, title, doc_types, ex.images, tuple(ex._ids))
