"""Kokoro voice names and weighted mixes, and the voices file (made here; no model needed)."""

from pathlib import Path

import numpy as np
import pytest
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_worker.engines.kokoro.voices import VoiceBank, looks_like_voice_spec, parse_voice_spec

from tests.worker.engines.kokoro.model_parts import write_voices


def test_specs_parse_to_normalized_canonical_mixes() -> None:
    assert parse_voice_spec("ef_dora").parts == (("ef_dora", 1.0),)
    mix = parse_voice_spec("kokoro:em_alex*3 + ef_dora*1")
    assert mix.parts == (("ef_dora", 0.25), ("em_alex", 0.75))
    assert mix == parse_voice_spec("ef_dora*0.25+em_alex*0.75")  # same mix, same key
    assert mix.spec == "ef_dora*0.25+em_alex*0.75"
    assert parse_voice_spec("ef_dora*0.5+ef_dora*0.5").parts == (("ef_dora", 1.0),)
    assert looks_like_voice_spec("ef_dora*0.7+em_alex*0.3") and looks_like_voice_spec("kokoro:em_santa")
    assert not looks_like_voice_spec("Narradora") and not looks_like_voice_spec("v_0123 extra")


@pytest.mark.parametrize("bad", ["Narradora", "ef_dora*", "ef_dora*-1", "ef_dora++em_alex", "ef_dora*0"])
def test_bad_specs_are_unknown_voices(bad: str) -> None:
    with pytest.raises(VocalioError) as raised:
        parse_voice_spec(bad)
    assert raised.value.code == ErrorCode.UNKNOWN_VOICE


def test_a_mix_is_the_weighted_mean_of_its_voices(tmp_path: Path) -> None:
    bank = VoiceBank(write_voices(tmp_path / "voices.bin"))
    dora, alex = bank.styles["ef_dora"], bank.styles["em_alex"]
    mixed = bank.styles_for(parse_voice_spec("ef_dora*0.7+em_alex*0.3"))
    assert mixed.shape == (510, 256) and mixed.dtype == np.float32
    np.testing.assert_allclose(mixed, 0.7 * dora + 0.3 * alex, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(bank.styles_for(parse_voice_spec("ef_dora")), dora)
    with pytest.raises(VocalioError, match="no voice af_heart") as raised:
        bank.styles_for(parse_voice_spec("af_heart+ef_dora"))
    assert raised.value.code == ErrorCode.UNKNOWN_VOICE and "ef_dora" in raised.value.message


def test_a_file_that_is_not_a_voices_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "voices.bin"
    bad.write_bytes(b"not numpy")
    with pytest.raises(VocalioError) as raised:
        VoiceBank(bad)
    assert raised.value.code == ErrorCode.ENGINE_UNAVAILABLE
    short = tmp_path / "short.npz"
    with short.open("wb") as stream:
        np.savez(stream, ef_dora=np.zeros((10, 1, 256), dtype=np.float32))
    with pytest.raises(VocalioError, match="not a Kokoro voices file"):
        VoiceBank(short)
