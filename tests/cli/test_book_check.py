"""`vocalio book check`: real audio files in several formats, decoded by the real ffmpeg."""

import json
from pathlib import Path

import pytest
import soundfile
from typer.testing import CliRunner
from vocalio_audio.ffmpeg import default_ffmpeg_exe, run_ffmpeg
from vocalio_audio.mastering import load_preset, master
from vocalio_cli.main import app
from vocalio_shared.codecs import BOOK_CHAPTER_FFMPEG_ARGS

from tests.audio.mastering.signals import RATE, chapter

KEYS = ["path", "rms_dbfs", "peak_dbfs", "noise_floor_dbfs", "head_room_tone_s", "tail_room_tone_s", "pass", "failures"]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of chapters: two that pass ACX (FLAC, MP3 192k CBR) and two that do not."""
    folder = tmp_path_factory.mktemp("book")
    mastered, _ = master(chapter(sentences=3, head_s=0.2), RATE, load_preset("acx"))
    soundfile.write(folder / "01.flac", mastered, RATE, subtype="PCM_24")
    ffmpeg = default_ffmpeg_exe()
    mp3_args = [*BOOK_CHAPTER_FFMPEG_ARGS["mp3"], str(folder / "02.mp3")]
    run_ffmpeg(ffmpeg, ["-i", str(folder / "01.flac"), *mp3_args], "encode")
    soundfile.write(folder / "03.wav", chapter(sentences=3, speech_dbfs=-30.0), RATE, subtype="PCM_16")
    vbr = ["-i", str(folder / "01.flac"), "-c:a", "libmp3lame", "-q:a", "5", str(folder / "04.mp3")]
    run_ffmpeg(ffmpeg, vbr, "encode")
    (folder / "notes.txt").write_text("not audio: skipped in a folder")
    return folder


def vocalio(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["book", "check", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout


def test_json_lists_every_file_of_a_folder_with_its_figures_and_failures(book: Path) -> None:
    code, output = vocalio(str(book), "--json")
    assert code == 1  # two chapters fail
    files = json.loads(output)["files"]
    assert [Path(row["path"]).name for row in files] == ["01.flac", "02.mp3", "03.wav", "04.mp3"]
    assert all(list(row) == KEYS for row in files)
    verdicts = {Path(row["path"]).name: (row["pass"], row["failures"]) for row in files}
    assert verdicts["01.flac"] == (True, []) and verdicts["02.mp3"] == (True, [])
    assert verdicts["03.wav"] == (False, ["rms"])
    assert verdicts["04.mp3"][0] is False and "mp3_cbr" in verdicts["04.mp3"][1]
    flac = files[0]
    assert -20.5 <= flac["rms_dbfs"] <= -19.5 and flac["peak_dbfs"] <= -3.0
    assert flac["noise_floor_dbfs"] <= -60.0 and 0.5 <= flac["head_room_tone_s"] <= 1.0


def test_passing_files_exit_zero_and_the_table_says_pass(book: Path) -> None:
    code, output = vocalio(str(book / "01.flac"), str(book / "02.mp3"))
    assert code == 0, output
    assert "pass" in output and "2 of 2 files pass acx" in output
    code, output = vocalio(str(book / "03.wav"))
    assert code == 1 and "fail: rms" in output


def test_another_preset_and_unreadable_files(book: Path, tmp_path: Path) -> None:
    code, output = vocalio(str(book / "01.flac"), "--preset", "podcast", "--json")
    assert code == 1 and json.loads(output)["files"][0]["failures"] == [
        "integrated_lufs"
    ]  # -20 dBFS RMS is not -16 LUFS
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really a wave file")
    code, output = vocalio(str(broken), str(tmp_path / "missing.flac"), "--json")
    rows = json.loads(output)["files"]
    assert code == 1 and [row["failures"] for row in rows] == [["unreadable"], ["unreadable"]]
    assert rows[0]["rms_dbfs"] is None and rows[0]["pass"] is False
    code, _ = vocalio(str(book / "01.flac"), "--preset", "nope")
    assert code == 2  # a usage error, not a failed check
