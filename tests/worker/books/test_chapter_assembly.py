"""A chapter assembled from its stored sentences: order, pauses, exact segments, same samples twice."""

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import JobParams
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.chapters import assemble, pause_samples, voice_identity
from vocalio_worker.engines.base import VoiceRef
from vocalio_worker.engines.espeak import EspeakEngine
from vocalio_worker.pipeline import synthesize_batch
from vocalio_worker.sentence_cache import SentenceStore, decode_sentence, encode_sentence
from vocalio_worker.sentence_plan import ChapterPlan, PauseBefore, RenderIdentity, plan_chapter

RATE = 44100
TEXT = "Llovía sobre el puerto. Los barcos dormían.\n\nAl amanecer, Tomás salió a buscar a su hermano."


@pytest.fixture
def stored(tmp_path: Path, espeak_engine: EspeakEngine) -> tuple[ChapterPlan, SentenceStore]:
    voice = VoiceRef("espeak:es-419")
    render = RenderIdentity("espeak", "espeak-ng", RATE, 1.0, None)
    plan = plan_chapter(
        TEXT,
        "Capítulo 3",
        book_seed=5,
        region=Region.NEUTRAL,
        lexicon=None,
        max_chunk_chars=1000,
        voice=voice_identity(voice, Region.NEUTRAL),
        render=render,
    )
    store = SentenceStore(api=None, directory=tmp_path / "cache")  # type: ignore[arg-type]  # local copies only
    params = JobParams(sample_rate=RATE, output_format="flac")
    produced = synthesize_batch(espeak_engine, [u.spoken for u in plan.units], voice, params, Region.NEUTRAL)
    for unit, audio in zip(plan.units, produced.audio, strict=True):
        store.write_local(unit.key, encode_sentence(audio, RATE))
    return plan, store


def test_flac_keeps_the_sentence_to_24_bits() -> None:
    audio = (0.5 * np.sin(np.linspace(0, 200, RATE))).astype(np.float32)
    back = decode_sentence(encode_sentence(audio, RATE), RATE)
    assert back.shape == audio.shape and np.max(np.abs(back - audio)) < 2**-22


def test_one_segment_per_sentence_in_order_with_the_pauses_between(stored: Any) -> None:
    plan, store = stored
    settings = AudioSettings()
    processed = assemble(plan, store, RATE, settings)
    segments = processed.segments
    assert [s.source_text for s in segments] == [u.source for u in plan.units]
    assert [s.key for s in segments] == [u.key for u in plan.units]
    assert [s.seed for s in segments] == [u.seed for u in plan.units]
    duration_s = processed.samples.size / RATE
    for before, after in itertools.pairwise(segments):
        assert before.start_s < before.end_s <= after.start_s
    assert segments[-1].end_s <= duration_s + 0.001
    gaps = [after.start_s - before.end_s for before, after in itertools.pairwise(segments)]
    pauses = pause_samples(settings, RATE)
    expected = [pauses[u.pause_before] / RATE for u in plan.units[1:]]
    assert [u.pause_before for u in plan.units[1:]] == [PauseBefore.TITLE, PauseBefore.SENTENCE, PauseBefore.PARAGRAPH]
    # a pause piece spans from the middle of its fade-in to the middle of its fade-out: pause + one fade
    for gap, inserted in zip(gaps, expected, strict=True):
        assert gap == pytest.approx(inserted - settings.crossfade_s, abs=0.002)
    assert gaps[0] > gaps[2] > gaps[1]  # title > paragraph > sentence


def test_the_same_stored_sentences_give_the_same_samples(stored: Any) -> None:
    plan, store = stored
    first = assemble(plan, store, RATE, AudioSettings())
    second = assemble(plan, store, RATE, AudioSettings())
    assert np.array_equal(first.samples, second.samples)
    assert first.segments == second.segments
