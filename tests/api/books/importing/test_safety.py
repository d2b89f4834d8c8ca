"""Hostile files: every one answers a clear BOOK_* error, and nothing is fetched, resolved or leaked."""

import http.server
import io
import threading
import zipfile
from collections.abc import Iterator

import pytest
from vocalio_api.books.importing import ImportLimits, import_book
from vocalio_shared.errors import ErrorCode, VocalioError

from tests.support.epub_builder import Page, build_epub, zip_of

CONTAINER = (
    b'<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    b'<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    b"</rootfiles></container>"
)


def _code(data: bytes, limits: ImportLimits | None = None, filename: str = "x.epub") -> VocalioError:
    with pytest.raises(VocalioError) as info:
        import_book(data, filename, None, limits=limits)
    return info.value


def _book_with(page_raw: bytes, **kwargs) -> bytes:
    return build_epub(version=2, chapters=[Page("c.xhtml", "", toc=[("Uno", None)], raw=page_raw)], **kwargs)


@pytest.mark.parametrize(
    "name", ["../evil.xhtml", "OEBPS/../../evil.xhtml", "/etc/evil.xhtml", "OEBPS\\evil.xhtml", "C:/evil.xhtml"]
)
def test_member_names_that_escape_are_refused(name: str) -> None:
    data = zip_of({"mimetype": b"application/epub+zip", "META-INF/container.xml": CONTAINER, name: b"<p/>"})
    error = _code(data)
    assert error.code is ErrorCode.BOOK_UNSAFE
    assert error.context["member"] == name


def test_zip_bomb_is_refused_before_inflating() -> None:
    bomb = b"\x00" * (4 * 1024 * 1024)  # deflates about 1000:1
    data = build_epub(version=3, chapters=[("Uno", "Hola.")], extra_files={"OEBPS/bomb.bin": bomb})
    limits = ImportLimits(bomb_min_bytes=1024 * 1024)
    error = _code(data, limits)
    assert error.code is ErrorCode.BOOK_UNSAFE
    assert error.context["member"] == "OEBPS/bomb.bin"
    assert error.context["ratio"] > 200


def test_a_member_that_lies_about_its_size_is_not_inflated_past_it() -> None:
    data = bytearray(build_epub(version=3, chapters=[("Uno", "Hola. " * 2000)]))
    # Declare the chapter 100 bytes long in the central directory and the local header.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("OEBPS/ch01.xhtml")
    real = info.file_size.to_bytes(4, "little")
    count = 0
    start = 0
    while (at := data.find(real, start)) != -1:
        data[at : at + 4] = (100).to_bytes(4, "little")
        start = at + 4
        count += 1
    assert count >= 2
    error = _code(bytes(data))
    assert error.code in (ErrorCode.BOOK_UNREADABLE, ErrorCode.BOOK_UNSAFE)


def test_total_unpacked_size_over_the_limit() -> None:
    data = build_epub(version=3, chapters=[("Uno", "Hola. " * 5000)])
    error = _code(data, ImportLimits(unpacked_bytes=20_000))
    assert error.code is ErrorCode.BOOK_UNSAFE
    assert error.context["limit_bytes"] == 20_000


def test_too_many_members() -> None:
    extra = {f"OEBPS/img{n}.png": b"x" for n in range(20)}
    data = build_epub(version=3, chapters=[("Uno", "Hola.")], extra_files=extra)
    error = _code(data, ImportLimits(members=10))
    assert error.code is ErrorCode.BOOK_UNSAFE
    assert error.context["limit"] == 10


def test_upload_over_the_limit() -> None:
    data = build_epub(version=3, chapters=[("Uno", "Hola.")])
    error = _code(data, ImportLimits(upload_bytes=len(data) - 1))
    assert error.code is ErrorCode.BOOK_TOO_LARGE
    assert error.http_status == 413
    assert error.context == {"size_bytes": len(data), "limit_bytes": len(data) - 1}


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10))
    + b']><html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol9;</p></body></html>'
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<html xmlns="http://www.w3.org/1999/xhtml"><body><h1>Uno</h1><p>&xxe;</p></body></html>'
)


def test_billion_laughs_in_a_chapter_is_refused() -> None:
    error = _code(_book_with(BILLION_LAUGHS))
    assert error.code is ErrorCode.BOOK_UNSAFE
    assert error.context["member"] == "OEBPS/c.xhtml"


def test_xxe_is_refused_and_nothing_leaks() -> None:
    for data in (_book_with(XXE), _book_with(XXE.decode().encode("utf-16"))):  # UTF-16: no byte pattern to spot
        error = _code(data)
        assert error.code is ErrorCode.BOOK_UNSAFE
        assert "root:" not in error.message and "root:" not in str(error.context)


def test_entities_in_the_opf_or_container_are_refused() -> None:
    opf = b'<?xml version="1.0"?><!DOCTYPE package [<!ENTITY t "x">]><package xmlns="http://www.idpf.org/2007/opf"/>'
    data = zip_of({"mimetype": b"application/epub+zip", "META-INF/container.xml": CONTAINER, "OEBPS/content.opf": opf})
    assert _code(data).code is ErrorCode.BOOK_UNSAFE
    container = b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]><container>&x;</container>'
    data = zip_of({"mimetype": b"application/epub+zip", "META-INF/container.xml": container})
    assert _code(data).code is ErrorCode.BOOK_UNSAFE


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server that records every request: an external DTD must never be fetched."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the stdlib's name
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY nbsp "LEAKED">')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/x.dtd", requests
    server.shutdown()
    server.server_close()


def test_an_external_dtd_is_accepted_but_never_fetched(dtd_server: tuple[str, list[str]]) -> None:
    url, requests = dtd_server
    for system in (url, "file:///etc/passwd"):
        raw = (
            f'<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "{system}">'
            '<html xmlns="http://www.w3.org/1999/xhtml"><body><h1>Uno</h1><p>a&nbsp;b</p></body></html>'
        ).encode()
        book = import_book(_book_with(raw), "x.epub", None)
        assert book.sections[0].text == "a b"
    assert requests == []


def test_drm_encrypted_content_is_refused_clearly() -> None:
    encryption = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
        '<enc:CipherData><enc:CipherReference URI="OEBPS/ch01.xhtml"/></enc:CipherData>'
        "</enc:EncryptedData></encryption>"
    )
    error = _code(build_epub(version=3, chapters=[("Uno", "Hola.")], encryption_xml=encryption))
    assert error.code is ErrorCode.BOOK_UNREADABLE
    assert "DRM" in error.message


def test_font_obfuscation_is_not_drm() -> None:
    encryption = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>'
        '<enc:CipherData><enc:CipherReference URI="OEBPS/fonts/a.otf"/></enc:CipherData>'
        "</enc:EncryptedData></encryption>"
    )
    book = import_book(build_epub(version=3, chapters=[("Uno", "Hola.")], encryption_xml=encryption), "x.epub", None)
    assert book.sections[0].text == "Hola."


@pytest.mark.parametrize(
    ("data", "filename", "needle"),
    [
        (b"not a zip at all", "libro.epub", "not a zip"),
        (zip_of({"mimetype": b"application/epub+zip"}), "libro.epub", "container.xml"),
        (zip_of({"META-INF/container.xml": CONTAINER}), None, "package document"),
        (b"%PDF-1.7 \x00\x01\x02", "libro.pdf", "EPUB 2/3 or a plain-text file"),
        (b"Hola", "libro.docx", "EPUB 2/3 or a plain-text file"),
    ],
)
def test_not_an_epub(data: bytes, filename: str | None, needle: str) -> None:
    error = _code(data, filename=filename)  # type: ignore[arg-type]
    assert error.code is ErrorCode.BOOK_UNREADABLE
    assert needle in error.message


def test_an_empty_file() -> None:
    assert _code(b"", filename="x.txt").code is ErrorCode.BOOK_EMPTY


def test_a_central_directory_declaring_too_many_entries_is_refused_before_parsing() -> None:
    data = bytearray(build_epub(version=3, chapters=[("Uno", "Hola.")]))
    eocd = data.rfind(b"PK\x05\x06")
    data[eocd + 8 : eocd + 12] = (60000).to_bytes(2, "little") * 2  # entries on this disk, in total
    error = _code(bytes(data))
    assert error.code is ErrorCode.BOOK_UNSAFE
    assert error.context["members"] == 60000


@pytest.mark.parametrize(
    ("filename", "media_type"),
    [
        ("libro.txt", None),
        (None, "text/plain; charset=utf-8"),
        (None, "text/markdown"),
        ("x", "application/octet-stream"),
    ],
)
def test_text_is_detected_by_name_or_media_type(filename: str | None, media_type: str | None) -> None:
    book = import_book("Capítulo 1\n\nHola.".encode(), filename, media_type)
    assert book.source_format == "txt"


def test_an_epub_is_detected_by_content_whatever_its_name() -> None:
    data = build_epub(version=3, chapters=[("Uno", "Hola.")])
    assert import_book(data, "subida.bin", "application/octet-stream").source_format == "epub"
    assert import_book(data, None, None).source_format == "epub"
