"""EPUB structure: reading order, TOC boundaries (nav, NCX, anchors), joined files, matter, notes."""

import pytest
from vocalio_api.books.importing import import_book
from vocalio_shared.schemas.books import MatterKind

from tests.support.epub_builder import Page, build_epub, chapter, tiny_png


def _chapters(book):
    return [(s.title, s.text) for s in book.sections if s.included]


@pytest.mark.parametrize("version", [2, 3])
def test_chapters_come_in_spine_order_with_toc_titles(version: int) -> None:
    # The manifest is written in reverse: only the spine gives the right order.
    data = build_epub(
        version=version,
        chapters=[
            ("Capítulo 1", "Era una noche oscura.\n\nLlovía sin parar."),
            ("Capítulo 2", "Amaneció pronto."),
            ("Capítulo 3", "Fin de la historia."),
        ],
    )
    book = import_book(data, "libro.epub", "application/epub+zip")
    assert book.source_format == "epub"
    assert _chapters(book) == [
        ("Capítulo 1", "Era una noche oscura.\n\nLlovía sin parar."),  # the <h1> is the title, not read twice
        ("Capítulo 2", "Amaneció pronto."),
        ("Capítulo 3", "Fin de la historia."),
    ]
    assert [s.source for s in book.sections] == ["OEBPS/ch01.xhtml", "OEBPS/ch02.xhtml", "OEBPS/ch03.xhtml"]


def test_epub2_ncx_titles_win_over_headings() -> None:
    pages = [
        Page("a.xhtml", "<h2>I</h2><p>Primero.</p>", toc=[("La partida", None)]),
        Page("b.xhtml", "<h2>II</h2><p>Segundo.</p>", toc=[("El regreso", None)]),
    ]
    book = import_book(build_epub(version=2, chapters=pages), "x.epub", None)
    assert [s.title for s in book.sections] == ["La partida", "El regreso"]
    # The headings differ from the NCX titles, so they stay in the text.
    assert [s.text for s in book.sections] == ["I\n\nPrimero.", "II\n\nSegundo."]


def test_a_shorter_toc_title_takes_the_fuller_heading() -> None:
    pages = [
        Page("a.xhtml", "<h1>Capítulo 1: El viaje</h1><p>Uno.</p>", toc=[("Capítulo 1", None)]),
        Page("b.xhtml", "<h1>Capítulo 2</h1><h2>La vuelta</h2><p>Dos.</p>", toc=[("Capítulo 2. La vuelta", None)]),
    ]
    book = import_book(build_epub(version=3, chapters=pages), "x.epub", None)
    assert _chapters(book) == [("Capítulo 1: El viaje", "Uno."), ("Capítulo 2. La vuelta", "Dos.")]


def test_two_chapters_in_one_file_split_at_anchors() -> None:
    body = (
        '<h1 id="c1">Capítulo 1</h1><p>Uno.</p><p>Más uno.</p>'
        '<div id="c2"><h1>Capítulo 2</h1><p>Dos.</p></div>'
        '<p><a id="c3"/></p><h1>Capítulo 3</h1><p>Tres.</p>'
    )
    page = Page("todo.xhtml", body, toc=[("Capítulo 1", "c1"), ("Capítulo 2", "c2"), ("Capítulo 3", "c3")])
    for version in (2, 3):
        book = import_book(build_epub(version=version, chapters=[page]), "x.epub", None)
        assert _chapters(book) == [("Capítulo 1", "Uno.\n\nMás uno."), ("Capítulo 2", "Dos."), ("Capítulo 3", "Tres.")]
        assert [s.source for s in book.sections] == [f"OEBPS/todo.xhtml#c{n}" for n in (1, 2, 3)]


def test_anchors_listed_out_of_order_still_split_in_reading_order() -> None:
    body = '<h1 id="b">Segundo</h1><p>B.</p><h1 id="a">Primero</h1><p>A.</p>'
    page = Page("x.xhtml", body, toc=[("Primero", "a"), ("Segundo", "b")])
    book = import_book(build_epub(version=3, chapters=[page]), "x.epub", None)
    assert _chapters(book) == [("Segundo", "B."), ("Primero", "A.")]


def test_a_chapter_split_over_two_files_is_joined() -> None:
    first = chapter("Capítulo 1", "Principio del capítulo.", name="c1a.xhtml")
    rest = Page("c1b.xhtml", "<p>Continuación del capítulo.</p>")  # no TOC entry of its own
    second = chapter("Capítulo 2", "Otro capítulo.", name="c2.xhtml")
    for version in (2, 3):
        book = import_book(build_epub(version=version, chapters=[first, rest, second]), "x.epub", None)
        assert _chapters(book) == [
            ("Capítulo 1", "Principio del capítulo.\n\nContinuación del capítulo."),
            ("Capítulo 2", "Otro capítulo."),
        ]


def test_front_and_back_matter_are_classified_listed_and_set_aside() -> None:
    front = [
        Page("cover.xhtml", '<img src="images/cover.png" alt="Cubierta"/><p>El libro</p>', epub_type="cover"),
        Page("title.xhtml", "<h1>El libro</h1><p>Ana Pérez</p>", epub_type="titlepage"),
        Page("legal.xhtml", "<p>© 2026 Ana Pérez. Todos los derechos reservados. ISBN 978-84-376-0494-7</p>"),
        Page("dedica.xhtml", "<p>A mi madre.</p>", toc=[("Dedicatoria", None)]),
        Page("indice.xhtml", "<h1>Índice</h1><p>Capítulo 1 ... 3</p>", toc=[("Índice", None)]),
        chapter("Prólogo", "Antes de empezar."),
    ]
    back = [
        Page("gracias.xhtml", "<h1>Agradecimientos</h1><p>A todos.</p>", toc=[("Agradecimientos", None)]),
        Page("autor.xhtml", "<p>Ana nació en Lugo.</p>", toc=[("Sobre la autora", None)]),
        Page("colofon.xhtml", "<p>Este libro se terminó de imprimir.</p>", epub_type="colophon"),
        Page("mas.xhtml", "<p>La saga continúa.</p>", toc=[("Otros títulos de Ana Pérez", None)]),
    ]
    data = build_epub(
        version=3,
        front=front,
        chapters=[("Capítulo 1", "Texto del capítulo."), ("Epílogo", "Después.")],
        back=back,
        metadata={"title": "El libro"},
        cover=tiny_png(),
    )
    book = import_book(data, "x.epub", None)
    kinds = [(s.title, s.kind, s.included) for s in book.sections]
    assert kinds == [
        ("Cubierta", MatterKind.COVER, False),
        ("El libro", MatterKind.TITLE_PAGE, False),
        ("Créditos", MatterKind.COPYRIGHT, False),
        ("Dedicatoria", MatterKind.DEDICATION, False),
        ("Índice", MatterKind.TOC, False),
        ("Prólogo", MatterKind.CHAPTER, True),
        ("Capítulo 1", MatterKind.CHAPTER, True),
        ("Epílogo", MatterKind.CHAPTER, True),
        ("Agradecimientos", MatterKind.ACKNOWLEDGMENTS, False),
        ("Sobre la autora", MatterKind.ABOUT_AUTHOR, False),
        ("Colofón", MatterKind.COLOPHON, False),
        ("Otros títulos de Ana Pérez", MatterKind.OTHER_BOOKS, False),
    ]
    assert "Todos los derechos reservados" in book.sections[2].text  # listed with its text


def test_epub2_guide_types_classify_matter() -> None:
    front = [
        Page("p1.xhtml", "<p>Portada del libro</p>", guide="cover"),
        Page("p2.xhtml", "<p>Para Luis.</p>", guide="dedication"),
        Page("p3.xhtml", "<p>Uno, dos, tres.</p>", guide="toc"),
    ]
    book = import_book(build_epub(version=2, front=front, chapters=[("Capítulo 1", "Hola.")]), "x.epub", None)
    assert [(s.kind, s.included) for s in book.sections] == [
        (MatterKind.COVER, False),
        (MatterKind.DEDICATION, False),
        (MatterKind.TOC, False),
        (MatterKind.CHAPTER, True),
    ]


def test_epub3_landmarks_classify_matter() -> None:
    front = [Page("x1.xhtml", "<p>Para Luis.</p>", epub_type="dedication")]
    book = import_book(build_epub(version=3, front=front, chapters=[("Uno", "Hola.")], landmarks=True), "x.epub", None)
    assert [(s.kind, s.included) for s in book.sections] == [(MatterKind.DEDICATION, False), (MatterKind.CHAPTER, True)]


FOOTNOTED = (
    "<h1>Capítulo 1</h1>"
    '<p>La casa<a epub:type="noteref" href="#n1">1</a> era vieja<sup><a href="#n2">2</a></sup> y fría.</p>'
    '<aside epub:type="footnote" id="n1"><p>Construida en 1890.</p></aside>'
    '<aside epub:type="footnote" id="n2"><p><a href="#r2">↩</a> Según el catastro.</p></aside>'
    "<p>Nadie vivía allí.</p>"
)


def test_footnotes_and_note_references_are_skipped_by_default() -> None:
    data = build_epub(version=3, chapters=[Page("c.xhtml", FOOTNOTED, toc=[("Capítulo 1", None)])])
    book = import_book(data, "x.epub", None)
    assert _chapters(book) == [("Capítulo 1", "La casa era vieja y fría.\n\nNadie vivía allí.")]


def test_include_footnotes_keeps_the_notes_text_at_the_end_of_the_chapter() -> None:
    data = build_epub(version=3, chapters=[Page("c.xhtml", FOOTNOTED, toc=[("Capítulo 1", None)])])
    book = import_book(data, "x.epub", None, include_footnotes=True)
    assert _chapters(book) == [
        ("Capítulo 1", "La casa era vieja y fría.\n\nNadie vivía allí.\n\nConstruida en 1890.\n\nSegún el catastro.")
    ]


def test_epub2_endnotes_file_and_links_to_it() -> None:
    chap = Page(
        "c1.xhtml",
        '<h1>Capítulo 1</h1><p>Dijo que no<a href="notas.xhtml#n1" id="r1"><sup>[1]</sup></a>.</p>',
        toc=[("Capítulo 1", None)],
    )
    notes = Page(
        "notas.xhtml",
        '<h1>Notas</h1><p id="n1"><a href="c1.xhtml#r1">[1]</a> Era mentira.</p>',
        toc=[("Notas", None)],
    )
    book = import_book(build_epub(version=2, chapters=[chap], back=[notes]), "x.epub", None)
    assert [(s.title, s.text, s.kind, s.included) for s in book.sections] == [
        ("Capítulo 1", "Dijo que no.", MatterKind.CHAPTER, True),
        ("Notas", "Era mentira.", MatterKind.NOTES, False),
    ]
    with_notes = import_book(build_epub(version=2, chapters=[chap], back=[notes]), "x.epub", None, True)
    assert [s.included for s in with_notes.sections] == [True, True]


def test_headings_mark_chapters_when_there_is_no_toc() -> None:
    pages = [
        Page(
            "a.xhtml",
            "<h1>Capítulo 1</h1><p>Uno.</p><h2>Una sección</h2><p>Sigue uno.</p><h1>Capítulo 2</h1><p>Dos.</p>",
        ),
        Page("b.xhtml", "<p>Sigue dos.</p>"),
        Page("c.xhtml", "<h1>Capítulo 3</h1><p>Tres.</p>"),
    ]
    book = import_book(build_epub(version=3, chapters=pages, toc=False), "x.epub", None)
    assert _chapters(book) == [
        ("Capítulo 1", "Uno.\n\nUna sección\n\nSigue uno."),
        ("Capítulo 2", "Dos.\n\nSigue dos."),
        ("Capítulo 3", "Tres."),
    ]


def test_nested_toc_entries_in_the_same_file_stay_in_their_chapter() -> None:
    # EPUB 3 nav with sub-entries: written by hand, the builder's nav is flat.
    nav = (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>t</title></head><body>'
        '<nav epub:type="toc"><ol>'
        "<li><span>Primera parte</span><ol>"
        '<li><a href="c1.xhtml">Capítulo 1</a><ol><li><a href="c1.xhtml#s2">Sección 2</a></li></ol></li>'
        '<li><a href="c2.xhtml">Capítulo 2</a></li></ol></li>'
        "</ol></nav></body></html>"
    ).encode()
    c1 = Page("c1.xhtml", '<h1>Capítulo 1</h1><p>Uno.</p><h2 id="s2">Sección 2</h2><p>Más.</p>')
    c2 = Page("c2.xhtml", "<h1>Capítulo 2</h1><p>Dos.</p>")
    data = build_epub(version=3, chapters=[c1, c2], extra_files={"OEBPS/nav.xhtml": nav})
    book = import_book(data, "x.epub", None)
    assert _chapters(book) == [("Capítulo 1", "Uno.\n\nSección 2\n\nMás."), ("Capítulo 2", "Dos.")]


def test_a_part_page_without_text_joins_the_next_chapter_title() -> None:
    part = Page("parte1.xhtml", "<h1>Primera parte</h1>", toc=[("Primera parte", None)])
    book = import_book(build_epub(version=3, chapters=[part, ("Capítulo 1", "Hola.")]), "x.epub", None)
    assert _chapters(book) == [("Primera parte. Capítulo 1", "Hola.")]


def test_linear_no_pages_outside_the_toc_are_set_aside() -> None:
    aside = Page("extra.xhtml", "<p>Material adicional.</p>", linear=False)
    book = import_book(build_epub(version=3, chapters=[("Uno", "Hola."), aside]), "x.epub", None)
    assert [(s.text, s.kind, s.included) for s in book.sections] == [
        ("Hola.", MatterKind.CHAPTER, True),
        ("Material adicional.", MatterKind.CHAPTER, False),
    ]


def test_text_extraction_blocks_inline_breaks_scripts_soft_hyphens() -> None:
    body = (
        "<h1>Uno</h1><p>Pala\u00adbra   <em>en</em>\n <b>línea</b>.</p><script>alert(1)</script>"
        "<style>p{}</style><div>Verso uno<br/>verso dos</div><ul><li>Punto</li><li>Otro</li></ul>"
    )
    book = import_book(build_epub(version=3, chapters=[Page("u.xhtml", body, toc=[("Uno", None)])]), "x.epub", None)
    assert book.sections[0].text == "Palabra en línea.\n\nVerso uno\nverso dos\n\nPunto\n\nOtro"


def test_html_named_entities_in_epub2_xhtml() -> None:
    raw = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">'
        b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body>'
        b"<h1>Cap&iacute;tulo 1</h1><p>&iquest;Qu&eacute;&nbsp;pasa? &mdash;dijo&hellip;</p></body></html>"
    )
    no_doctype = raw.replace(b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" ', b"<!-- ").replace(
        b'"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">', b"-->"
    )
    for doc in (raw, no_doctype):
        page = Page("e.xhtml", "", toc=[("Capítulo 1", None)], raw=doc)
        book = import_book(build_epub(version=2, chapters=[page]), "x.epub", None)
        assert _chapters(book) == [("Capítulo 1", "¿Qué pasa? —dijo…")]


def test_malformed_xhtml_falls_back_to_the_html_parser() -> None:
    raw = b"<html><body><h1>Uno</h1><p>Sin cerrar<p>Otro p\xc3\xa1rrafo<br>fin</body></html>"
    page = Page("m.xhtml", "", toc=[("Uno", None)], raw=raw)
    book = import_book(build_epub(version=2, chapters=[page]), "x.epub", None)
    assert _chapters(book) == [("Uno", "Sin cerrar\n\nOtro párrafo\nfin")]


def test_the_nav_document_in_the_spine_is_set_aside_as_the_toc() -> None:
    nav = Page(
        "nav.xhtml",
        '<nav epub:type="toc"><h1>Contenido</h1><ol><li><a href="ch02.xhtml">Capítulo 1</a></li></ol></nav>',
    )
    data = build_epub(version=3, front=[nav], chapters=[chapter("Capítulo 1", "Hola.", in_toc=False)])
    book = import_book(data, "x.epub", None)
    assert [(s.title, s.kind, s.included) for s in book.sections] == [
        ("Contenido", MatterKind.TOC, False),
        ("Capítulo 1", MatterKind.CHAPTER, True),
    ]


def test_a_section_named_like_the_book_is_its_title_page_only_when_short() -> None:
    pages = [("La casa", "Ana Pérez"), ("La casa", "Frase larga del capítulo. " * 40)]
    book = import_book(build_epub(version=3, chapters=pages, metadata={"title": "La casa"}), "x.epub", None)
    assert [(s.kind, s.included) for s in book.sections] == [
        (MatterKind.TITLE_PAGE, False),
        (MatterKind.CHAPTER, True),
    ]
