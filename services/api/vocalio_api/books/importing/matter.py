"""Front and back matter: which sections of a book are not read by default, and what they are.

The evidence, strongest first: the EPUB's own semantics (`epub:type` / ARIA `role` on the section,
the EPUB 2 `<guide>` and EPUB 3 landmarks), then the section's title (Spanish and English), then,
for files the table of contents does not name, the file name and a glance at short texts
(a copyright notice). "Prólogo", "Epílogo", "Introducción", "Prefacio" and the like are chapters.
"""

import re
import unicodedata

from vocalio_shared.schemas.books import MatterKind

K = MatterKind

# epub:type (EPUB 3 Structural Semantics Vocabulary) and DPUB-ARIA roles → kind.
_TYPE_KINDS: dict[str, MatterKind] = {
    "cover": K.COVER,
    "doc-cover": K.COVER,
    "titlepage": K.TITLE_PAGE,
    "halftitlepage": K.TITLE_PAGE,
    "copyright-page": K.COPYRIGHT,
    "imprint": K.COPYRIGHT,
    "imprimatur": K.COPYRIGHT,
    "dedication": K.DEDICATION,
    "doc-dedication": K.DEDICATION,
    "epigraph": K.EPIGRAPH,
    "doc-epigraph": K.EPIGRAPH,
    "toc": K.TOC,
    "doc-toc": K.TOC,
    "toc-brief": K.TOC,
    "landmarks": K.TOC,
    "loi": K.TOC,
    "lot": K.TOC,
    "loa": K.TOC,
    "lov": K.TOC,
    "index": K.INDEX,
    "doc-index": K.INDEX,
    "bibliography": K.BIBLIOGRAPHY,
    "doc-bibliography": K.BIBLIOGRAPHY,
    "colophon": K.COLOPHON,
    "doc-colophon": K.COLOPHON,
    "acknowledgments": K.ACKNOWLEDGMENTS,
    "doc-acknowledgments": K.ACKNOWLEDGMENTS,
    "footnotes": K.NOTES,
    "endnotes": K.NOTES,
    "rearnotes": K.NOTES,
    "doc-endnotes": K.NOTES,
    "errata": K.EDITION_NOTE,
    "doc-errata": K.EDITION_NOTE,
    "seriespage": K.OTHER_BOOKS,
    "contributors": K.ABOUT_AUTHOR,
}
# Tokens that say "this is read": they win over heuristics (but not over a matter token).
_CHAPTER_TYPES = frozenset(
    [
        "chapter",
        "doc-chapter",
        "prologue",
        "doc-prologue",
        "epilogue",
        "doc-epilogue",
        "introduction",
        "doc-introduction",
        "preface",
        "doc-preface",
        "foreword",
        "doc-foreword",
        "afterword",
        "doc-afterword",
        "conclusion",
        "doc-conclusion",
        "part",
        "doc-part",
        "volume",
        "appendix",
        "doc-appendix",
    ]
)

# EPUB 2 <guide> reference types.
_GUIDE_KINDS: dict[str, MatterKind] = {
    "cover": K.COVER,
    "title-page": K.TITLE_PAGE,
    "toc": K.TOC,
    "loi": K.TOC,
    "lot": K.TOC,
    "index": K.INDEX,
    "acknowledgements": K.ACKNOWLEDGMENTS,
    "acknowledgments": K.ACKNOWLEDGMENTS,
    "bibliography": K.BIBLIOGRAPHY,
    "colophon": K.COLOPHON,
    "copyright-page": K.COPYRIGHT,
    "dedication": K.DEDICATION,
    "epigraph": K.EPIGRAPH,
    "notes": K.NOTES,
    "foreword": K.CHAPTER,
    "preface": K.CHAPTER,
}

# Titles, compared without accents, case and punctuation.
_TITLE_EXACT: dict[str, MatterKind] = {}
for _kind, _titles in {
    K.COVER: "cubierta|portada|cover",
    K.TITLE_PAGE: "portadilla|pagina de titulo|pagina del titulo|title page|titlepage|half title",
    K.COPYRIGHT: "creditos|copyright|derechos|derechos de autor|aviso legal|informacion legal|legal|"
    "pagina de derechos|pagina de creditos|credits|copyright page",
    K.DEDICATION: "dedicatoria|dedication",
    K.EPIGRAPH: "epigrafe|epigraph",
    K.TOC: "indice|indice general|contenido|contenidos|tabla de contenido|tabla de contenidos|sumario|"
    "table of contents|contents|toc",
    K.INDEX: "indice alfabetico|indice onomastico|indice analitico|indice tematico|indice de nombres|index",
    K.ACKNOWLEDGMENTS: "agradecimientos|agradecimiento|reconocimientos|acknowledgments|acknowledgements",
    K.BIBLIOGRAPHY: "bibliografia|bibliografia seleccionada|referencias|referencias bibliograficas|"
    "obras citadas|bibliography|references|works cited",
    K.NOTES: "notas|notas finales|notas al texto|notas del texto|notes|endnotes|footnotes",
    K.COLOPHON: "colofon|colophon",
    K.ABOUT_AUTHOR: "sobre el autor|sobre la autora|sobre los autores|acerca del autor|acerca de la autora|"
    "el autor|la autora|biografia|biografia del autor|nota biografica|about the author|about the authors",
    K.OTHER_BOOKS: "otros titulos|otros libros|otras obras|del mismo autor|de la misma autora|"
    "otros titulos del autor|otros titulos de la autora|also by|other books|other titles",
    K.EDITION_NOTE: "nota a la edicion|nota de la edicion|nota a esta edicion|nota sobre la edicion|"
    "nota sobre esta edicion|nota editorial|nota del editor|nota de los editores|sobre esta edicion",
}.items():
    for _title in _titles.split("|"):
        _TITLE_EXACT[_title] = _kind
_TITLE_PREFIX: list[tuple[str, MatterKind]] = [
    ("otros titulos de ", K.OTHER_BOOKS),
    ("otras obras de ", K.OTHER_BOOKS),
    ("tambien de ", K.OTHER_BOOKS),
    ("del mismo autor ", K.OTHER_BOOKS),
    ("also by ", K.OTHER_BOOKS),
    ("acerca de ", K.ABOUT_AUTHOR),
    ("sobre el autor ", K.ABOUT_AUTHOR),
]
# Read, whatever a file name or a short text suggests.
_CHAPTER_TITLES = frozenset(
    [
        "prologo",
        "epilogo",
        "introduccion",
        "prefacio",
        "preambulo",
        "proemio",
        "presentacion",
        "nota del autor",
        "nota de la autora",
        "nota preliminar",
        "palabras preliminares",
        "posfacio",
        "postfacio",
        "epilogo del autor",
        "interludio",
        "apendice",
        "prologue",
        "epilogue",
        "introduction",
        "preface",
        "foreword",
        "afterword",
        "author's note",
        "authors note",
    ]
)

# File-name tokens (for files the TOC does not name). "index" is left out on purpose: Calibre
# names whole books index_split_000.html.
_FILE_TOKENS: dict[str, MatterKind] = {
    "cover": K.COVER,
    "cubierta": K.COVER,
    "portada": K.COVER,
    "titlepage": K.TITLE_PAGE,
    "title": K.TITLE_PAGE,
    "titulo": K.TITLE_PAGE,
    "portadilla": K.TITLE_PAGE,
    "halftitle": K.TITLE_PAGE,
    "copyright": K.COPYRIGHT,
    "creditos": K.COPYRIGHT,
    "credits": K.COPYRIGHT,
    "legal": K.COPYRIGHT,
    "derechos": K.COPYRIGHT,
    "dedication": K.DEDICATION,
    "dedicatoria": K.DEDICATION,
    "epigraph": K.EPIGRAPH,
    "epigrafe": K.EPIGRAPH,
    "toc": K.TOC,
    "contents": K.TOC,
    "indice": K.TOC,
    "sumario": K.TOC,
    "nav": K.TOC,
    "bibliography": K.BIBLIOGRAPHY,
    "bibliografia": K.BIBLIOGRAPHY,
    "notes": K.NOTES,
    "notas": K.NOTES,
    "footnotes": K.NOTES,
    "endnotes": K.NOTES,
    "colophon": K.COLOPHON,
    "colofon": K.COLOPHON,
    "acknowledgments": K.ACKNOWLEDGMENTS,
    "acknowledgements": K.ACKNOWLEDGMENTS,
    "agradecimientos": K.ACKNOWLEDGMENTS,
    "autor": K.ABOUT_AUTHOR,
    "author": K.ABOUT_AUTHOR,
}

_COPYRIGHT_SIGNS = re.compile(
    r"©|\(c\)\s*\d{4}|\bisbn\b|todos los derechos reservados|all rights reserved|dep[oó]sito legal|"
    r"queda(n)? rigurosamente prohibida|impreso en",
    re.IGNORECASE,
)

# Labels for set-aside sections that carry no title of their own.
KIND_LABELS: dict[MatterKind, str] = {
    K.CHAPTER: "Capítulo",
    K.COVER: "Cubierta",
    K.TITLE_PAGE: "Portadilla",
    K.COPYRIGHT: "Créditos",
    K.DEDICATION: "Dedicatoria",
    K.EPIGRAPH: "Epígrafe",
    K.TOC: "Índice",
    K.EDITION_NOTE: "Nota a la edición",
    K.ACKNOWLEDGMENTS: "Agradecimientos",
    K.INDEX: "Índice alfabético",
    K.BIBLIOGRAPHY: "Bibliografía",
    K.NOTES: "Notas",
    K.COLOPHON: "Colofón",
    K.ABOUT_AUTHOR: "Sobre el autor",
    K.OTHER_BOOKS: "Otros títulos",
}


def fold(text: str) -> str:
    """Lower case, accents off, punctuation to spaces, spaces collapsed: for comparing titles."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w']+", " ", text).replace("_", " ").split())


def kind_from_types(tokens: frozenset[str]) -> MatterKind | None:
    """The EPUB's semantics: a matter token wins, a chapter token says CHAPTER, else None."""
    for token in sorted(tokens):  # sorted: the same answer whatever the set's order
        if token in _TYPE_KINDS:
            return _TYPE_KINDS[token]
    if tokens & _CHAPTER_TYPES:
        return K.CHAPTER
    return None


def kind_from_guide(reference_type: str) -> MatterKind | None:
    return _GUIDE_KINDS.get(reference_type.lower().strip())


def kind_from_title(title: str | None) -> MatterKind | None:
    if not title:
        return None
    folded = fold(title)
    if not folded:
        return None
    if folded in _CHAPTER_TITLES or any(folded.startswith(t + " ") for t in _CHAPTER_TITLES):
        return K.CHAPTER
    if folded in _TITLE_EXACT:
        return _TITLE_EXACT[folded]
    for prefix, kind in _TITLE_PREFIX:
        if folded.startswith(prefix):
            return kind
    return None


def is_title_page(title: str | None, text: str, book_title: str | None) -> bool:
    """A short section named like the book itself is its title page (a long one is a chapter
    that happens to share the book's name)."""
    return bool(title and book_title and len(text) <= 500 and fold(title) == fold(book_title))


def kind_from_filename(path: str) -> MatterKind | None:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for token in re.split(r"[^a-z]+", fold(stem).replace(" ", "_")):
        if token in _FILE_TOKENS:
            return _FILE_TOKENS[token]
    return None


def kind_from_content(text: str) -> MatterKind | None:
    """A short text with a copyright notice or an ISBN is the copyright page."""
    if len(text) <= 1500 and _COPYRIGHT_SIGNS.search(text):
        return K.COPYRIGHT
    return None


def is_matter_heading(line: str) -> bool:
    """A TXT line that is exactly a matter title ("Agradecimientos", "Notas", ...)."""
    if len(line) > 60:  # matter titles are short; folding every line of a book is not free
        return False
    folded = fold(line)
    return folded in _TITLE_EXACT and _TITLE_EXACT[folded] not in (K.COVER, K.TITLE_PAGE)
