"""`master` brings too quiet, too loud and too noisy chapters into the ACX spec, and says what it did;
a mastered chapter still passes once encoded as the book's MP3 (the real ffmpeg, 192k CBR)."""

from pathlib import Path

import numpy as np
import pytest
import soundfile
from vocalio_audio.ffmpeg import default_ffmpeg_exe, run_ffmpeg
from vocalio_audio.mastering import load_preset, master, master_audio, measure
from vocalio_audio.mastering.files import check_file
from vocalio_shared.codecs import BOOK_CHAPTER_FFMPEG_ARGS

from tests.audio.mastering.signals import RATE, chapter, silence

ACX = load_preset("acx")


def _clipping_loud() -> np.ndarray:
    return np.clip(chapter(speech_dbfs=-6.0) * 2.0, -1.0, 1.0)  # RMS about -3 dBFS, flat tops at full scale


def _peaky() -> np.ndarray:
    audio = chapter(speech_dbfs=-20.0)
    for second in (1.2, 4.0, 9.5):  # plosive-like spikes at full scale over normal speech
        start = round(second * RATE)
        audio[start : start + 40] = np.hanning(40).astype(np.float32) * 0.98
    return audio


@pytest.mark.parametrize(
    ("case", "make", "failed_before", "change"),
    [
        ("too quiet", lambda: chapter(speech_dbfs=-38.0, noise_dbfs=-85.0), {"rms"}, "gain +"),
        ("too loud", _clipping_loud, {"rms", "peak"}, "gain -"),
        ("peaky", _peaky, {"peak"}, "limiter"),
        ("too noisy", lambda: chapter(speech_dbfs=-20.0, noise_dbfs=-48.0), {"noise_floor"}, "noise gate"),
    ],
)
def test_mastering_brings_a_chapter_into_spec_and_says_so(
    case: str, make: object, failed_before: set[str], change: str
) -> None:
    audio = make()  # type: ignore[operator]
    before = measure(audio, RATE).figures
    samples, report = master(audio, RATE, ACX)
    assert report.passed and report.failures == [], (case, report.measured, report.changes)
    assert report.before == before
    assert {check.rule for check in _checks(before) if not check.passed} == failed_before
    assert any(line.startswith(change) for line in report.changes), report.changes
    after = report.measured
    assert after == measure(samples, RATE).figures  # the report describes the samples returned
    assert after.rms_dbfs == pytest.approx(-20.0, abs=0.2)
    assert after.true_peak_dbfs is not None and after.true_peak_dbfs <= -3.5 + 0.01
    assert report.timeline_step_s == 1.0 and len(report.timeline_lufs) > 10


def _checks(figures: object) -> list:  # type: ignore[type-arg]
    from vocalio_audio.mastering import evaluate

    return evaluate(figures, ACX)  # type: ignore[arg-type]


def test_the_gate_lowers_only_the_pauses() -> None:
    audio = chapter(noise_dbfs=-48.0)
    mastered = master_audio(audio, RATE, ACX)
    assert mastered.head_shift == 0  # edges already in range: nothing trimmed or padded
    # inside a sentence (1.0 s into the first one) the level follows the overall gain, not the gate
    overall = 10 ** ((mastered.report.measured.rms_dbfs - mastered.report.before.rms_dbfs) / 20)
    inside = slice(round(1.75 * RATE), round(2.25 * RATE))
    ratio = np.sqrt(np.mean(mastered.samples[inside] ** 2) / np.mean(audio[inside] ** 2))
    assert ratio == pytest.approx(overall, rel=0.05)
    pause = slice(round(3.0 * RATE), round(3.3 * RATE))  # the middle of the first pause
    pause_db = 10 * np.log10(np.mean(mastered.samples[pause].astype(np.float64) ** 2))
    assert pause_db == pytest.approx(-65.0, abs=1.0)


def test_edges_are_padded_and_trimmed_and_time_moves_with_the_head() -> None:
    audio = chapter(head_s=0.1, tail_s=7.0)
    mastered = master_audio(audio, RATE, ACX)
    figures = mastered.report.measured
    assert figures.head_room_tone_s == pytest.approx(0.75, abs=0.015)
    assert figures.tail_room_tone_s == pytest.approx(2.0, abs=0.015)
    assert mastered.head_shift == pytest.approx(round(0.65 * RATE), abs=round(0.011 * RATE))
    assert mastered.moved([(0, 10), (audio.size - 10, audio.size)]) == [
        (mastered.head_shift, mastered.head_shift + 10),
        (mastered.samples.size, mastered.samples.size),  # inside the trimmed tail: clamped to the end
    ]
    changes = " | ".join(mastered.report.changes)
    assert "head room tone 0.10 s → 0.75 s (padded)" in changes
    assert "tail room tone 7.00 s → 2.00 s (trimmed)" in changes


def test_digital_silence_gets_room_tone_not_dead_air() -> None:
    mastered = master_audio(chapter(head_s=0.1), RATE, ACX)
    head = mastered.samples[: round(0.5 * RATE)]
    assert np.count_nonzero(head == 0) < 10  # the padded head is room tone, not digital zeros
    assert mastered.report.measured.noise_floor_dbfs == pytest.approx(-72.0, abs=0.5)
    assert any("room tone at -72 dBFS" in line for line in mastered.report.changes)


def test_mastering_is_deterministic_and_leaves_audio_with_no_speech_alone() -> None:
    audio = chapter(noise_dbfs=-50.0, head_s=0.2)
    first, second = master(audio, RATE, ACX), master(audio, RATE, ACX)
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]
    samples, report = master(silence(3.0), RATE, ACX)
    assert np.array_equal(samples, silence(3.0)) and not report.passed
    assert report.changes == ["nothing mastered: no speech found"]


def test_the_podcast_preset_masters_to_lufs_and_true_peak() -> None:
    samples, report = master(chapter(speech_dbfs=-30.0), RATE, load_preset("podcast"))
    assert report.preset == "podcast" and report.passed, report
    assert report.measured.integrated_lufs == pytest.approx(-16.0, abs=0.3)
    assert report.measured.true_peak_dbfs is not None and report.measured.true_peak_dbfs <= -1.5 + 0.01
    assert samples.size == chapter(speech_dbfs=-30.0).size  # no edge rules: nothing trimmed or padded


def test_a_mastered_chapter_passes_after_the_books_mp3_encode(tmp_path: Path) -> None:
    """The API encodes a chapter's MP3 from the worker's master with BOOK_CHAPTER_FFMPEG_ARGS: decoded
    again, the loudest, peakiest chapter still passes every ACX rule, CBR 192 kbps included."""
    samples, report = master(_clipping_loud(), RATE, ACX)
    assert report.passed
    master_file = tmp_path / "chapter.flac"
    soundfile.write(master_file, samples, RATE, subtype="PCM_24")  # the worker uploads a 24-bit FLAC
    mp3 = tmp_path / "chapter.mp3"
    ffmpeg = default_ffmpeg_exe()
    run_ffmpeg(
        ffmpeg,
        ["-i", str(master_file), "-ar", str(RATE), "-ac", "1", *BOOK_CHAPTER_FFMPEG_ARGS["mp3"], str(mp3)],
        "encode",
    )
    checked = check_file(ffmpeg, mp3, ACX)
    assert checked.report is not None and checked.report.passed, checked.report
    rules = {check.rule: check for check in checked.report.rules}
    assert rules["mp3_bitrate"].value == 192 and rules["mp3_cbr"].passed
    assert checked.report.measured.peak_dbfs <= -3.0
    # and a VBR encode of the same master fails exactly the MP3 rules
    vbr = tmp_path / "vbr.mp3"
    run_ffmpeg(ffmpeg, ["-i", str(master_file), "-c:a", "libmp3lame", "-q:a", "4", str(vbr)], "encode")
    failed = check_file(ffmpeg, vbr, ACX).report
    assert failed is not None and "mp3_cbr" in failed.failures
    assert set(failed.failures) <= {"mp3_cbr", "mp3_bitrate"}
