"""Plain-text books: decoding, and chapters from Spanish headings on lines of their own.

A heading is a line preceded by a blank line (or the start of the text) that reads as one:
`Capítulo 1`, `CAPÍTULO I`, `Capítulo primero`, `Capítulo 12: El regreso`, `Capítulo XII. El
regreso`, `Prólogo`, `Epílogo`, `Introducción`, `Prefacio`, `Primera parte`, `Parte I`, `Libro
segundo`, a roman numeral alone (`IV.`), a Markdown heading (`# Título`), or a matter title
(`Agradecimientos`, `Notas`, ...: set aside). "Capítulo" inside a sentence is not a heading: the
word must be followed by a number and, if anything, a separator and a short title. A short line
right under a heading and followed by a blank line is the heading's subtitle (`CAPÍTULO I` /
`El regreso` → `CAPÍTULO I. El regreso`). A heading with no text under it before the next one (a
part title) is joined to the next chapter's title (`Primera parte. Capítulo 1`).
"""

import codecs
import re

from vocalio_shared.schemas.books import BookMetadataPatch, MatterKind

from vocalio_api.books.imported import ImportedBook, ImportedSection
from vocalio_api.books.importing import matter
from vocalio_api.books.importing.metadata import title_from_filename
from vocalio_api.books.importing.safety import unreadable
from vocalio_api.books.importing.xhtml import clean_text

_ROMAN = r"(?=[IVXLCDM])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_ORDINALS = (
    "primero|primer|primera|segundo|segunda|tercero|tercer|tercera|cuarto|cuarta|quinto|quinta|sexto|sexta|"
    "s[eé]ptimo|s[eé]ptima|octavo|octava|noveno|novena|d[eé]cimo|d[eé]cima|und[eé]cimo|duod[eé]cimo|"
    "decimo\\w+|vig[eé]simo(?:\\s+\\w+)?|trig[eé]simo(?:\\s+\\w+)?|[uú]ltimo|[uú]ltima"
)
_CARDINALS = (
    "uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|quince|dieci\\w+|veinte|"
    "veinti\\w+|(?:treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa)(?:\\s+y\\s+\\w+)?|cien|ciento\\s+\\w+"
)
_NUMBER = rf"(?:\d{{1,4}}|{_ROMAN}|{_ORDINALS}|{_CARDINALS})"
_SEP_TITLE = r"(?:\s*[.:\-–—]\s*(?P<sub>\S.{0,118}))?"
_CHAPTER = re.compile(rf"^(?:cap[ií]tulo|cap\.)\s+{_NUMBER}\.?{_SEP_TITLE}$", re.IGNORECASE)
_PART = re.compile(
    rf"^(?:(?:{_ORDINALS})\s+parte|parte\s+{_NUMBER}|libro\s+{_NUMBER}|(?:{_ORDINALS})\s+libro)\.?{_SEP_TITLE}$",
    re.IGNORECASE,
)
_NAMED = re.compile(
    rf"^(?:pr[oó]logo|ep[ií]logo|introducci[oó]n|prefacio|pre[aá]mbulo|proemio|posfacio|interludio|"
    rf"nota del autor|nota de la autora|ap[eé]ndice(?:\s+{_NUMBER})?)\.?{_SEP_TITLE}$",
    re.IGNORECASE,
)
_ROMAN_ALONE = re.compile(rf"^{_ROMAN}\.?$")
_MARKDOWN = re.compile(r"^#{1,3}\s+(?P<title>\S.{0,200})$")
MAX_HEADING_CHARS = 140
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # C0 controls other than \t \n \f \r


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252, else latin-1; refuse binary."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise unreadable("the text file says UTF-16 but does not decode as it") from None
    else:
        if b"\x00" in data:
            raise unreadable("the file is binary, not text: send an EPUB 2/3 or a plain-text file")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    controls = len(_CONTROLS.findall(text))
    if "\x00" in text or controls > max(8, len(text) // 100):
        raise unreadable("the file is binary, not text: send an EPUB 2/3 or a plain-text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def heading_of(line: str) -> str | None:
    """The heading's title if the line is one (the whole line, separators normalized)."""
    line = " ".join(line.split())
    if not line or len(line) > MAX_HEADING_CHARS:
        return None
    if match := _MARKDOWN.match(line):
        return match.group("title").strip(" #")
    for pattern in (_CHAPTER, _PART, _NAMED):
        if pattern.match(line):
            return line
    if _ROMAN_ALONE.match(line):
        return line.rstrip(".")
    if matter.is_matter_heading(line):
        return line
    return None


def _subtitle(line: str) -> bool:
    words = line.split()
    return 0 < len(line) <= 80 and len(words) <= 12 and not line.rstrip().endswith((".", ",", ";", ":"))


def import_txt(data: bytes, filename: str | None) -> ImportedBook:
    text = decode(data)
    lines = text.split("\n")
    per_line = _one_paragraph_per_line(lines)
    headings: list[tuple[int, int, str]] = []  # (first line index, first text line index, title)
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        # Without blank lines in the text (one paragraph per line) any line may be a heading.
        after_blank = (
            per_line or index == 0 or not lines[index - 1].strip() or bool(headings and headings[-1][1] == index)
        )
        title = heading_of(line) if after_blank else None
        if title is None:
            index += 1
            continue
        body_start = index + 1
        nxt = lines[index + 1].strip() if index + 1 < len(lines) else ""
        follows_blank = index + 2 >= len(lines) or not lines[index + 2].strip()
        if nxt and heading_of(nxt) is None and _subtitle(nxt) and follows_blank and not _has_sub(line):
            title = f"{title.rstrip('.')}. {nxt}"
            body_start = index + 2
        headings.append((index, body_start, title))
        index = body_start

    book_title = title_from_filename(filename)
    sections: list[ImportedSection] = []
    warnings: list[str] = []
    if not headings:
        body = _paragraphs(lines, per_line)
        sections.append(ImportedSection(book_title or "Texto", body, MatterKind.CHAPTER, True, "line 1"))
        return ImportedBook("txt", BookMetadataPatch(title=book_title), sections, warnings=warnings)

    preamble = _paragraphs(lines[: headings[0][0]], per_line)
    if preamble:
        kind = matter.kind_from_content(preamble) or (MatterKind.TITLE_PAGE if len(preamble) <= 400 else None)
        if kind is None:
            sections.append(ImportedSection("Texto", preamble, MatterKind.CHAPTER, True, "line 1"))
        else:
            sections.append(ImportedSection(matter.KIND_LABELS[kind], preamble, kind, False, "line 1"))
    pending: str | None = None
    pending_line = 0
    for number, (line_index, body_start, title) in enumerate(headings):
        end = headings[number + 1][0] if number + 1 < len(headings) else len(lines)
        body = _paragraphs(lines[body_start:end], per_line)
        kind = matter.kind_from_title(title) or MatterKind.CHAPTER
        if not body:
            if kind is MatterKind.CHAPTER:
                pending = f"{pending}. {title}" if pending else title
                pending_line = pending_line or line_index + 1
            continue
        source = f"line {line_index + 1}"
        if pending and kind is MatterKind.CHAPTER:
            title = f"{pending}. {title}"
            source = f"line {pending_line}"
            pending, pending_line = None, 0
        sections.append(ImportedSection(title[:500], body, kind, kind is MatterKind.CHAPTER, source))
    if pending:
        warnings.append(f"{pending!r} has no text to read: left out")
    return ImportedBook("txt", BookMetadataPatch(title=book_title), sections, warnings=warnings)


def _has_sub(line: str) -> bool:
    """Whether a heading line already carries its title (`Capítulo 3: El viaje`)."""
    line = " ".join(line.split())
    for pattern in (_CHAPTER, _PART, _NAMED):
        match = pattern.match(line)
        if match and match.group("sub"):
            return True
    return False


_DIALOGUE = ("—", "–", "-", "―")


def _one_paragraph_per_line(lines: list[str]) -> bool:
    """A text with (almost) no blank lines writes one paragraph per line; else it is hard-wrapped."""
    inner = "\n".join(lines).strip().split("\n")
    blank = sum(1 for line in inner if not line.strip())
    return blank * 20 < len(inner) - blank


def _paragraphs(lines: list[str], one_per_line: bool) -> str:
    """Paragraphs are separated by blank lines and lines inside one joined (hard-wrapped text),
    except that a dialogue dash starts a new paragraph; or one paragraph per line."""
    stripped = [line.strip() for line in lines]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*stripped, ""]:
        if line and current and (one_per_line or line.startswith(_DIALOGUE)):
            paragraphs.append(clean_text(" ".join(current)))
            current = []
        if line:
            current.append(line)
        elif current:
            paragraphs.append(clean_text(" ".join(current)))
            current = []
    return "\n\n".join(p for p in paragraphs if p)
