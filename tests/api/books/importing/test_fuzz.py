"""Arbitrary bytes and damaged EPUBs: the import answers a book or a VocalioError, nothing else."""

import contextlib
import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vocalio_api.books.importing import import_book
from vocalio_shared.errors import VocalioError

from tests.support.epub_builder import Page, build_epub, zip_of

SEED_BOOK = build_epub(
    version=3,
    front=[Page("cover.xhtml", '<img src="images/cover.png"/>', epub_type="cover")],
    chapters=[
        ("Capítulo 1", "Era una noche.\n\nLlovía."),
        Page(
            "c2.xhtml",
            '<h1 id="a">Dos</h1><p>B<a epub:type="noteref" href="#n">1</a>.</p>'
            '<aside epub:type="footnote" id="n"><p>Nota.</p></aside>',
            toc=[("Dos", "a")],
        ),
    ],
    metadata={"title": "Semilla", "isbn": "978-84-08-04364-5"},
)
# The same book with every member stored (not deflated), so byte flips reach the XML itself.
with zipfile.ZipFile(io.BytesIO(SEED_BOOK)) as _zf:
    STORED_BOOK = zip_of({i.filename: _zf.read(i) for i in _zf.infolist()}, compress=zipfile.ZIP_STORED)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _import(data: bytes, filename: str | None) -> None:
    with contextlib.suppress(VocalioError):  # a VocalioError is a fine answer; anything else fails
        import_book(data, filename, None)


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from([None, "x.epub", "x.txt", "x.bin"]))
def test_arbitrary_bytes(data: bytes, filename: str | None) -> None:
    _import(data, filename)


@FUZZ
@given(
    st.sampled_from([SEED_BOOK, STORED_BOOK]),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_mutated_epubs(seed: bytes, flips: list[tuple[int, int]]) -> None:
    data = bytearray(seed)
    for at, value in flips:
        data[at % len(data)] = value
    _import(bytes(data), "x.epub")


@FUZZ
@given(st.sampled_from([SEED_BOOK, STORED_BOOK]), st.integers(0, 10**6))
def test_truncated_epubs(seed: bytes, cut: int) -> None:
    _import(seed[: cut % len(seed)], "x.epub")


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_xhtml_in_a_chapter(body: str) -> None:
    data = build_epub(
        version=2, chapters=[Page("c.xhtml", "", toc=[("Uno", None)], raw=body.encode("utf-8", "surrogatepass"))]
    )
    _import(data, "x.epub")
