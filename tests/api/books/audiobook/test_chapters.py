"""Chapter delivery files and AAC pieces, read back with Debian's ffprobe."""

from pathlib import Path

import numpy as np
import pytest
from vocalio_api.books.audiobook import aac_piece_samples, chapter_tags, encode_aac, encode_chapter
from vocalio_shared.schemas.books import ChapterFormat

from tests.api.books.audiobook.conftest import RATE, Book, decode, ffprobe


def test_mp3_is_cbr_192k_44k_mono_with_info_header_and_tags(book: Book, tmp_path: Path) -> None:
    chapter = book.chapters[1]
    tags = chapter_tags(book.metadata, number=2, count=4, title=chapter.title)
    out = encode_chapter(chapter.master_path, ChapterFormat.MP3, tmp_path / "02.mp3", tags)
    info = ffprobe(out, "-show_streams", "-show_format")
    (stream,) = info["streams"]
    assert (stream["codec_name"], stream["sample_rate"], stream["channels"]) == ("mp3", "44100", 1)
    assert stream["bit_rate"] == "192000"
    # CBR: every frame of 1152 samples at 192 kbit/s is 626 bytes, 627 with the padding slot.
    packets = ffprobe(out, "-show_packets", "-select_streams", "a")["packets"]
    assert {int(packet["size"]) for packet in packets} <= {626, 627}
    data = out.read_bytes()
    first_frame = data.index(b"\xff\xfb")  # after the ID3v2 tag: the Xing/LAME frame, no audio in it
    info_at = data.index(b"Info", first_frame)  # "Info" is the CBR Xing tag ("Xing" would say VBR)
    assert info_at - first_frame < 40
    # The LAME tag after the 100-byte TOC: its encoder field, then encoder delay and padding, which
    # a gapless decoder trims: the mp3 decodes to exactly the master's samples.
    assert data[info_at + 120 : info_at + 124] in (b"LAME", b"Lavc")
    assert len(decode(out)) == round(chapter.duration_s * RATE)
    got = info["format"]["tags"]
    assert got["title"] == "Capítulo 2: «La noche»" and got["album"] == "La casa de los relojes"
    assert got["artist"] == "Ana Pérez, Luis Gómez" and got["track"] == "2/4" and got["disc"] == "1/1"
    assert got["composer"] == "Vocalio (voz sintética)"  # no narrator named: the synthetic one
    assert got["series"] == "Relojes" and got["series-part"] == "2" and got["AI_NARRATION"] == "1"
    assert "voz sintética" in got["comment"]


@pytest.mark.parametrize("fmt", [ChapterFormat.FLAC, ChapterFormat.WAV])
def test_lossless_files_keep_every_sample(book: Book, tmp_path: Path, fmt: ChapterFormat) -> None:
    chapter = book.chapters[0]
    out = encode_chapter(chapter.master_path, fmt, tmp_path / f"01.{fmt.value}", {"title": chapter.title})
    (stream,) = ffprobe(out, "-show_streams")["streams"]
    assert stream["codec_name"] == ("flac" if fmt == ChapterFormat.FLAC else "pcm_s16le")
    assert (stream["sample_rate"], stream["channels"]) == ("44100", 1)
    np.testing.assert_array_equal(decode(out), decode(chapter.master_path))


def test_aac_piece_is_aac_lc_and_its_length_counts_every_frame(book: Book, tmp_path: Path) -> None:
    chapter = book.chapters[2]
    piece = encode_aac(chapter.master_path, tmp_path / "03.m4a")
    (stream,) = ffprobe(piece, "-show_streams")["streams"]
    assert (stream["codec_name"], stream["profile"], stream["sample_rate"], stream["channels"]) == (
        "aac",
        "LC",
        "44100",
        1,
    )
    assert 0 < int(stream["bit_rate"]) <= 72_000  # 64 kbit/s asked (tones may need less)
    samples = aac_piece_samples(piece)
    packets = ffprobe(piece, "-show_packets", "-select_streams", "a")["packets"]
    assert samples == len(packets) * 1024  # whole frames: priming and the padded last frame included
    master_samples = round(chapter.duration_s * RATE)
    assert master_samples + 1024 <= samples < master_samples + 2 * 1024 + 1


def test_a_crash_mid_encode_leaves_no_file_under_the_final_name(book: Book, tmp_path: Path) -> None:
    missing = tmp_path / "missing.flac"
    out = tmp_path / "01.mp3"
    with pytest.raises(Exception, match="ffmpeg failed"):
        encode_chapter(missing, ChapterFormat.MP3, out, {})
    assert not out.exists()
