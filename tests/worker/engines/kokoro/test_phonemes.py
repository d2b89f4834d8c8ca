"""Spanish text → Kokoro phonemes through the real eSpeak NG (no model needed)."""

from vocalio_worker.engines.kokoro.phonemes import kokoro_ipa, phonemize, split_phonemes, tokenize, vocabulary


def test_phonemes_are_kokoros_symbols_with_stress_and_punctuation() -> None:
    phonemes = phonemize("Hola, ¿qué tal? Dijo: «vale» (y se fue)… ¡Chocolate!", "es-419")
    assert phonemes == "ˈola, kˈe tˈal? dˈixo: “bˈale” (i se fwˈe)… ʧˌokolˈate!"
    assert set(phonemes) <= set(vocabulary())
    assert len(tokenize(phonemes)) == len(phonemes)  # every symbol has a token


def test_tied_espeak_phonemes_become_single_kokoro_symbols() -> None:
    assert kokoro_ipa("t^ʃˌokolˈate βˌe^ɪnte") == "ʧˌokolˈate βˌAnte"
    assert kokoro_ipa("(en)wˈiski(es) d^ʒ-") == "wˈiski ʤ"
    assert "^" not in phonemize("Veinte chicos en el coche.", "es")


def test_the_region_decides_the_accent() -> None:
    assert "θ" in phonemize("La cerveza de Jerez.", "es")  # Spain: distinción
    assert "θ" not in phonemize("La cerveza de Jerez.", "es-419") and "s" in phonemize("cerveza", "es-419")


def test_empty_and_punctuation_only_text() -> None:
    assert phonemize("", "es") == ""
    assert phonemize("¿¡", "es") == ""


def test_split_keeps_pieces_within_the_token_limit_and_cuts_at_punctuation() -> None:
    text = "Primero llegó el tren, luego el autobús. Después, nadie sabe. Al final todos se fueron a casa."
    phonemes = phonemize(text, "es")
    pieces = split_phonemes(phonemes, 40)
    assert len(pieces) > 2 and all(len(tokenize(piece)) <= 40 for piece in pieces)
    assert all(piece[-1] in ".,;:!?… " or piece.endswith(pieces[-1][-1]) for piece in pieces)
    assert " ".join(pieces) == phonemes  # nothing lost, only cut at spaces
    assert split_phonemes(phonemes, 510) == [phonemes]
    hard = split_phonemes("a" * 100, 30)  # no space at all: cut hard
    assert [len(piece) for piece in hard] == [30, 30, 30, 10]
