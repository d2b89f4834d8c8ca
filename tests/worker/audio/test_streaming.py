"""The worker's streamed audio path, without processes: pieces, the stored file and captions agree."""

import io

import numpy as np
import pytest
import soundfile
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import OutputFormat
from vocalio_worker.audio.loudness import limit_peaks
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.audio.silence import shorten_silences
from vocalio_worker.audio.streaming import StreamingLimiter, StreamingSilenceShortener, from_pcm16, to_pcm16
from vocalio_worker.engines.base import VoiceRef
from vocalio_worker.engines.espeak import EspeakEngine
from vocalio_worker.pipeline import StreamedAudio, stream_batches, stream_chunks
from vocalio_worker.segments import sentence_segments

RATE_HZ = 22050
SENTENCES = [
    "Había una vez, en un pueblo pequeño junto al río, una niña que soñaba con el mar.",
    "Cada mañana caminaba hasta la colina para mirar el horizonte.",
    "¿Llegaría algún día a ver las olas? Nadie lo sabía.",
]


@pytest.fixture(scope="module")
def chunks_audio() -> list[np.ndarray]:
    engine = EspeakEngine()
    engine.load()
    return engine.synthesize_batch(SENTENCES, VoiceRef("test"), 1.0, 16, Region.NEUTRAL)


def split_randomly(audio: np.ndarray, seed: int) -> list[np.ndarray]:
    cuts = np.sort(np.random.default_rng(seed).integers(0, len(audio), 12))
    return np.split(audio, cuts)


def test_streaming_limiter_equals_the_whole_file_limiter() -> None:
    rng = np.random.default_rng(1)
    audio = rng.normal(0, 0.3, RATE_HZ * 2).astype(np.float32)
    limiter = StreamingLimiter(RATE_HZ, -3.0)
    streamed = np.concatenate([*(limiter.push(piece) for piece in split_randomly(audio, 2)), limiter.finish()])
    assert np.allclose(streamed, limit_peaks(audio, RATE_HZ, -3.0), atol=1e-6)


def test_streaming_silence_shortener_equals_the_whole_file_rules(chunks_audio: list[np.ndarray]) -> None:
    silence = np.zeros(RATE_HZ * 2, np.float32)
    audio = np.concatenate([silence[:RATE_HZ], chunks_audio[0], silence, chunks_audio[1], silence[:5000]])
    whole, cut = shorten_silences(audio, RATE_HZ, 0.75, 0.1, -45.0)
    frame = round(0.01 * RATE_HZ)
    levels = [np.mean(audio[i : i + frame].astype(np.float64) ** 2) for i in range(0, len(audio), frame)]
    loudest_db = 10 * np.log10(max(levels))
    shortener = StreamingSilenceShortener(RATE_HZ, 0.75, 0.1, loudest_db - 45.0)
    streamed = np.concatenate([*(shortener.push(piece) for piece in split_randomly(audio, 3)), shortener.finish()])
    assert np.array_equal(streamed, whole)
    assert shortener.cut.kept_ranges_samples == cut.kept_ranges_samples


@pytest.mark.parametrize("output_format", [OutputFormat.WAV, OutputFormat.FLAC])
def test_streamed_pieces_are_the_stored_file(chunks_audio: list[np.ndarray], output_format: OutputFormat) -> None:
    settings = AudioSettings(_env_file=None)  # type: ignore[call-arg]
    streamed = StreamedAudio(RATE_HZ, settings)
    pieces = [streamed.push(chunks_audio[:1]), streamed.push(chunks_audio[1:]), streamed.finish()]
    assert all(pieces[:2]), "pieces flow before the end"
    finished = streamed.encode(output_format, SENTENCES)
    stored, rate = soundfile.read(io.BytesIO(finished.encoded.data), dtype="int16")
    assert rate == RATE_HZ
    assert np.array_equal(stored, np.frombuffer(b"".join(pieces), dtype="<i2"))
    peak_dbfs = 20 * np.log10(np.abs(stored).max() / 32767)
    assert peak_dbfs <= settings.peak_limit_dbfs + 0.01
    assert [s.text for s in finished.segments] == [
        SENTENCES[0],
        SENTENCES[1],
        "¿Llegaría algún día a ver las olas?",
        "Nadie lo sabía.",
    ]
    ends = [s.end_s for s in finished.segments]
    assert ends == sorted(ends) and ends[-1] == pytest.approx(len(stored) / RATE_HZ, abs=0.002)


def test_pcm16_round_trip() -> None:
    pcm = np.arange(-32767, 32768, 7, dtype="<i2").tobytes()
    assert to_pcm16(from_pcm16(pcm)) == pcm


def test_first_chunk_is_the_first_sentence_alone() -> None:
    chunks = stream_chunks(["Uno. Dos dos. Tres tres tres.", "Cuatro."])
    assert chunks == ["Uno.", "Dos dos. Tres tres tres.", "Cuatro."]
    assert stream_batches(chunks, 2) == [["Uno."], ["Dos dos. Tres tres tres.", "Cuatro."]]
    assert stream_chunks(["Solo."]) == ["Solo."]


def test_segments_split_a_chunk_by_characters() -> None:
    segments = sentence_segments(["Hola. Adiós, amigo.", "Fin."], [3.6, 1.0])
    assert [(s.text, s.start_s, s.end_s) for s in segments] == [
        ("Hola.", 0.0, 1.0),
        ("Adiós, amigo.", 1.0, 3.6),
        ("Fin.", 3.6, 4.6),
    ]
