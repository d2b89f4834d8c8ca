"""mp3-zip / flac-zip: names safe on every system, audio stored, captions and cover beside it."""

import zipfile
from pathlib import Path

import pytest
from vocalio_api.books.audiobook import build_book_zip, build_zip, chapter_filename, chapter_tags, encode_chapter
from vocalio_api.books.audiobook.archive import safe_filename
from vocalio_shared.schemas.books import ChapterFormat

from tests.api.books.audiobook.conftest import Book


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Capítulo 1", "Capítulo 1"),
        ('a/b\\c:d*e?f"g<h>i|j', "a-b-c-d-e-f-g-h-i-j"),
        ("Fin...  ", "Fin"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("línea\nnueva\ttab", "línea-nueva-tab"),
        ("Cape\u0301", "Capé"),  # NFD in, NFC out: one name, not two
        ("...", "sin título"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_long_names_are_cut_on_characters_within_the_byte_limit() -> None:
    cut = safe_filename("ñ" * 200, max_bytes=120)
    assert len(cut.encode()) <= 120 and set(cut) == {"ñ"}


def test_chapter_filenames_sort_in_reading_order() -> None:
    assert chapter_filename(1, "Capítulo 1", "mp3", 9) == "01 - Capítulo 1.mp3"
    assert chapter_filename(7, "Dr. No: el final?", ".flac", 120) == "007 - Dr. No- el final-.flac"


def test_book_zip_has_stored_audio_captions_and_cover(book: Book, tmp_path: Path) -> None:
    files = [
        encode_chapter(
            chapter.master_path,
            ChapterFormat.MP3,
            tmp_path / f"{chapter.number}.mp3",
            chapter_tags(book.metadata, number=chapter.number, count=4, title=chapter.title),
        )
        for chapter in book.chapters
    ]
    out = build_book_zip(book.chapters, files, tmp_path / "libro.zip", cover=book.cover, cover_media_type="image/jpeg")
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        infos = {info.filename: info for info in archive.infolist()}
        assert list(infos) == [
            "cover.jpg",
            "01 - Capítulo 1.mp3",
            "01 - Capítulo 1.vtt",
            "02 - Capítulo 2- «La noche».mp3",
            "02 - Capítulo 2- «La noche».vtt",
            "03 - Interludio - breve.mp3",
            "03 - Interludio - breve.vtt",
            "04 - Epílogo.mp3",
            "04 - Epílogo.vtt",
        ]
        assert all(info.flag_bits & 0x800 for info in infos.values() if not info.filename.isascii())  # UTF-8 names
        for name, info in infos.items():
            expected = zipfile.ZIP_DEFLATED if name.endswith(".vtt") else zipfile.ZIP_STORED
            assert info.compress_type == expected, name
        assert archive.read("01 - Capítulo 1.mp3") == files[0].read_bytes()
        assert archive.read("cover.jpg") == book.cover
        vtt = archive.read("01 - Capítulo 1.vtt").decode()
        assert vtt.startswith("WEBVTT") and "Era la 1:30." in vtt and "Nadie dormía." in vtt  # as written
    assert not list(tmp_path.glob(".*"))  # no partial file, no scratch folder left


def test_duplicate_names_do_not_overwrite_each_other(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("uno")
    second.write_text("dos")
    out = build_zip([("Notas.txt", first), ("notas.txt", second)], tmp_path / "x.zip")
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["Notas.txt", "notas (2).txt"]
        assert archive.read("notas (2).txt") == b"dos"


def test_the_cover_is_named_by_its_bytes_not_the_given_type(book: Book, tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    out = build_book_zip(book.chapters[:1], [book.chapters[0].master_path], tmp_path / "f.zip", cover=png,
                         cover_media_type="image/jpeg", caption_format=None)  # fmt: skip
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["cover.png", "01 - Capítulo 1.flac"]
