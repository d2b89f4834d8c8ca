"""The read-along EPUB checked against the EPUB 3.3 / Media Overlays 3.3 rules it implements (no
XXX, package document, nav, XHTML spans, SMIL clips."""

import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pytest
from lxml import etree
from vocalio_api.books.audiobook import build_overlay_epub, chapter_tags, encode_chapter
from vocalio_api.books.audiobook.overlays import _paragraphs, clock_value
from vocalio_shared.schemas.books import ChapterFormat

from tests.api.books.audiobook.conftest import Book

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "smil": "http://www.w3.org/ns/SMIL",
    "epub": "http://www.idpf.org/2007/ops",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
CLOCK = re.compile(r"^(\d+):([0-5]\d):([0-5]\d)\.(\d{3})$")


def millis(clock: str) -> int:
    match = CLOCK.match(clock)
    assert match, clock
    hours, minutes, seconds, ms = (int(group) for group in match.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms


@pytest.fixture(scope="module")
def epub(book: Book, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("epub")
    audio = [
        encode_chapter(
            chapter.master_path,
            ChapterFormat.MP3,
            folder / f"{chapter.number}.mp3",
            chapter_tags(book.metadata, number=chapter.number, count=4, title=chapter.title),
        )
        for chapter in book.chapters
    ]
    modified = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    return build_overlay_epub(book.metadata, book.cover, book.chapters, audio, folder / "libro.epub", modified=modified)


def resolve(base: str, href: str) -> str:
    path = href.split("#", 1)[0]
    parts: list[str] = []
    for part in (PurePosixPath(base).parent / path).parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def test_ocf_container(epub: Path) -> None:
    raw = epub.read_bytes()
    assert raw[30:38] == b"mimetype" and raw[38:58] == b"application/epub+zip"  # readers sniff these bytes
    with zipfile.ZipFile(epub) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        (rootfile,) = container.findall(".//c:rootfile", NS)
        assert rootfile.get("full-path") == "EPUB/package.opf"
        assert rootfile.get("media-type") == "application/oebps-package+xml"
        for name in archive.namelist():
            if name.endswith((".xml", ".opf", ".xhtml", ".smil")):
                etree.fromstring(archive.read(name))  # well-formed, or this raises


def test_package_document(book: Book, epub: Path) -> None:
    with zipfile.ZipFile(epub) as archive:
        names = set(archive.namelist())
        opf = etree.fromstring(archive.read("EPUB/package.opf"))
        assert opf.get("version") == "3.0"
        identifier = opf.find(f".//dc:identifier[@id='{opf.get('unique-identifier')}']", NS)
        assert identifier is not None and identifier.text == "urn:isbn:9788437604947"
        assert opf.findtext(".//dc:title", namespaces=NS) == book.metadata.title
        assert opf.findtext(".//dc:language", namespaces=NS) == "es-ES"
        assert [c.text for c in opf.findall(".//dc:creator", NS)] == book.metadata.authors
        assert "voz sintética (IA)" in opf.findtext(".//dc:description", namespaces=NS)

        def meta(prop: str) -> list[etree._Element]:
            return opf.findall(f".//opf:metadata/opf:meta[@property='{prop}']", NS)

        (modified,) = meta("dcterms:modified")
        assert modified.text == "2026-12-01T23:30:00Z"
        assert [m.text for m in meta("media:active-class")] == ["-epub-media-overlay-active"]
        assert [m.text for m in meta("media:narrator")] == ["Vocalio (voz sintética)"]
        items = {item.get("id"): item for item in opf.findall(".//opf:manifest/opf:item", NS)}
        hrefs = {"EPUB/" + item.get("href") for item in items.values()}
        assert hrefs == names - {"mimetype", "META-INF/container.xml", "EPUB/package.opf"}  # all listed, all there
        assert [i.get("id") for i in items.values() if i.get("properties") == "nav"] == ["nav"]
        (cover,) = [i for i in items.values() if i.get("properties") == "cover-image"]
        assert cover.get("media-type") == "image/jpeg"
        spine = [ref.get("idref") for ref in opf.findall(".//opf:spine/opf:itemref", NS)]
        assert spine == ["ch01", "ch02", "ch03", "ch04"]
        for idref in spine:
            overlay = items[items[idref].get("media-overlay")]
            assert overlay.get("media-type") == "application/smil+xml"
        # media:duration: one per overlay (refines its manifest item) and the total, which is their sum
        durations = {m.get("refines"): millis(m.text) for m in meta("media:duration")}
        total = durations.pop(None)
        assert set(durations) == {f"#smil-{idref}" for idref in spine}
        assert total == sum(durations.values())


def test_overlays_clip_the_segments_and_point_at_real_spans(book: Book, epub: Path) -> None:
    with zipfile.ZipFile(epub) as archive:
        names = set(archive.namelist())
        opf = etree.fromstring(archive.read("EPUB/package.opf"))
        declared = {
            m.get("refines"): millis(m.text) for m in opf.findall(".//opf:meta[@property='media:duration']", NS)
        }
        for chapter in book.chapters:
            name = f"ch{chapter.number:02d}"
            smil_path = f"EPUB/overlays/{name}.smil"
            smil = etree.fromstring(archive.read(smil_path))
            assert smil.tag == "{http://www.w3.org/ns/SMIL}smil" and smil.get("version") == "3.0"
            (seq,) = smil.findall("smil:body/smil:seq", NS)
            assert resolve(smil_path, seq.get(f"{{{NS['epub']}}}textref")) == f"EPUB/text/{name}.xhtml"
            xhtml = etree.fromstring(archive.read(f"EPUB/text/{name}.xhtml"))
            ids = {element.get("id"): element for element in xhtml.iter() if element.get("id")}
            clips = []
            for par in seq.findall("smil:par", NS):
                text, audio = par.find("smil:text", NS), par.find("smil:audio", NS)
                target = text.get("src")
                assert resolve(smil_path, target) == f"EPUB/text/{name}.xhtml"
                span = ids[target.split("#")[1]]
                assert span.tag == f"{{{NS['x']}}}span"
                assert resolve(smil_path, audio.get("src")) in names
                clips.append((span.text, millis(audio.get("clipBegin")), millis(audio.get("clipEnd"))))
            expected = [
                (s.source_text and " ".join(s.source_text.split()), round(s.start_s * 1000), round(s.end_s * 1000))
                for s in chapter.segments
            ]
            assert clips == expected
            assert declared[f"#smil-{name}"] == sum(end - begin for _, begin, end in clips)


def test_chapter_documents(book: Book, epub: Path) -> None:
    with zipfile.ZipFile(epub) as archive:
        xhtml = etree.fromstring(archive.read("EPUB/text/ch02.xhtml"))
        assert xhtml.get("{http://www.w3.org/XML/1998/namespace}lang") == "es-ES"
        (section,) = xhtml.findall(".//x:section", NS)
        assert section.get(f"{{{NS['epub']}}}type") == "chapter"
        assert [s.text for s in section.findall("x:h1/x:span", NS)] == ["Capítulo 2: «La noche»"]  # the title is read
        paragraphs = [[span.text for span in p.findall("x:span", NS)] for p in section.findall("x:p", NS)]
        assert paragraphs == [["Era la 1:30."], ["Nadie dormía."]]
        nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
        (toc,) = [n for n in nav.findall(".//x:nav", NS) if n.get(f"{{{NS['epub']}}}type") == "toc"]
        links = [(a.text, a.get("href")) for a in toc.findall(".//x:a", NS)]
        assert links == [(c.title, f"text/ch{c.number:02d}.xhtml") for c in book.chapters]
        css = archive.read("EPUB/styles/overlay.css").decode()
        assert ".-epub-media-overlay-active" in css


def test_sentences_go_back_into_their_paragraphs() -> None:
    text = "Uno.  Dos dijo «sí».\n\nTres.\n\n\nSí.\n\nSí."
    sentences = ["Uno.", "Dos dijo \u201csí\u201d.", "Tres.", "Sí.", "Sí.", "Perdida."]
    assert _paragraphs(text, sentences) == [[0, 1], [2], [3], [4, 5]]  # repeats found forward; lost stays
    assert _paragraphs(None, ["a", "b"]) == [[0], [1]]


def test_clock_values() -> None:
    assert clock_value(0) == "0:00:00.000"
    assert clock_value(3_723_004) == "1:02:03.004"
    assert clock_value(40 * 3_600_000) == "40:00:00.000"


def test_only_core_audio_types(book: Book, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mp3 or m4a"):
        build_overlay_epub(book.metadata, None, book.chapters[:1], [book.chapters[0].master_path], tmp_path / "x.epub")


EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")  # Debian's epubcheck package (optional here)


@pytest.mark.slow  # ~40 s of Java on a small machine
@pytest.mark.skipif(
    not (EPUBCHECK_JAR.exists() and shutil.which("java")), reason="epubcheck not installed (apt-get install epubcheck)"
)
def test_epubcheck_finds_nothing(epub: Path) -> None:
    result = subprocess.run(
        ["java", "-jar", str(EPUBCHECK_JAR), str(epub)], capture_output=True, text=True, timeout=300, check=False
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0 and "0 fatals / 0 errors / 0 warnings" in report, report


def test_a_chapter_without_timings_is_text_only(book: Book, epub: Path, tmp_path: Path) -> None:
    silent = type(book.chapters[0])(2, "Sin voz", book.chapters[0].master_path, 1.0, [], "Solo texto.")
    with zipfile.ZipFile(epub) as archive:
        mp3 = tmp_path / "1.mp3"
        mp3.write_bytes(archive.read("EPUB/audio/ch01.mp3"))
    out = build_overlay_epub(book.metadata, None, [book.chapters[0], silent], [mp3, mp3], tmp_path / "x.epub")
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert "EPUB/overlays/ch02.smil" not in names and "EPUB/audio/ch02.mp3" not in names
        opf = etree.fromstring(archive.read("EPUB/package.opf"))
        item = opf.find(".//opf:manifest/opf:item[@id='ch02']", NS)
        assert item.get("media-overlay") is None
        durations = opf.findall(".//opf:meta[@property='media:duration']", NS)
        assert sorted(m.get("refines") or "" for m in durations) == ["", "#smil-ch01"]
        assert {"EPUB/" + i.get("href") for i in opf.findall(".//opf:manifest/opf:item", NS)} <= names
