"""Plain-text books: decoding and chapters from Spanish headings."""

import pytest
from vocalio_api.books.importing import import_book
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.schemas.books import MatterKind

BOOK = """El viaje
Ana Pérez

Prólogo

Todo empezó en Lugo.
Era invierno.

Primera parte

Capítulo I

La casa estaba vacía.

—¿Hay alguien? —preguntó.
—Nadie —dijo el eco.

CAPÍTULO 2
El regreso

Capítulo tras capítulo, la historia avanzaba sin que nadie lo notara.

Capítulo 3: La tormenta

Llovió.

Capítulo tercero. Otra vez

Y otra.

# Interludio en Markdown

Un respiro.

IV.

Sin título.

Segunda parte

Texto de la parte.

Epílogo

Se fueron.

Agradecimientos

A mi editora.
"""


def _sections(book):
    return [(s.title, s.kind, s.included, s.source) for s in book.sections]


def test_spanish_headings_split_the_chapters() -> None:
    book = import_book(BOOK.encode(), "el_viaje.txt", "text/plain")
    assert book.source_format == "txt"
    assert book.metadata.title == "el viaje"
    assert _sections(book) == [
        ("Portadilla", MatterKind.TITLE_PAGE, False, "line 1"),
        ("Prólogo", MatterKind.CHAPTER, True, "line 4"),
        ("Primera parte. Capítulo I", MatterKind.CHAPTER, True, "line 9"),
        ("CAPÍTULO 2. El regreso", MatterKind.CHAPTER, True, "line 18"),
        ("Capítulo 3: La tormenta", MatterKind.CHAPTER, True, "line 23"),
        ("Capítulo tercero. Otra vez", MatterKind.CHAPTER, True, "line 27"),
        ("Interludio en Markdown", MatterKind.CHAPTER, True, "line 31"),
        ("IV", MatterKind.CHAPTER, True, "line 35"),
        ("Segunda parte", MatterKind.CHAPTER, True, "line 39"),
        ("Epílogo", MatterKind.CHAPTER, True, "line 43"),
        ("Agradecimientos", MatterKind.ACKNOWLEDGMENTS, False, "line 47"),
    ]
    texts = {s.title: s.text for s in book.sections}
    assert texts["Prólogo"] == "Todo empezó en Lugo. Era invierno."  # a hard-wrapped paragraph joined
    assert texts["Primera parte. Capítulo I"] == (
        "La casa estaba vacía.\n\n—¿Hay alguien? —preguntó.\n\n—Nadie —dijo el eco."
    )
    # "Capítulo" inside a sentence is text, not a heading.
    assert texts["CAPÍTULO 2. El regreso"].startswith("Capítulo tras capítulo")
    assert texts["Portadilla"] == "El viaje Ana Pérez"


def test_cp1252_text_decodes() -> None:
    text = "Capítulo 1\n\nEl niño comió piñones “así”.\n"
    book = import_book(text.encode("cp1252"), "libro.txt", None)
    assert [(s.title, s.text) for s in book.sections] == [("Capítulo 1", "El niño comió piñones “así”.")]


def test_utf8_bom_and_crlf() -> None:
    book = import_book("\ufeffCapítulo 1\r\n\r\nHola.\r\n".encode(), "a.txt", None)
    assert [(s.title, s.text) for s in book.sections] == [("Capítulo 1", "Hola.")]


def test_no_headings_is_one_chapter_named_from_the_file() -> None:
    book = import_book(b"Una sola historia.\n\nSin capitulos.", "mi_cuento.txt", None)
    assert [(s.title, s.text) for s in book.sections] == [("mi cuento", "Una sola historia.\n\nSin capitulos.")]
    anonymous = import_book(b"Una sola historia.", None, None)
    assert anonymous.sections[0].title == "Texto"
    assert anonymous.metadata.title is None


def test_one_paragraph_per_line_when_there_are_no_blank_lines() -> None:
    book = import_book(b"Primera frase.\nSegunda frase.\nTercera.", "a.txt", None)
    assert book.sections[0].text == "Primera frase.\n\nSegunda frase.\n\nTercera."


def test_headings_in_a_text_without_blank_lines() -> None:
    text = "Capítulo 1\nUno.\nSigue uno.\nCapítulo 2\nDos.\n"
    book = import_book(text.encode(), "a.txt", None)
    assert [(s.title, s.text) for s in book.sections] == [("Capítulo 1", "Uno.\n\nSigue uno."), ("Capítulo 2", "Dos.")]


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary\x00", bytes(range(256)) * 4])
def test_binary_is_refused(data: bytes) -> None:
    with pytest.raises(VocalioError) as info:
        import_book(data, "libro.txt", None)
    assert info.value.code is ErrorCode.BOOK_UNREADABLE
    assert "binary" in info.value.message
