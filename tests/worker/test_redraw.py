"""The draw loop: a sentence that fails is drawn again with the next seed, in batches; the best draw
is kept with its seed; one that never passes is kept and flagged; the ASR round trip re-draws a
sentence that does not say its text (against a transcription service over real HTTP)."""

import functools
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI, Form, UploadFile
from vocalio_audio.types import FloatAudio
from vocalio_shared.books import sentence_seed
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import JobParams
from vocalio_worker.asr import HttpTranscriber, WhisperTranscriber, transcriber_for
from vocalio_worker.engines.base import TTSEngine, VoiceRef
from vocalio_worker.engines.espeak import EspeakEngine
from vocalio_worker.pipeline import BatchAudio, synthesize_batch
from vocalio_worker.qa_settings import SentenceQASettings
from vocalio_worker.sentence_draws import ToDraw, draw_batch
from vocalio_worker.sentence_plan import RenderIdentity, VoiceIdentity, plan_chapter
from vocalio_worker.sentence_qa import SentenceChecks, check_sentence

from tests.llm_bridge.ollama_double import ServerThread
from tests.worker.test_redraw_double import BOOK_SEED, RedrawDouble

RATE = 22050
SETTINGS = SentenceQASettings()
VOICE = VoiceRef("espeak:es-419")
GOOD = "Los barcos dormían junto al muelle."
FIRST_BAD = "La lluvia caía sobre el puerto desde la madrugada."
NEVER_GOOD = "Nunca volvió a ver a su hermano en el pueblo."


def synthesizer(engine: TTSEngine) -> Any:
    params = JobParams(sample_rate=RATE, output_format="flac")

    def synthesize(spoken: list[str], seeds: list[int]) -> BatchAudio:
        return synthesize_batch(engine, spoken, VOICE, params, Region.NEUTRAL, 0.0, seeds)

    return synthesize


def check(audio: FloatAudio, spoken: str) -> SentenceChecks:
    return check_sentence(audio, RATE, spoken, engine="espeak", speed=1.0, settings=SETTINGS)


@pytest.fixture
def double() -> RedrawDouble:
    engine = RedrawDouble()
    engine.load()
    return engine


def draw(engine: TTSEngine, sentences: list[ToDraw], max_draws: int = 3, **asr: Any) -> Any:
    return draw_batch(
        sentences, synthesizer(engine), check, book_seed=BOOK_SEED, max_draws=max_draws, rate_hz=RATE, **asr
    )


def test_a_bad_first_draw_is_drawn_again_and_the_second_kept_with_its_seed(double: RedrawDouble) -> None:
    drawn = draw(double, [ToDraw(GOOD, 0), ToDraw(FIRST_BAD, 0), ToDraw(NEVER_GOOD, 0)])
    good, redrawn, flagged = (kept.qa for kept in drawn.kept)
    assert (good.passed, good.draws, good.draw, good.seed) == (True, 1, 0, sentence_seed(BOOK_SEED, GOOD, 0))
    assert (redrawn.passed, redrawn.draws, redrawn.draw) == (True, 2, 1)
    assert redrawn.seed == sentence_seed(BOOK_SEED, FIRST_BAD, 1) and redrawn.failures == []
    assert flagged.passed is False and flagged.failures == ["loop"] and flagged.draws == 3
    assert flagged.scores["loop"] > SETTINGS.qa_max_loop_s
    # the re-draws went in batches: everything, then the two that failed, then the one still failing
    assert [texts for texts, _ in double.calls] == [
        [GOOD, FIRST_BAD, NEVER_GOOD],
        [FIRST_BAD, NEVER_GOOD],
        [NEVER_GOOD],
    ]
    assert double.calls[1][1] == [sentence_seed(BOOK_SEED, FIRST_BAD, 1), sentence_seed(BOOK_SEED, NEVER_GOOD, 1)]
    assert drawn.engine_calls == 3
    # what is kept is the good draw's audio, not the looped first one (1 s longer)
    plain = EspeakEngine().synthesize_batch([FIRST_BAD], VOICE, 1.0, 16, Region.NEUTRAL)[0]
    assert abs(drawn.kept[1].audio.size - plain.size) < 0.01 * RATE and check(drawn.kept[1].audio, FIRST_BAD).passed


def test_draws_start_where_the_plan_says_and_one_draw_only_flags(double: RedrawDouble) -> None:
    drawn = draw(double, [ToDraw(FIRST_BAD, 4)])  # a user's render-again: draw 4 is not the looped draw 0
    assert (drawn.kept[0].qa.draw, drawn.kept[0].qa.draws) == (4, 1)
    assert double.calls[0][1] == [sentence_seed(BOOK_SEED, FIRST_BAD, 4)]
    only_once = draw(double, [ToDraw(FIRST_BAD, 0)], max_draws=1)
    assert only_once.kept[0].qa.passed is False and only_once.kept[0].qa.draws == 1


def test_a_deterministic_engine_is_not_asked_again_for_the_same_samples() -> None:
    calls: list[list[int]] = []
    tone = (0.3 * np.sin(2 * np.pi * 200 * np.arange(RATE) / RATE)).astype(np.float32)

    def same_every_time(spoken: list[str], seeds: list[int]) -> BatchAudio:
        calls.append(seeds)
        return BatchAudio([tone.copy() for _ in spoken], 0.0, 0.0)

    drawn = draw_batch([ToDraw(GOOD, 0)], same_every_time, check, book_seed=BOOK_SEED, max_draws=5, rate_hz=RATE)
    assert len(calls) == 2  # the second draw gave the same samples: no third
    assert drawn.kept[0].qa.passed is False and drawn.kept[0].qa.draws == 2 and drawn.kept[0].qa.draw == 0


class TranscriptionDouble(ServerThread):
    """An OpenAI-compatible /v1/audio/transcriptions: hears a fixed text on its first `wrong` calls."""

    def __init__(self, right: str, wrong: int) -> None:
        self.requests: list[dict[str, Any]] = []
        app = FastAPI()

        @app.post("/v1/audio/transcriptions")
        async def transcribe(
            file: UploadFile, model: str = Form(), language: str = Form(), response_format: str = Form()
        ) -> dict[str, str]:
            data = await file.read()
            self.requests.append({"model": model, "language": language, "format": response_format, "bytes": data})
            heard = "el gato come pescado" if len(self.requests) <= wrong else right.upper()
            return {"text": heard}

        super().__init__(app)


@pytest.fixture
def transcription() -> Iterator[TranscriptionDouble]:
    server = TranscriptionDouble(right=f"¡{GOOD}!", wrong=1).start()
    yield server  # type: ignore[misc]
    server.stop()


def test_asr_round_trip_redraws_a_sentence_heard_wrong(
    double: RedrawDouble, transcription: TranscriptionDouble
) -> None:
    settings = SentenceQASettings(asr_backend="http", asr_url=transcription.url, asr_max_cer=0.25)
    drawn = draw(double, [ToDraw(GOOD, 0)], transcriber=HttpTranscriber(settings), max_cer=settings.asr_max_cer)
    qa = drawn.kept[0].qa
    assert (qa.passed, qa.draws, qa.draw, qa.cer) == (True, 2, 1, 0.0)  # case and punctuation do not count
    assert qa.scores["asr_cer"] == 0.0 and "asr_cer" not in qa.failures
    first = transcription.requests[0]
    assert (first["model"], first["language"], first["format"]) == ("whisper-1", "es", "json")
    assert first["bytes"][:4] == b"RIFF"


def test_asr_not_passing_ever_is_flagged_with_its_cer(double: RedrawDouble) -> None:
    server = TranscriptionDouble(right="", wrong=99).start()
    try:
        settings = SentenceQASettings(asr_backend="http", asr_url=server.url)
        drawn = draw(double, [ToDraw(GOOD, 0)], max_draws=2, transcriber=HttpTranscriber(settings), max_cer=0.25)
    finally:
        server.stop()
    qa = drawn.kept[0].qa
    assert qa.passed is False and qa.failures == ["asr_cer"] and qa.draws == 2
    assert qa.cer is not None and qa.cer > 0.5


def test_redraw_from_gives_the_sentence_a_new_seed_and_key_and_leaves_the_others() -> None:
    plan = functools.partial(
        plan_chapter,
        f"{GOOD} {FIRST_BAD}",
        None,
        book_seed=BOOK_SEED,
        region=Region.NEUTRAL,
        lexicon=None,
        max_chunk_chars=1000,
        voice=VoiceIdentity("v" * 64, "t" * 64),
        render=RenderIdentity("espeak", "espeak-ng", RATE, 1.0, None),
    )
    before = plan().units
    after = plan(redraw_from={before[1].key: 3}).units
    assert after[0] == before[0]
    assert after[1].draw == 3 and after[1].seed == sentence_seed(BOOK_SEED, after[1].spoken, 3)
    assert after[1].key != before[1].key
    assert plan(redraw_from={"unknown": 3}).units == before
    assert np.all([unit.draw == 0 for unit in before])


def test_the_asr_backend_comes_from_the_settings_and_explains_what_it_lacks(tmp_path: Path) -> None:
    assert transcriber_for(SentenceQASettings()) is None  # none by default
    with pytest.raises(VocalioError) as no_url:
        transcriber_for(SentenceQASettings(asr_backend="http"))
    assert no_url.value.code == ErrorCode.VALIDATION_ERROR and "VOCALIO_ASR_URL" in no_url.value.message
    with pytest.raises(VocalioError) as no_path:
        transcriber_for(SentenceQASettings(asr_backend="faster_whisper", asr_model_path=tmp_path / "missing"))
    assert no_path.value.code == ErrorCode.VALIDATION_ERROR
    whisper = transcriber_for(SentenceQASettings(asr_backend="faster_whisper", asr_model_path=tmp_path))
    assert isinstance(whisper, WhisperTranscriber)
    if importlib.util.find_spec("faster_whisper") is None:  # not part of the worker's install here
        with pytest.raises(VocalioError) as missing:
            whisper.transcribe(np.zeros(RATE, np.float32), RATE)
        assert missing.value.code == ErrorCode.ENGINE_UNAVAILABLE and "faster-whisper" in missing.value.message
