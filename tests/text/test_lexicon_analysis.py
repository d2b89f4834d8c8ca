"""Pronunciation lexicon and analyze(): the whole pipeline as the worker and the API preview see it."""

from vocalio_shared.regions import Region, RegionChoice
from vocalio_shared.schemas.jobs import LexiconEntry
from vocalio_text import analyze, apply_lexicon


def entries(*pairs: tuple[str, str]) -> list[LexiconEntry]:
    return [LexiconEntry(term=term, say=say) for term, say in pairs]


def test_lexicon_whole_words_case_insensitive() -> None:
    lexicon = entries(("Iñaki", "iñáki"), ("SQL", "ese cu ele"))
    assert apply_lexicon("iñaki usa sql y SQLite", lexicon) == "iñáki usa ese cu ele y SQLite"


def test_lexicon_longest_term_first() -> None:
    lexicon = entries(("York", "iork"), ("Nueva York", "nueva iork city"))
    assert apply_lexicon("Vivo en Nueva York, no en York.", lexicon) == "Vivo en nueva iork city, no en iork."


def test_lexicon_does_not_touch_parts_of_words() -> None:
    assert apply_lexicon("cantante canta", entries(("canta", "KANTA"))) == "cantante KANTA"


def test_lexicon_with_regex_characters_in_terms() -> None:
    assert apply_lexicon("uso C++ a diario", entries(("C++", "ce más más"))) == "uso ce más más a diario"


def test_empty_lexicon_is_identity() -> None:
    assert apply_lexicon("hola", []) == "hola"


def test_analyze_seed_example() -> None:
    result = analyze("Che boludo, ¿cómo andás? Te debo $1.500.")
    assert result.detected_region is Region.RIOPLATENSE
    assert result.region is Region.RIOPLATENSE
    assert result.markers == ["che", "boludo", "andás"]
    assert result.normalized == "Che boludo, ¿cómo andás? Te debo mil quinientos pesos."
    assert result.chunks == [result.normalized]
    assert result.estimated_duration_s > 0
    assert result.warnings == []


def test_explicit_region_wins_over_detection() -> None:
    result = analyze("Che boludo, te debo $10.", region=RegionChoice.MEXICAN)
    assert result.detected_region is Region.RIOPLATENSE
    assert result.region is Region.MEXICAN
    assert result.normalized.endswith("diez pesos.")
    assert analyze("Te debo $10.", region="neutral").normalized == "Te debo diez dólares."
    assert analyze("Te debo $10.", region=Region.CHILEAN).region is Region.CHILEAN


def test_lexicon_applies_after_normalization() -> None:
    result = analyze("El Dr. Iñaki vive en el n.º 5.", lexicon=entries(("Iñaki", "iñáki"), ("cinco", "5")))
    assert result.normalized == "El Doctor iñáki vive en el número 5."


def test_chunks_follow_the_budget() -> None:
    text = " ".join(["El tren llegó tarde a la estación central."] * 30)
    result = analyze(text, max_chunk_chars=100)
    assert all(len(chunk) <= 100 for chunk in result.chunks)
    assert " ".join(result.chunks) == result.normalized


def test_duration_estimate_uses_chars_per_second() -> None:
    slow = analyze("Hola a todos, bienvenidos.", chars_per_second=10)
    fast = analyze("Hola a todos, bienvenidos.", chars_per_second=20)
    assert slow.estimated_duration_s == 2 * fast.estimated_duration_s


def test_warnings_for_unread_symbols() -> None:
    result = analyze("El símbolo ☃ y el ∑ no se leen.")
    assert any("☃" in warning for warning in result.warnings)
    assert any("∑" in warning for warning in result.warnings)


def test_empty_text() -> None:
    result = analyze("")
    assert result.normalized == ""
    assert result.chunks == []
    assert result.region is Region.NEUTRAL
