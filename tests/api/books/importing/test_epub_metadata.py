"""The OPF's metadata and cover → ImportedBook.metadata / cover."""

import pytest
from vocalio_api.books.importing import import_book
from vocalio_api.books.importing.metadata import isbn_of

from tests.support.epub_builder import Page, build_epub, tiny_png

META = {
    "title": "La sombra del viento",
    "subtitle": "Novela",
    "authors": ["Carlos Ruiz", "Ana Pérez"],
    "contributors": [("Marta Voz", "nrt"), ("Ilustra Dor", "ill")],
    "language": "es-ES",
    "publisher": "Editorial Prueba",
    "date": "2001-04-17T00:00:00+00:00",
    "isbn": "978-84-08-04364-5",
    "description": "<p>Una novela <b>gótica</b>.</p>",  # escaped in the OPF, as calibre writes it
    "subjects": ["Novela negra", "Misterio"],
    "series": "El cementerio de los libros olvidados",
    "series_index": "1.0",
}


@pytest.mark.parametrize("version", [2, 3])
def test_metadata_from_the_opf(version: int) -> None:
    meta = dict(META)
    if version == 2:
        meta.pop("subtitle")
    data = build_epub(version=version, chapters=[("Uno", "Hola.")], metadata=meta)
    got = import_book(data, "x.epub", None).metadata
    assert got.title == "La sombra del viento"
    assert got.subtitle == ("Novela" if version == 3 else None)
    assert got.authors == ["Carlos Ruiz", "Ana Pérez"]  # in order; the illustrator is not an author
    assert got.narrator == "Marta Voz"
    assert got.language == "es-ES"
    assert got.publisher == "Editorial Prueba"
    assert got.date == "2001-04-17"
    assert got.isbn == "9788408043645"
    assert got.description == "Una novela gótica."  # escaped HTML stripped
    assert got.genre == "Novela negra"
    assert got.series == "El cementerio de los libros olvidados"
    assert got.series_part == "1"


def test_epub3_collection_series_and_calibre_series() -> None:
    for calibre in (False, True):
        meta = {"series": "Saga", "series_index": "3", "calibre_series": calibre}
        got = import_book(build_epub(version=3, chapters=[("Uno", "Hola.")], metadata=meta), "x.epub", None).metadata
        assert (got.series, got.series_part) == ("Saga", "3")


def test_isbn_check_digits() -> None:
    assert isbn_of("urn:isbn:978-84-08-04364-5") == "9788408043645"
    assert isbn_of("84-08-04364-4") is None  # wrong ISBN-10 check digit
    assert isbn_of("0-306-40615-2") == "0306406152"
    assert isbn_of("080442957X") == "080442957X"
    assert isbn_of("978-84-08-04364-6") is None
    assert isbn_of("urn:uuid:12345678-1234") is None


def test_an_invalid_isbn_and_an_overlong_title_do_not_fail_the_import() -> None:
    meta = {"title": "T" * 900, "isbn": "978-00-00-00000-1", "date": "0101-01-01T00:00:00+00:00"}
    got = import_book(build_epub(version=2, chapters=[("Uno", "Hola.")], metadata=meta), "x.epub", None).metadata
    assert got.title == "T" * 500
    assert got.isbn is None
    assert got.date is None  # calibre's "no date"


@pytest.mark.parametrize("version", [2, 3])
def test_cover_image_extracted(version: int) -> None:
    png = tiny_png(4, 3)
    book = import_book(build_epub(version=version, chapters=[("Uno", "Hola.")], cover=png), "x.epub", None)
    assert book.cover == png
    assert book.cover_media_type == "image/png"


def test_no_cover_is_none() -> None:
    book = import_book(build_epub(version=3, chapters=[("Uno", "Hola.")]), "x.epub", None)
    assert (book.cover, book.cover_media_type) == (None, None)


def test_asin_and_a_missing_title() -> None:
    meta = {"identifier": "urn:asin:B00ABCDEFG", "title": None}
    data = build_epub(version=2, chapters=[("Uno", "Hola.")], metadata=meta)
    book = import_book(data, "mi_libro.epub", None)
    assert book.metadata.asin == "B00ABCDEFG"
    assert book.metadata.title == "mi libro"
    assert any("dc:title" in w for w in book.warnings)


def test_epub2_cover_from_the_guide_cover_page() -> None:
    png = tiny_png(3, 3)
    cover_page = Page("p0.xhtml", '<img src="images/i1.png" alt=""/>', guide="cover")
    data = build_epub(version=2, front=[cover_page], chapters=[("Uno", "Hola.")], cover=png, cover_in_opf=False)
    book = import_book(data, "x.epub", None)
    assert book.cover == png  # only the guide's cover page leads to it
    unnamed = build_epub(version=2, chapters=[("Uno", "Hola.")], cover=png, cover_in_opf=False)
    assert import_book(unnamed, "x.epub", None).cover is None
