"""The book limits: sections, characters per chapter and per book, nothing to read."""

import pytest
from vocalio_api.books.importing import ImportLimits, import_book
from vocalio_shared.errors import ErrorCode, VocalioError

from tests.support.epub_builder import Page, build_epub


def _error(data: bytes, limits: ImportLimits, filename: str = "x.epub") -> VocalioError:
    with pytest.raises(VocalioError) as info:
        import_book(data, filename, None, limits=limits)
    return info.value


def test_too_many_chapters() -> None:
    data = build_epub(version=3, chapters=[(f"Capítulo {n}", "Hola.") for n in range(1, 6)])
    error = _error(data, ImportLimits(chapters=4))
    assert error.code is ErrorCode.BOOK_TOO_LARGE
    assert error.context == {"sections": 5, "limit": 4}
    assert len(import_book(data, "x.epub", None, limits=ImportLimits(chapters=5)).sections) == 5


def test_a_chapter_over_the_limit_is_named() -> None:
    data = build_epub(version=3, chapters=[("Corto", "Hola."), ("Largo", "Palabra " * 200)])
    error = _error(data, ImportLimits(chapter_chars=1000))
    assert error.code is ErrorCode.BOOK_TOO_LARGE
    assert error.context["title"] == "Largo"
    assert error.context["section"] == 2
    assert error.context["limit_chars"] == 1000
    assert "Largo" in error.message


def test_the_book_over_the_limit() -> None:
    text = "\n\n".join(f"Capítulo {n}\n\n" + "Frase corta. " * 20 for n in range(1, 6))
    error = _error(text.encode(), ImportLimits(book_chars=1000), "libro.txt")
    assert error.code is ErrorCode.BOOK_TOO_LARGE
    assert error.context["limit_chars"] == 1000
    assert error.context["chars"] > 1000


def test_only_matter_is_empty() -> None:
    front = [Page("d.xhtml", "<p>A mi madre.</p>", toc=[("Dedicatoria", None)])]
    data = build_epub(version=3, front=front, chapters=[Page("c.xhtml", "<img src='x.png'/>", toc=[("Uno", None)])])
    error = _error(data, ImportLimits())
    assert error.code is ErrorCode.BOOK_EMPTY
    assert "Dedicatoria" in error.message
