import itertools

import numpy as np
import pytest
from vocalio_worker.audio.crossfade import StreamingCrossfader, crossfade, fade_curves

RATE_HZ = 1000  # 0.15 s fade = 150 samples; small numbers keep the arithmetic readable


def random_chunks(lengths: list[int], seed: int = 1) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(-0.5, 0.5, length).astype(np.float32) for length in lengths]


def reference_crossfade(chunks: list[np.ndarray], fade: int) -> np.ndarray:
    """Independent overlap-add for chunks all longer than 2 × fade (the common case)."""
    fade_out, fade_in = fade_curves(fade, "equal_power")
    output = chunks[0].copy()
    for chunk in chunks[1:]:
        output[-fade:] = output[-fade:] * fade_out + chunk[:fade] * fade_in
        output = np.concatenate([output, chunk[fade:]])
    return output


@pytest.mark.parametrize(
    "lengths",
    [[1000, 800, 1200], [1000], [50, 1000, 10, 3, 400, 1], [0, 500, 0, 0, 700, 0], [299, 300, 301, 2, 2]],
)
def test_streaming_equals_one_shot_exactly(lengths: list[int]) -> None:
    chunks = random_chunks(lengths)
    one_shot = crossfade(chunks, RATE_HZ)
    fader = StreamingCrossfader(RATE_HZ)
    pieces = [fader.push(chunk) for chunk in chunks] + [fader.finish()]
    streamed = np.concatenate(pieces)
    assert np.array_equal(streamed, one_shot.audio)
    assert fader.chunk_spans_samples == one_shot.chunk_spans_samples
    assert fader.chunk_durations_s == one_shot.chunk_durations_s


def test_matches_plain_overlap_add_and_boundaries() -> None:
    chunks = random_chunks([1000, 800, 1200])
    result = crossfade(chunks, RATE_HZ, fade_s=0.15)
    assert np.allclose(result.audio, reference_crossfade(chunks, 150), atol=1e-6)
    assert len(result.audio) == 3000 - 2 * 150
    # boundaries sit at the middle of each 150-sample overlap
    assert result.chunk_spans_samples == [(0, 925), (925, 1575), (1575, 2700)]
    assert sum(result.chunk_durations_s) == pytest.approx(result.duration_s)
    assert result.chunk_durations_s == pytest.approx([0.925, 0.65, 1.125])


def test_push_emits_everything_but_the_fade_tail() -> None:
    fader = StreamingCrossfader(RATE_HZ, fade_s=0.15)
    chunks = random_chunks([1000, 800])
    assert len(fader.push(chunks[0])) == 850  # the last 150 samples may still be faded
    assert len(fader.push(chunks[1])) == 800 - 150 + 0  # 150 mixed + 500 plain, 150 held again
    assert len(fader.finish()) == 150
    assert fader.finish().size == 0
    with pytest.raises(RuntimeError):
        fader.push(chunks[0])


def test_short_chunks_keep_their_middle_and_stay_in_order() -> None:
    ones = [np.ones(length, np.float32) for length in (1000, 40, 1000)]
    result = crossfade(ones, RATE_HZ, curve="linear")
    # the 40-sample chunk overlaps 20 samples on each side: no fade-in/out overlap inside it
    assert len(result.audio) == 2040 - 20 - 20
    assert np.allclose(result.audio, 1.0, atol=1e-6)  # linear fades of equal signals sum to 1
    spans = result.chunk_spans_samples
    assert [end - start for start, end in spans] == [990, 20, 990]
    assert all(end == next_start for (_, end), (next_start, _) in itertools.pairwise(spans))


def test_equal_power_keeps_power_of_uncorrelated_audio() -> None:
    fade_out, fade_in = fade_curves(1000, "equal_power")
    assert np.allclose(fade_out**2 + fade_in**2, 1.0, atol=1e-6)


def test_zero_fade_is_concatenation_and_empty_input() -> None:
    chunks = random_chunks([10, 20, 30])
    assert np.array_equal(crossfade(chunks, RATE_HZ, fade_s=0).audio, np.concatenate(chunks))
    empty = crossfade([], RATE_HZ)
    assert empty.audio.size == 0 and empty.chunk_spans_samples == []
    with pytest.raises(ValueError):
        StreamingCrossfader(RATE_HZ, curve="cubic")  # type: ignore[arg-type]


def test_real_speech_chunks(speech_chunks: list[np.ndarray]) -> None:
    result = crossfade(speech_chunks, 22050)
    fade = round(0.15 * 22050)
    assert len(result.audio) == sum(map(len, speech_chunks)) - fade * (len(speech_chunks) - 1)
    assert len(result.chunk_durations_s) == len(speech_chunks)
