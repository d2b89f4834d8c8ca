"""The recording prompts: each a neutral Spanish sentence of a 5-12 s reading, together every sound."""

from vocalio_api.voice_analysis import check_transcript
from vocalio_api.voice_prompts import PROMPTS, all_sounds, prompt_list, sounds_in
from vocalio_text import detect_region

# A narrator reads Spanish at about 12-16 characters per second (spaces included): 80-140 characters
# land between 5 and 12 s at either end of that pace.
MIN_CHARS, MAX_CHARS = 80, 140


def test_each_prompt_is_one_neutral_sentence_of_a_reference_length() -> None:
    for prompt_id, text in PROMPTS.items():
        assert MIN_CHARS <= len(text) <= MAX_CHARS, prompt_id
        assert text.endswith(".") and text.count(".") == 1, prompt_id
        assert check_transcript(text) == text  # stored exactly as shown to the reader
        analysis = detect_region(text)
        assert analysis.region.value == "neutral" and not analysis.markers, (prompt_id, analysis.markers)


def test_together_they_cover_every_sound_and_each_holds_the_regional_ones() -> None:
    covered = {sound for prompt in prompt_list().items for sound in prompt.covers}
    assert covered == set(all_sounds())
    for prompt in prompt_list().items:
        # /θ/ vs /s/ and the trill tell regions and engines apart most: every prompt has them.
        assert {"c/z (θ or s)", "rr (trill)", "diphthongs"} <= set(prompt.covers), prompt.id
        assert len(prompt.covers) >= 8, prompt.id


def test_sounds_follow_the_spelling_rules() -> None:
    assert "c/z (θ or s)" in sounds_in("cielo") and "c/z (θ or s)" not in sounds_in("casa")
    assert "j/g (jota)" in sounds_in("gente") and "j/g (jota)" not in sounds_in("gato")
    assert "g (hard)" in sounds_in("guerra") and "rr (trill)" in sounds_in("ramo")
    assert "diphthongs" in sounds_in("tierra") and "diphthongs" not in sounds_in("queso")
    assert "ll/y" in sounds_in("yo") and "ll/y" not in sounds_in("hoy")
