"""The read-along book: an EPUB 3 whose text is highlighted sentence by sentence as the narration
plays (Media Overlays 3.3, SMIL 3.0), timed from our own sentence segments: no forced alignment.

Layout (one chapter file set per chapter, `ch01`... numbered to the chapter count's width):

    mimetype                      first member, stored: "application/epub+zip"
    META-INF/container.xml        points at EPUB/package.opf
    EPUB/package.opf              metadata (dc:*, dcterms:modified, media:duration per overlay and
                                  in total, media:active-class, media:narrator), manifest, spine
    EPUB/nav.xhtml                the table of contents (epub:type="toc")
    EPUB/styles/overlay.css       the class a reading system puts on the sentence being read
    EPUB/images/cover.<jpg|png>   when the book has a cover (properties="cover-image")
    EPUB/text/ch01.xhtml          the chapter: <h1> title, <p> paragraphs of <span id="s0001">
    EPUB/overlays/ch01.smil       one <par> per sentence: <text src="../text/ch01.xhtml#s0001"/> and
                                  <audio src="../audio/ch01.mp3" clipBegin=... clipEnd=.../>
    EPUB/audio/ch01.mp3           the chapter's delivery file (mp3 or m4a: EPUB core media types)

Clock values are SMIL full clock values with milliseconds ("0:01:02.345"); each overlay's
media:duration is the sum of its clips, the book's the sum of the overlays', all in whole
milliseconds so the sums are exact.
"""

import re
import unicodedata
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree
from vocalio_shared.schemas.books import BookMetadata
from vocalio_shared.schemas.jobs import Segment

from vocalio_api.books.audiobook.cover import cover_kind
from vocalio_api.books.audiobook.tags import SYNTHETIC_NARRATOR, description_with_disclosure
from vocalio_api.books.audiobook.types import ChapterAudio
from vocalio_api.captions import monotonic
from vocalio_api.temp_files import replacing

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
SMIL_NS = "http://www.w3.org/ns/SMIL"
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ACTIVE_CLASS = "-epub-media-overlay-active"
AUDIO_MEDIA_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".mp4": "audio/mp4"}
_CSS = f""".{ACTIVE_CLASS} {{ background-color: #fff2a8; color: inherit; }}
h1 {{ margin: 1.5em 0 1em; }}
p {{ text-indent: 1.2em; margin: 0 0 0.4em; line-height: 1.5; }}
"""
_CONTAINER = f"""<?xml version="1.0" encoding="UTF-8"?>
<container xmlns="{CONTAINER_NS}" version="1.0">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""


def clock_value(millis: int) -> str:
    """SMIL 3.0 full clock value: H:MM:SS.mmm (hours unbounded)."""
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _written(segment: Segment) -> str:
    return " ".join((segment.source_text or segment.text).split())


def _loose(text: str) -> str:
    """Letters and digits only, case-folded: how a sentence is found again in the chapter's text
    whatever the text pipeline did to quotes, dashes and spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())


def _paragraphs(text: str | None, sentences: list[str]) -> list[list[int]]:
    """Sentence indexes per paragraph: each sentence goes to the paragraph of the chapter's text it
    is found in, searching forward from the sentence before; one not found stays with the sentence
    before it. Without the text, every sentence is a paragraph of its own."""
    if not text:
        return [[index] for index in range(len(sentences))]
    paragraphs = [key for key in (_loose(block) for block in re.split(r"\n\s*\n", text)) if key]
    groups: list[list[int]] = []
    current, position = 0, 0  # the paragraph being read, and how far into it
    for index, sentence in enumerate(sentences):
        key = _loose(sentence)
        place = _find(paragraphs, key, current, position) if key and paragraphs else None
        if place is None:
            if not groups:
                groups.append([])
            groups[-1].append(index)
            continue
        paragraph, at = place
        if not groups or paragraph != current:
            groups.append([])
        groups[-1].append(index)
        current, position = paragraph, at + len(key)
    return groups


def _find(paragraphs: list[str], key: str, current: int, position: int) -> tuple[int, int] | None:
    at = paragraphs[current].find(key, position)
    if at >= 0:
        return current, at
    for later in range(current + 1, len(paragraphs)):
        at = paragraphs[later].find(key)
        if at >= 0:
            return later, at
    return None


class _Chapter:
    """One chapter's names, clips and documents."""

    def __init__(self, chapter: ChapterAudio, audio: Path, width: int) -> None:
        self.chapter = chapter
        self.name = f"ch{chapter.number:0{width}d}"
        self.audio = audio
        suffix = audio.suffix.lower()
        if suffix not in AUDIO_MEDIA_TYPES:
            raise ValueError(f"{audio.name}: an overlay EPUB plays mp3 or m4a (EPUB core media types)")
        self.audio_href = f"audio/{self.name}{suffix}"
        self.audio_media_type = AUDIO_MEDIA_TYPES[suffix]
        limit_ms = round(chapter.duration_s * 1000)
        self.sentences: list[tuple[str, str, int, int]] = []  # (span id, text, clip begin ms, clip end ms)
        for index, cue in enumerate(monotonic(chapter.segments), start=1):
            begin = min(round(cue.start_s * 1000), limit_ms)
            end = min(round(cue.end_s * 1000), limit_ms)
            self.sentences.append((f"s{index:04d}", _written(cue), begin, end))
        self.duration_ms = sum(end - begin for _, _, begin, end in self.sentences if end > begin)
        # A chapter with no timed sentence has no overlay (a SMIL seq may not be empty): text only.
        self.has_overlay = self.duration_ms > 0

    def title_is_read(self) -> bool:
        return bool(self.sentences) and _loose(self.sentences[0][1]) == _loose(self.chapter.title)

    def xhtml(self, language: str) -> bytes:
        html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
        html.set(XML_LANG, language)
        html.set("lang", language)
        head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
        etree.SubElement(head, f"{{{XHTML_NS}}}meta", charset="utf-8")
        etree.SubElement(head, f"{{{XHTML_NS}}}title").text = self.chapter.title
        etree.SubElement(head, f"{{{XHTML_NS}}}link", rel="stylesheet", type="text/css", href="../styles/overlay.css")
        body = etree.SubElement(html, f"{{{XHTML_NS}}}body")
        section = etree.SubElement(body, f"{{{XHTML_NS}}}section", id=self.name)
        section.set(f"{{{EPUB_NS}}}type", "chapter")
        heading = etree.SubElement(section, f"{{{XHTML_NS}}}h1")
        sentences = self.sentences
        if self.title_is_read():
            etree.SubElement(heading, f"{{{XHTML_NS}}}span", id=sentences[0][0]).text = sentences[0][1]
            sentences = sentences[1:]
        else:
            heading.text = self.chapter.title
        offset = len(self.sentences) - len(sentences)
        for group in _paragraphs(self.chapter.text, [text for _, text, _, _ in sentences]):
            paragraph = etree.SubElement(section, f"{{{XHTML_NS}}}p")
            for position, index in enumerate(group):
                span_id, text, _, _ = self.sentences[index + offset]
                span = etree.SubElement(paragraph, f"{{{XHTML_NS}}}span", id=span_id)
                span.text = text
                span.tail = " " if position < len(group) - 1 else None
        return etree.tostring(
            html, xml_declaration=True, encoding="UTF-8", doctype="<!DOCTYPE html>", pretty_print=True
        )

    def smil(self) -> bytes:
        smil = etree.Element(f"{{{SMIL_NS}}}smil", nsmap={None: SMIL_NS, "epub": EPUB_NS}, version="3.0")
        body = etree.SubElement(smil, f"{{{SMIL_NS}}}body")
        seq = etree.SubElement(body, f"{{{SMIL_NS}}}seq", id=f"seq-{self.name}")
        seq.set(f"{{{EPUB_NS}}}textref", f"../text/{self.name}.xhtml#{self.name}")
        seq.set(f"{{{EPUB_NS}}}type", "chapter")
        for span_id, _, begin, end in self.sentences:
            if end <= begin:  # a sentence with no audio keeps its text, not a clip
                continue
            par = etree.SubElement(seq, f"{{{SMIL_NS}}}par", id=f"par-{span_id}")
            etree.SubElement(par, f"{{{SMIL_NS}}}text", src=f"../text/{self.name}.xhtml#{span_id}")
            etree.SubElement(
                par,
                f"{{{SMIL_NS}}}audio",
                src=f"../{self.audio_href}",
                clipBegin=clock_value(begin),
                clipEnd=clock_value(end),
            )
        return etree.tostring(smil, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _identifier(metadata: BookMetadata) -> str:
    if metadata.isbn:
        digits = "".join(char for char in metadata.isbn if char.isdigit() or char in "Xx")
        if len(digits) in (10, 13):
            return f"urn:isbn:{digits.upper()}"
    # Stable for the same title and authors, so a rebuilt EPUB is the same publication.
    name = "vocalio:book:" + "|".join([metadata.title, *metadata.authors])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _nav(metadata: BookMetadata, chapters: list[_Chapter]) -> bytes:
    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS, "epub": EPUB_NS})
    html.set(XML_LANG, metadata.language)
    html.set("lang", metadata.language)
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(head, f"{{{XHTML_NS}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = metadata.title
    body = etree.SubElement(html, f"{{{XHTML_NS}}}body")
    nav = etree.SubElement(body, f"{{{XHTML_NS}}}nav", id="toc")
    nav.set(f"{{{EPUB_NS}}}type", "toc")
    etree.SubElement(nav, f"{{{XHTML_NS}}}h1").text = "Índice"
    items = etree.SubElement(nav, f"{{{XHTML_NS}}}ol")
    for chapter in chapters:
        item = etree.SubElement(items, f"{{{XHTML_NS}}}li")
        etree.SubElement(item, f"{{{XHTML_NS}}}a", href=f"text/{chapter.name}.xhtml").text = chapter.chapter.title
    return etree.tostring(html, xml_declaration=True, encoding="UTF-8", doctype="<!DOCTYPE html>", pretty_print=True)


def _cover_item(cover: bytes | None) -> tuple[str, str] | None:
    kind = cover_kind(cover) if cover else None
    return (f"images/cover.{kind[0]}", kind[1]) if kind else None  # other kinds are no EPUB core media type


def _opf(
    metadata: BookMetadata, chapters: list[_Chapter], cover: tuple[str, str] | None, identifier: str, modified: datetime
) -> bytes:
    package = etree.Element(
        f"{{{OPF_NS}}}package", nsmap={None: OPF_NS}, version="3.0", attrib={"unique-identifier": "pub-id"}
    )
    package.set(XML_LANG, metadata.language)
    meta = etree.SubElement(package, f"{{{OPF_NS}}}metadata", nsmap={"dc": DC_NS})

    def dc(name: str, value: str | None, **attrs: str) -> None:
        if value and value.strip():
            etree.SubElement(meta, f"{{{DC_NS}}}{name}", **attrs).text = value.strip()

    def prop(name: str, value: str, **attrs: str) -> None:
        etree.SubElement(meta, f"{{{OPF_NS}}}meta", property=name, **attrs).text = value

    dc("identifier", identifier, id="pub-id")
    dc("title", metadata.title)
    dc("language", metadata.language)
    for index, author in enumerate(metadata.authors, start=1):
        dc("creator", author, id=f"creator{index}")
    dc("publisher", metadata.publisher)
    dc("date", metadata.date)
    dc("subject", metadata.genre)
    dc("description", description_with_disclosure(metadata))
    prop("dcterms:modified", modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    overlaid = [chapter for chapter in chapters if chapter.has_overlay]
    for chapter in overlaid:
        prop("media:duration", clock_value(chapter.duration_ms), refines=f"#smil-{chapter.name}")
    prop("media:duration", clock_value(sum(chapter.duration_ms for chapter in overlaid)))
    prop("media:narrator", metadata.narrator or SYNTHETIC_NARRATOR)
    prop("media:active-class", ACTIVE_CLASS)
    for mode in ("textual", "auditory"):
        prop("schema:accessMode", mode)
    prop("schema:accessModeSufficient", "textual")
    prop("schema:accessibilityFeature", "synchronizedAudioText")
    prop("schema:accessibilityHazard", "none")
    prop("schema:accessibilitySummary", "Texto con narración sincronizada frase a frase; la voz es sintética (IA).")
    manifest = etree.SubElement(package, f"{{{OPF_NS}}}manifest")

    def item(item_id: str, href: str, media_type: str, **attrs: str) -> None:
        etree.SubElement(
            manifest, f"{{{OPF_NS}}}item", id=item_id, href=href, attrib={"media-type": media_type, **attrs}
        )

    item("nav", "nav.xhtml", "application/xhtml+xml", properties="nav")
    item("css", "styles/overlay.css", "text/css")
    if cover:
        item("cover-image", cover[0], cover[1], properties="cover-image")
    for chapter in chapters:
        if not chapter.has_overlay:
            item(chapter.name, f"text/{chapter.name}.xhtml", "application/xhtml+xml")
            continue
        overlay = {"media-overlay": f"smil-{chapter.name}"}
        item(chapter.name, f"text/{chapter.name}.xhtml", "application/xhtml+xml", **overlay)
        item(f"smil-{chapter.name}", f"overlays/{chapter.name}.smil", "application/smil+xml")
        item(f"audio-{chapter.name}", chapter.audio_href, chapter.audio_media_type)
    spine = etree.SubElement(package, f"{{{OPF_NS}}}spine")
    for chapter in chapters:
        etree.SubElement(spine, f"{{{OPF_NS}}}itemref", idref=chapter.name)
    return etree.tostring(package, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_overlay_epub(
    metadata: BookMetadata,
    cover: bytes | None,
    chapters: list[ChapterAudio],
    chapter_audio_files: list[Path],
    out: Path,
    *,
    identifier: str | None = None,
    modified: datetime | None = None,
) -> Path:
    """The read-along EPUB at `out` (written beside it and renamed). `chapter_audio_files[i]` is
    chapter i's mp3 (or m4a); `identifier` defaults to urn:isbn or a uuid stable for the book."""
    if not chapters or len(chapters) != len(chapter_audio_files):
        raise ValueError("one audio file per chapter, at least one chapter")
    width = max(2, len(str(max(chapter.number for chapter in chapters))))
    parts = [_Chapter(chapter, audio, width) for chapter, audio in zip(chapters, chapter_audio_files, strict=True)]
    cover_item = _cover_item(cover)
    with replacing(out) as partial, zipfile.ZipFile(partial, "w") as epub:
        # OCF: "mimetype" first, stored, no extra field, so readers can sniff the bytes at offset 38.
        epub.writestr(zipfile.ZipInfo("mimetype"), b"application/epub+zip", compress_type=zipfile.ZIP_STORED)
        deflated = zipfile.ZIP_DEFLATED
        epub.writestr("META-INF/container.xml", _CONTAINER, compress_type=deflated)
        opf = _opf(metadata, parts, cover_item, identifier or _identifier(metadata), modified or datetime.now(UTC))
        epub.writestr("EPUB/package.opf", opf, compress_type=deflated)
        epub.writestr("EPUB/nav.xhtml", _nav(metadata, parts), compress_type=deflated)
        epub.writestr("EPUB/styles/overlay.css", _CSS, compress_type=deflated)
        if cover_item and cover:
            epub.writestr(f"EPUB/{cover_item[0]}", cover, compress_type=zipfile.ZIP_STORED)
        for part in parts:
            epub.writestr(f"EPUB/text/{part.name}.xhtml", part.xhtml(metadata.language), compress_type=deflated)
            if part.has_overlay:
                epub.writestr(f"EPUB/overlays/{part.name}.smil", part.smil(), compress_type=deflated)
                epub.write(part.audio, f"EPUB/{part.audio_href}", compress_type=zipfile.ZIP_STORED)
    return out
