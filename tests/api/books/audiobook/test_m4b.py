"""The m4b read back with Debian's ffprobe: chapters at the real chapter starts, tags, cover, index
first, audio copied (not re-encoded), parts."""

import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from vocalio_api.books.audiobook import build_m4b, encode_aac, plan_parts
from vocalio_api.books.audiobook.m4b import partition
from vocalio_audio.ffmpeg import default_ffmpeg_exe

from tests.api.books.audiobook.conftest import RATE, TAIL_SILENCE_S, Book, decode, ffprobe, write_master


def onsets(audio: np.ndarray, count: int) -> list[float]:
    """Where each chapter's tone starts: the first loud sample after a quiet run of most of a tail."""
    loud = np.abs(audio) > 0.05
    starts = [float(np.argmax(loud)) / RATE]
    quiet_needed = int(TAIL_SILENCE_S * 0.75 * RATE)
    quiet = 0
    for index in range(int(starts[0] * RATE), len(audio)):
        if loud[index]:
            if quiet >= quiet_needed:
                starts.append(index / RATE)
            quiet = 0
        else:
            quiet += 1
    assert len(starts) == count, starts
    return starts


def top_level_boxes(path: Path) -> list[bytes]:
    kinds = []
    with path.open("rb") as handle:
        while header := handle.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", handle.read(8))[0] - 8
            kinds.append(kind)
            handle.seek(size - 8, 1)
    return kinds


@pytest.fixture(scope="module")
def m4b(book: Book, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("m4b")
    (path,) = build_m4b(book.chapters, book.pieces, book.metadata, book.cover, "image/jpeg", out_dir)
    return path


def test_chapter_markers_sit_where_each_chapter_audio_starts(book: Book, m4b: Path) -> None:
    chapters = ffprobe(m4b, "-show_chapters")["chapters"]
    assert [chapter["tags"]["title"] for chapter in chapters] == [chapter.title for chapter in book.chapters]
    starts = [float(chapter["start_time"]) for chapter in chapters]
    heard = onsets(decode(m4b), len(book.chapters))
    for marker, onset in zip(starts, heard, strict=True):
        assert 0 <= onset - marker < 0.050  # the piece's 1024-sample priming (23 ms) comes first
    # and the markers are the cumulated pieces as muxed, not the masters (which drift 23-46 ms each)
    plan = plan_parts(book.chapters, book.pieces)[0]
    assert starts == pytest.approx([placed.start_s for placed in plan.chapters], abs=0.001)
    ends = [float(chapter["end_time"]) for chapter in chapters]
    assert ends[:-1] == pytest.approx(starts[1:], abs=0.001)
    duration = float(ffprobe(m4b, "-show_format")["format"]["duration"])
    assert ends[-1] == pytest.approx(duration, abs=0.01)
    assert duration == pytest.approx(
        sum(chapter.duration_s for chapter in book.chapters), abs=0.05 * len(book.chapters)
    )


def test_tags_audiobookshelf_reads_and_the_ai_disclosure(m4b: Path) -> None:
    tags = ffprobe(m4b, "-show_format")["format"]["tags"]
    assert tags["major_brand"].strip() == "M4B"
    expected = {
        "album": "La casa de los relojes",
        "title": "La casa de los relojes",
        "subtitle": "Una novela breve",
        "artist": "Ana Pérez, Luis Gómez",
        "album_artist": "Ana Pérez, Luis Gómez",
        "composer": "Vocalio (voz sintética)",
        "genre": "Novela",
        "date": "2024-05-01",
        "publisher": "Ediciones Prueba",
        "language": "es-ES",
        "series": "Relojes",
        "series-part": "2",
        "show": "Relojes",
        "episode_id": "2",
        "grouping": "Relojes #2",
        "isbn": "978-84-376-0494-7",
        "asin": "B00TEST123",
        "encoded_by": "Vocalio",
        "AI_NARRATION": "1",
        "media_type": "2",
        "disc": "1/1",
    }
    assert {key: tags.get(key) for key in expected} == expected
    assert "voz sintética (IA)" in tags["comment"]
    assert tags["description"].startswith("Una casa, muchos relojes.") and "voz sintética (IA)" in tags["description"]


def test_streams_cover_and_index_first(book: Book, m4b: Path) -> None:
    streams = ffprobe(m4b, "-show_streams")["streams"]
    audio = [stream for stream in streams if stream["codec_type"] == "audio"]
    covers = [stream for stream in streams if stream.get("disposition", {}).get("attached_pic") == 1]
    assert [(s["codec_name"], s["profile"], s["sample_rate"], s["channels"]) for s in audio] == [
        ("aac", "LC", "44100", 1)
    ]
    assert audio[0]["tags"]["language"] == "spa"
    assert [(s["codec_name"], s["width"], s["height"]) for s in covers] == [("mjpeg", 96, 96)]
    kinds = top_level_boxes(m4b)
    assert kinds[0] == b"ftyp" and kinds.index(b"moov") < kinds.index(b"mdat")  # faststart


def test_audio_is_copied_from_the_pieces_not_re_encoded(book: Book, m4b: Path) -> None:
    def packet_crcs(path: Path) -> list[str]:
        command = [
            default_ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-c",
            "copy",
            "-f",
            "framecrc",
            "-",
        ]
        listing = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        # stream, dts, pts, duration, size, crc of the packet's bytes[, flags, side data]
        return [line.split(",")[5].strip() for line in listing.splitlines() if line and not line.startswith("#")]

    expected = [crc for piece in book.pieces for crc in packet_crcs(piece)]
    assert packet_crcs(m4b) == expected


def test_an_edit_re_encodes_one_piece_and_re_muxes_the_rest(book: Book, tmp_path: Path) -> None:
    edited = tmp_path / "master2.flac"
    write_master(edited, 1.7, 880.0)
    before = [piece.read_bytes() for piece in book.pieces]
    new_piece = encode_aac(edited, tmp_path / "piece2.m4a")
    pieces = [book.pieces[0], new_piece, *book.pieces[2:]]
    chapters = list(book.chapters)
    chapters[1] = type(chapters[1])(2, chapters[1].title, edited, 1.7, [], None)
    (path,) = build_m4b(chapters, pieces, book.metadata, None, None, tmp_path / "out")
    assert [piece.read_bytes() for piece in book.pieces] == before  # the other pieces untouched
    starts = [float(chapter["start_time"]) for chapter in ffprobe(path, "-show_chapters")["chapters"]]
    for marker, onset in zip(starts, onsets(decode(path), 4), strict=True):
        assert 0 <= onset - marker < 0.050
    assert not [s for s in ffprobe(path, "-show_streams")["streams"] if s["codec_type"] == "video"]  # no cover


def test_titles_and_tags_with_ffmetadata_specials_survive(book: Book, tmp_path: Path) -> None:
    title = "Uno = dos; tres # cuatro \\ cinco\nseis"
    chapter = type(book.chapters[0])(1, title, book.chapters[0].master_path, book.chapters[0].duration_s)
    metadata = book.metadata.model_copy(update={"title": "Libro; #1 = ¿sí?", "description": "a\nb\\c"})
    (path,) = build_m4b([chapter], book.pieces[:1], metadata, None, None, tmp_path)
    assert path.name == "Libro; #1 = ¿sí-.m4b"
    info = ffprobe(path, "-show_chapters", "-show_format")
    assert info["chapters"][0]["tags"]["title"] == title
    assert info["format"]["tags"]["album"] == "Libro; #1 = ¿sí?"
    assert info["format"]["tags"]["description"].startswith("a\nb\\c\n\n")


def test_png_and_other_covers(book: Book, tmp_path: Path) -> None:
    for codec, name in (("png", "cover.png"), ("gif", "cover.gif")):
        image = tmp_path / name
        subprocess.run(
            [
                default_ffmpeg_exe(),
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "color=c=red:s=32x48",
                "-frames:v",
                "1",
                str(image),
            ],
            check=True,
        )
        (path,) = build_m4b(
            book.chapters[:1], book.pieces[:1], book.metadata, image.read_bytes(), None, tmp_path / codec
        )
        (cover,) = [s for s in ffprobe(path, "-show_streams")["streams"] if s["codec_type"] == "video"]
        assert cover["disposition"]["attached_pic"] == 1 and (cover["width"], cover["height"]) == (32, 48)
        assert cover["codec_name"] == ("png" if codec == "png" else "mjpeg")  # a GIF is re-encoded as JPEG


def test_a_long_book_splits_into_parts_at_chapter_boundaries(book: Book, tmp_path: Path) -> None:
    paths = build_m4b(book.chapters, book.pieces, book.metadata, book.cover, "image/jpeg", tmp_path, part_max_s=3.5)
    assert [path.name for path in paths] == [
        "La casa de los relojes - Parte 1 de 2.m4b",
        "La casa de los relojes - Parte 2 de 2.m4b",
    ]
    titles: list[str] = []
    for number, path in enumerate(paths, start=1):
        info = ffprobe(path, "-show_chapters", "-show_format")
        tags = info["format"]["tags"]
        assert tags["title"] == f"La casa de los relojes (Parte {number} de 2)" and tags["disc"] == f"{number}/2"
        assert tags["album"] == "La casa de los relojes"  # one book in a library
        assert float(info["chapters"][0]["start_time"]) == 0.0
        assert float(info["format"]["duration"]) <= 3.5
        titles += [chapter["tags"]["title"] for chapter in info["chapters"]]
    assert titles == [chapter.title for chapter in book.chapters]  # every chapter once, in order


def test_one_chapter_over_the_limit_is_a_part_of_its_own_and_says_so(book: Book) -> None:
    plans = plan_parts(book.chapters, book.pieces, part_max_s=1.5)
    assert [[placed.number for placed in plan.chapters] for plan in plans] == [[1], [2], [3], [4]]
    assert [bool(plan.warnings) for plan in plans] == [False, True, False, True]
    assert "over the" in plans[1].warnings[0] and "not cut" in plans[1].warnings[0]


def test_partition_balances_parts_and_respects_the_size_bound() -> None:
    hour = 3600.0
    # 30 chapters of 1 h under a 12 h limit: 3 parts of 10 h, not 12 + 12 + 6.
    assert [len(group) for group in partition([hour] * 30, [0] * 30, 12 * hour, 10**12)] == [10, 10, 10]
    # the size bound splits a book whose duration would fit
    sizes = [400_000_000] * 6
    groups = partition([hour] * 6, sizes, 100 * hour, 1_000_000_000)
    assert all(sum(sizes[i] for i in group) < 1_000_000_000 for group in groups) and len(groups) == 3
    assert [i for group in groups for i in group] == list(range(6))
