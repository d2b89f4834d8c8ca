"""The whole Kokoro path for real: Spanish text → eSpeak phonemes → the real int8 Kokoro-82M → audio.

The voices are made for the tests (the packages ship no Spanish ones), so these check shapes, lengths,
speed, determinism and voices, not how it sounds.
"""

import numpy as np
import pytest
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import Region
from vocalio_worker.chapters import model_identity
from vocalio_worker.engines import TTSEngine, VoiceRef
from vocalio_worker.engines.kokoro import KokoroEngine
from vocalio_worker.engines.kokoro.durations import SAMPLES_PER_FRAME
from vocalio_worker.engines.kokoro.engine import join_runs
from vocalio_worker.engines.kokoro.phonemes import tokenize

from tests.worker.engines.kokoro.conftest import KokoroModel

# Short on purpose: the CPU is shared and Kokoro runs at about real time there under load.
SENTENCE = "El faro se encendía cada noche, aunque nadie pasaba."
DORA = VoiceRef("kokoro:ef_dora")


@pytest.fixture(scope="module")
def natural(kokoro_engine: KokoroEngine) -> np.ndarray:
    """SENTENCE with ef_dora at speed 1 (several tests compare against it)."""
    return kokoro_engine.synthesize_batch([SENTENCE], DORA, 1.0, 0, Region.NEUTRAL)[0]


def _seconds(audio: np.ndarray) -> float:
    return audio.size / 24000


def test_spanish_text_comes_out_as_audio_of_plausible_length(kokoro_engine: KokoroEngine, natural: np.ndarray) -> None:
    assert isinstance(kokoro_engine, TTSEngine)
    caps = kokoro_engine.capabilities()
    assert caps.sample_rate_hz == 24000 and not caps.needs_reference_audio and caps.models == ("kokoro-82m-local",)
    assert caps.stream_first_clause  # its time grows with the audio: a streamed job starts with a short clause
    [short] = kokoro_engine.synthesize_batch(["Hola."], DORA, 1.0, 0, Region.NEUTRAL)
    long = natural
    for audio in (short, long):
        assert audio.dtype == np.float32 and audio.ndim == 1 and np.isfinite(audio).all()
        assert np.abs(audio).max() > 0
    # Natural Spanish is ~12-16 characters a second; the model's duration predictor keeps it in that range.
    assert 2.0 < _seconds(long) < 7.0, _seconds(long)
    assert 0.2 < _seconds(short) < 2.0 and _seconds(short) < _seconds(long) / 3
    assert kokoro_engine.synthesize_batch(["", "  "], DORA, 1.0, 0, Region.NEUTRAL)[0].size == 0


def test_speed_and_determinism(kokoro_engine: KokoroEngine, natural: np.ndarray) -> None:
    [again] = kokoro_engine.synthesize_batch([SENTENCE], DORA, 1.0, 16, Region.NEUTRAL, seeds=[7])
    np.testing.assert_array_equal(natural, again)  # deterministic: seeds and NFE are ignored
    [fastest] = kokoro_engine.synthesize_batch([SENTENCE], DORA, 9.0, 0, Region.NEUTRAL)  # clamped to 2.0
    ratio = _seconds(fastest) / _seconds(natural)
    assert 0.4 < ratio < 0.65, ratio


def test_voices_mixes_and_uploaded_references(kokoro_engine: KokoroEngine) -> None:
    def say(voice: VoiceRef | str, region: Region = Region.NEUTRAL) -> np.ndarray:
        ref = VoiceRef(voice) if isinstance(voice, str) else voice
        return kokoro_engine.synthesize_batch(["Sí."], ref, 1.0, 0, region)[0]

    dora, alex = say("kokoro:ef_dora"), say("kokoro:em_alex")
    mixed = say("kokoro:ef_dora*0.7+em_alex*0.3")
    assert not np.array_equal(dora, alex) and not np.array_equal(mixed, dora) and not np.array_equal(mixed, alex)
    np.testing.assert_array_equal(say("kokoro:ef_dora*0.5+ef_dora*2"), dora)  # one voice, whatever the weights
    assert kokoro_engine.default_voice(Region.PENINSULAR) == "em_alex"  # no voice named: the region's (data)
    # An uploaded reference (F5-only) is spoken with the region's default, and the job is told.
    uploaded = VoiceRef("v_narradora", Region.CHILEAN, reference_transcript="Hola.", sha256="ab" * 32)
    np.testing.assert_array_equal(say(uploaded, Region.CHILEAN), dora)
    [warning] = kokoro_engine.voice_warnings(uploaded)
    assert "v_narradora" in warning and "F5" in warning and "ef_dora" in warning
    assert kokoro_engine.voice_warnings(DORA) == [] and kokoro_engine.voice_warnings(VoiceRef("default:andean")) == []
    with pytest.raises(VocalioError) as raised:
        say("kokoro:af_heart")
    assert raised.value.code == ErrorCode.UNKNOWN_VOICE and "ef_dora" in raised.value.message
    assert kokoro_engine.offered_voices() == ["kokoro:ef_dora", "kokoro:em_alex", "kokoro:em_santa"]


def test_long_chunks_are_split_by_the_token_limit(kokoro_model: KokoroModel, natural: np.ndarray) -> None:
    small = KokoroEngine(kokoro_model.settings(kokoro_max_chunk_tokens=24))
    pieces = small.phonemes_for(SENTENCE, Region.NEUTRAL)
    assert len(pieces) >= 2 and all(len(piece) <= 24 for piece in pieces)
    [split] = small.synthesize_batch([SENTENCE], DORA, 1.0, 0, Region.NEUTRAL)
    assert 0.6 < _seconds(split) / _seconds(natural) < 1.5  # same words, said in pieces


def test_the_model_identity_names_the_files_and_default_voices(
    kokoro_model: KokoroModel, kokoro_engine: KokoroEngine
) -> None:
    identity = model_identity(kokoro_engine)
    assert "model=6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb" in identity
    assert identity.startswith("kokoro-82m;") and "voices=" in identity
    other_default = KokoroEngine(kokoro_model.settings(kokoro_voice="em_santa"))
    assert model_identity(other_default) != identity
    assert model_identity(KokoroEngine(kokoro_model.settings(kokoro_threads=1))) == identity  # speed only


def test_a_file_that_is_not_a_kokoro_graph_fails_the_load(kokoro_model: KokoroModel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"garbage")
    engine = KokoroEngine(kokoro_model.settings(kokoro_model_path=bad))
    with pytest.raises(VocalioError) as raised:
        engine.load()
    assert raised.value.code == ErrorCode.ENGINE_UNAVAILABLE and "cannot load the Kokoro model" in raised.value.message


def test_join_runs_groups_consecutive_pieces_within_the_limit() -> None:
    assert join_runs([60, 70, 100, 30, 300, 20], 256) == [[0, 1, 2], [3], [4], [5]]
    assert join_runs([10, 10, 10], 21) == [[0, 1], [2]]  # the joining space counts
    assert join_runs([10, 10], 0) == [[0], [1]]


def test_a_batch_runs_joined_and_is_cut_back_exactly(kokoro_model: KokoroModel, kokoro_engine: KokoroEngine) -> None:
    chunks = ["Sí.", "Hola, amiga mía.", "Adiós."]
    joining = KokoroEngine(kokoro_model.settings(kokoro_join_tokens=256))
    joined = joining.synthesize_batch(chunks, DORA, 1.0, 0, Region.NEUTRAL)
    # One inference: the pieces are its audio cut at the joining spaces, sample for sample.
    tokens = [tokenize(joining.phonemes_for(chunk, Region.NEUTRAL)[0]) for chunk in chunks]
    styles = joining._voices.styles_for(joining.mix_for(DORA, Region.NEUTRAL))  # type: ignore[union-attr]
    whole, frames = joining._run([*tokens[0], 16, *tokens[1], 16, *tokens[2]], styles, 1.0)
    assert frames is not None and frames.sum() * SAMPLES_PER_FRAME == whole.size  # 600 samples a frame
    np.testing.assert_array_equal(np.concatenate(joined), whole)
    alone = kokoro_engine.synthesize_batch(chunks, DORA, 1.0, 0, Region.NEUTRAL)  # the default: one run each
    for mine, own in zip(joined, alone, strict=True):  # alone, a piece has its own lead-in and final pause
        assert mine.size > 0.2 * 24000 and 0.35 < mine.size / own.size < 1.3, (mine.size, own.size)
    assert joined[1].size > max(joined[0].size, joined[2].size)
    assert not kokoro_engine._durations  # off by default: the plain graph, one run per piece
    assert joining.capabilities().max_batch == 2 * kokoro_engine.capabilities().max_batch
