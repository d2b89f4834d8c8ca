"""A chapter job's master is mastered to its preset (ACX unless the chapter names one), its segments
move with the head room tone, and the result carries the report; other jobs are only measured."""

import itertools
from typing import Any

import numpy as np
import pytest
from vocalio_audio.mastering import measure
from vocalio_shared.errors import VocalioError
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import JobParams
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.chapters import assemble, voice_identity
from vocalio_worker.engines.base import VoiceRef
from vocalio_worker.engines.espeak import EspeakEngine
from vocalio_worker.mastering import result_figures
from vocalio_worker.pipeline import JobAudio, quality, synthesize_batch
from vocalio_worker.sentence_cache import SentenceStore, encode_sentence
from vocalio_worker.sentence_plan import ChapterPlan, RenderIdentity, plan_chapter

RATE = 44100
TEXT = (
    "La niebla cubría el valle desde la madrugada. Nadie se atrevía a salir.\n\n"
    "Al mediodía, el sol abrió un claro sobre la iglesia."
)


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory, espeak_engine: EspeakEngine) -> tuple[ChapterPlan, SentenceStore]:
    voice = VoiceRef("espeak:es-419")
    plan = plan_chapter(
        TEXT,
        "Capítulo 2",
        book_seed=11,
        region=Region.NEUTRAL,
        lexicon=None,
        max_chunk_chars=1000,
        voice=voice_identity(voice, Region.NEUTRAL),
        render=RenderIdentity("espeak", "espeak-ng", RATE, 1.0, None),
    )
    store = SentenceStore(api=None, directory=tmp_path_factory.mktemp("cache"))  # type: ignore[arg-type]
    params = JobParams(sample_rate=RATE, output_format="flac")
    produced = synthesize_batch(espeak_engine, [u.spoken for u in plan.units], voice, params, Region.NEUTRAL)
    for unit, audio in zip(plan.units, produced.audio, strict=True):
        store.write_local(unit.key, encode_sentence(audio, RATE))
    return plan, store


def _speech_start_s(samples: np.ndarray, at_s: float) -> float:
    """Where sound (over -45 dBFS in 5 ms) first starts at or after `at_s`."""
    frame = RATE // 200
    start = round(at_s * RATE)
    body = samples[start : start + RATE * 2][: (RATE * 2 // frame) * frame].reshape(-1, frame)
    loud = np.flatnonzero(10 * np.log10(np.mean(body.astype(np.float64) ** 2, axis=1) + 1e-20) > -45.0)
    return at_s + loud[0] * frame / RATE


def test_a_chapter_is_mastered_to_acx_and_its_segments_follow(stored: Any) -> None:
    plan, store = stored
    settings = AudioSettings()
    processed = assemble(plan, store, RATE, settings)
    report = processed.audio_report
    assert report is not None and report.preset == "acx"
    assert report.passed, (report.failures, report.measured, report.changes)
    assert report.before is not None and "head_room_tone" in _failed(report.before)  # eSpeak's edge: 0.1 s
    assert any(change.startswith("head room tone") for change in report.changes)
    assert len(report.timeline_lufs) > 3
    # the stored master (with its one AAC frame of lead-in) still measures inside ACX
    master = measure(processed.samples, RATE).figures
    assert -23 <= master.rms_dbfs <= -18 and master.peak_dbfs <= -3.0 and 0.5 <= master.head_room_tone_s <= 1.0
    # every sentence's segment starts where its speech does, after the padding moved it
    segments = processed.segments
    assert all(a.end_s <= b.start_s for a, b in itertools.pairwise(segments))
    assert segments[-1].end_s <= processed.samples.size / RATE
    first_sound = _speech_start_s(processed.samples, 0.0)
    assert segments[0].start_s == pytest.approx(first_sound, abs=0.06)
    assert first_sound == pytest.approx(master.head_room_tone_s, abs=0.02)
    assert segments[1].start_s >= segments[0].end_s
    assert _speech_start_s(processed.samples, segments[1].start_s) == pytest.approx(segments[1].start_s, abs=0.16)


def _failed(figures: Any) -> list[str]:
    from vocalio_audio.mastering import evaluate, load_preset

    return [check.rule for check in evaluate(figures, load_preset("acx")) if not check.passed]


def test_the_chapter_preset_wins_over_the_worker_default_and_an_unknown_one_fails(stored: Any) -> None:
    plan, store = stored
    processed = assemble(plan, store, RATE, AudioSettings(), "podcast")
    assert processed.audio_report is not None and processed.audio_report.preset == "podcast"
    assert processed.audio_report.passed
    assert processed.audio_report.measured.integrated_lufs == pytest.approx(-16.0, abs=0.3)
    worker_default = assemble(plan, store, RATE, AudioSettings(mastering_preset="podcast"))
    assert worker_default.audio_report is not None and worker_default.audio_report.preset == "podcast"
    with pytest.raises(VocalioError, match="unknown mastering preset"):
        assemble(plan, store, RATE, AudioSettings(), "no-such-preset")
    with pytest.raises(ValueError, match="unknown mastering preset"):
        AudioSettings(mastering_preset="no-such-preset")


def test_other_jobs_are_measured_not_mastered(speech_chunks: list[np.ndarray]) -> None:
    processed = _processed_like(speech_chunks)
    figures, report = result_figures(processed, "acx")
    assert figures == quality(processed)
    assert report.before is None and report.changes == []
    assert report.measured == measure(processed.samples, processed.sample_rate_hz).figures
    assert report.timeline_lufs == []  # the plot is for chapters; a job's result skips that pass
    assert "sample_rate" in report.failures  # a 24 kHz job file is not an ACX master, and says so


def _processed_like(chunks: list[np.ndarray]) -> Any:
    audio = JobAudio(24000, AudioSettings(), live=False)
    audio.push([np.asarray(chunk, np.float32) for chunk in chunks])
    return audio.finish(None)[1]
