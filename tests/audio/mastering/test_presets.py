"""Presets are data: every file in presets/ loads, and a preset that contradicts itself is refused."""

import pytest
from pydantic import ValidationError
from vocalio_audio.mastering import DEFAULT_PRESET, load_preset, preset_names
from vocalio_audio.mastering.preset import Preset


def test_the_shipped_presets_load_and_acx_is_the_default() -> None:
    assert {"acx", "podcast"} <= set(preset_names()) and DEFAULT_PRESET == "acx"
    acx = load_preset("acx")
    assert acx.rules.rms_dbfs == (-23.0, -18.0) and acx.rules.peak_dbfs_max == -3.0
    assert acx.rules.noise_floor_dbfs_max == -60.0
    assert acx.rules.head_room_tone_s == (0.5, 1.0) and acx.rules.tail_room_tone_s == (1.0, 5.0)
    assert (acx.rules.sample_rate_hz, acx.rules.channels, acx.rules.mp3_min_kbps, acx.rules.mp3_cbr) == (
        44100, 1, 192, True,
    )  # fmt: skip
    podcast = load_preset("podcast")
    assert podcast.master.loudness == "lufs" and podcast.master.target == -16.0
    assert podcast.rules.true_peak_dbtp_max == -1.0


def test_an_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="acx"):
        load_preset("audible-2031")


def test_a_preset_whose_master_misses_its_own_rules_is_refused() -> None:
    data = load_preset("acx").model_dump()
    data["master"]["target"] = -17.0  # outside -23..-18
    with pytest.raises(ValidationError, match="outside the rule"):
        Preset.model_validate(data)
    data = load_preset("acx").model_dump()
    data["master"]["tail_room_tone_s"] = 6.0
    with pytest.raises(ValidationError, match="tail_room_tone_s"):
        Preset.model_validate(data)


def test_the_book_settings_accept_exactly_the_presets_shipped() -> None:
    # The API validates BookSettings.mastering_preset against a shared list without loading the audio
    # package; it must name the same presets as the data files the worker masters with.
    from vocalio_audio.mastering.preset import preset_names
    from vocalio_shared.schemas.book_quality import MASTERING_PRESETS

    assert sorted(MASTERING_PRESETS) == sorted(preset_names())
