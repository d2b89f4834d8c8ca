"""Property tests: normalization never raises, keeps line structure, reads every number, is idempotent."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vocalio_shared.regions import Region
from vocalio_text import analyze, chunk_text, normalize

ASCII_DIGIT = re.compile(r"[0-9]")
regions = st.sampled_from([None, *Region])

VOCABULARY = """
    el la de que y en un una los se del las por con para su al lo como más pero sus le ya o fue este
    casa años páginas personas euros kilómetros horas veces siglo capítulo página Sr. Dra. etc.
    enero mayo diciembre a las hasta entre
"""
words = st.sampled_from(VOCABULARY.split())
integers = st.integers(min_value=-(10**15), max_value=10**15).map(str)
grouped = st.integers(min_value=1000, max_value=10**12).map(lambda n: f"{n:,}".replace(",", "."))
decimals = st.tuples(st.integers(0, 10**6), st.integers(0, 10**5), st.sampled_from([",", "."])).map(
    lambda parts: f"{parts[0]}{parts[2]}{parts[1]}"
)
money = st.tuples(st.integers(0, 10**7), st.sampled_from(["€", "$", "US$", "£", "MXN", "ARS"])).map(
    lambda parts: f"{parts[0]} {parts[1]}" if parts[1] in ("€", "MXN", "ARS") else f"{parts[1]}{parts[0]}"
)
measures = st.tuples(st.integers(0, 10**5), st.sampled_from(["km", "kg", "m²", "°C", "%", "km/h", "ml", "h"])).map(
    lambda parts: f"{parts[0]} {parts[1]}"
)
dates = st.tuples(st.integers(1, 31), st.integers(1, 12), st.integers(1000, 2100)).map(
    lambda parts: f"{parts[0]}/{parts[1]}/{parts[2]}"
)
times = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda parts: f"{parts[0]}:{parts[1]:02d}")
ordinals = st.tuples(st.integers(1, 999), st.sampled_from([".º", ".ª", "º", "ª", ".er"])).map(
    lambda parts: f"{parts[0]}{parts[1]}"
)
fractions = st.tuples(st.integers(1, 99), st.integers(1, 2000)).map(lambda parts: f"{parts[0]}/{parts[1]}")
phones = st.tuples(st.integers(100, 999), st.integers(100, 999), st.integers(1000, 9999)).map(
    lambda parts: f"{parts[0]}-{parts[1]}-{parts[2]}"
)
number_like = st.one_of(integers, grouped, decimals, money, measures, dates, times, ordinals, fractions, phones)
sentences = st.lists(st.one_of(words, number_like), min_size=1, max_size=12).map(" ".join)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text=sentences, region=regions)
def test_no_ascii_digits_left_in_number_like_input(text: str, region: Region | None) -> None:
    assert not ASCII_DIGIT.search(normalize(text, region)), text


@SETTINGS
@given(text=sentences, region=regions)
def test_normalization_is_idempotent_on_prose_with_numbers(text: str, region: Region | None) -> None:
    once = normalize(text, region)
    assert normalize(once, region) == once


@SETTINGS
@given(text=st.text(max_size=200))
def test_never_raises_on_arbitrary_unicode(text: str) -> None:
    result = normalize(text)
    assert isinstance(result, str)
    analysis = analyze(text)
    assert all(len(chunk) <= 300 for chunk in analysis.chunks)


@SETTINGS
@given(text=st.text(max_size=200))
def test_idempotent_on_arbitrary_unicode(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@SETTINGS
@given(
    lines=st.lists(
        st.one_of(
            sentences,
            st.text(
                alphabet=st.characters(
                    blacklist_categories=("Cs",), blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
                ),
                max_size=60,
            ),
        ),
        max_size=20,
    )
)
def test_line_count_preserved(lines: list[str]) -> None:
    outputs = [normalize(line) for line in lines]
    joined = "\n".join(outputs)
    assert len(joined.split("\n")) == max(len(lines), 1)


@SETTINGS
@given(text=st.text(max_size=800), max_chars=st.integers(min_value=1, max_value=400))
def test_chunks_respect_the_budget_and_keep_every_word(text: str, max_chars: int) -> None:
    chunks = chunk_text(text, max_chars)
    assert all(0 < len(chunk) <= max_chars for chunk in chunks)
    if all(len(word) <= max_chars for word in text.split()):
        assert " ".join(chunks).split() == text.split()
