"""The worker's one audio path, streamed, without processes: pieces, the stored file and captions agree."""

import io

import numpy as np
import pytest
import soundfile
from vocalio_audio.metrics import integrated_loudness_lufs
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import OutputFormat
from vocalio_worker.audio.loudness import StreamingLimiter, limit_peaks
from vocalio_worker.audio.pcm16 import from_pcm16, to_pcm16
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.audio.silence import SilenceShortener
from vocalio_worker.engines.base import VoiceRef
from vocalio_worker.engines.espeak import EspeakEngine
from vocalio_worker.pipeline import JobAudio, encode, stream_batches, stream_chunks
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


def test_streaming_limiter_holds_back_enough_to_equal_the_limiter_on_the_whole() -> None:
    rng = np.random.default_rng(1)
    audio = rng.normal(0, 0.3, RATE_HZ * 2).astype(np.float32)
    limiter = StreamingLimiter(RATE_HZ, -3.0)
    streamed = np.concatenate([*(limiter.push(piece) for piece in split_randomly(audio, 2)), limiter.finish()])
    assert np.allclose(streamed, limit_peaks(audio, RATE_HZ, -3.0), atol=1e-6)
    assert np.abs(streamed).max() <= 10 ** (-3.0 / 20)


def test_silence_shortener_gives_the_same_cut_however_the_audio_arrives(chunks_audio: list[np.ndarray]) -> None:
    silence = np.zeros(RATE_HZ * 2, np.float32)
    audio = np.concatenate([silence[:RATE_HZ], chunks_audio[0], silence, chunks_audio[1], silence[:5000]])

    def shorten(pieces: list[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int]]]:
        shortener = SilenceShortener(RATE_HZ, 0.75, 0.1, -60.0)
        out = np.concatenate([*(shortener.push(piece) for piece in pieces), shortener.finish()])
        return out, shortener.cut.kept_ranges_samples

    whole, kept = shorten([audio])
    streamed, streamed_kept = shorten(split_randomly(audio, 3))
    assert np.array_equal(streamed, whole) and streamed_kept == kept
    # at least the 1 s lead → 0.1 s and the 2 s pause → 0.75 s (eSpeak adds its own pauses)
    assert (len(audio) - len(whole)) / RATE_HZ > 0.9 + 1.25 - 0.02


@pytest.mark.parametrize("output_format", [OutputFormat.WAV, OutputFormat.FLAC])
def test_streamed_pieces_are_the_stored_file(chunks_audio: list[np.ndarray], output_format: OutputFormat) -> None:
    settings = AudioSettings(_env_file=None)  # type: ignore[call-arg]
    audio = JobAudio(RATE_HZ, settings, live=True)
    pieces = [audio.push(chunks_audio[:1]), audio.push(chunks_audio[1:])]
    tail, processed = audio.finish(SENTENCES)
    pieces.append(tail)
    assert all(pieces[:2]), "pieces flow before the end"
    stored, rate = soundfile.read(io.BytesIO(encode(processed, output_format).data), dtype="int16")
    assert rate == RATE_HZ
    assert np.array_equal(stored, np.frombuffer(b"".join(pieces), dtype="<i2"))
    peak_dbfs = 20 * np.log10(np.abs(stored).max() / 32767)
    assert peak_dbfs <= settings.peak_limit_dbfs + 0.01
    assert [s.text for s in processed.segments] == [
        SENTENCES[0],
        SENTENCES[1],
        "¿Llegaría algún día a ver las olas?",
        "Nadie lo sabía.",
    ]
    ends = [s.end_s for s in processed.segments]
    assert ends == sorted(ends) and ends[-1] == pytest.approx(len(stored) / RATE_HZ, abs=0.002)
    assert sum(processed.chunk_durations_s) == pytest.approx(len(stored) / RATE_HZ, abs=0.002)
    assert any(w.startswith("streamed: loudness set from the first chunk") for w in processed.warnings)


def test_a_stream_keeps_its_first_chunk_gain_and_the_same_job_unheard_meets_the_target(
    chunks_audio: list[np.ndarray],
) -> None:
    """A quiet first chunk: live, its gain is kept (the rest comes out loud, limited); unheard,
    the whole file is brought to the target."""
    settings = AudioSettings(_env_file=None)  # type: ignore[call-arg]
    chunks = [chunks_audio[0] * np.float32(0.1), *chunks_audio[1:]]
    files = {}
    for live in (True, False):
        audio = JobAudio(RATE_HZ, settings, live=live)
        audio.push(chunks[:1])
        audio.push(chunks[1:])
        _, processed = audio.finish(SENTENCES)
        files[live] = soundfile.read(io.BytesIO(encode(processed, OutputFormat.WAV).data))[0]
    assert integrated_loudness_lufs(files[False], RATE_HZ) == pytest.approx(settings.target_lufs, abs=0.5)
    assert integrated_loudness_lufs(files[True], RATE_HZ) > settings.target_lufs + 3
    assert len(files[True]) == len(files[False])  # same silences: only the gain stage differs


def test_pcm16_round_trip() -> None:
    pcm = np.arange(-32767, 32768, 7, dtype="<i2").tobytes()
    assert to_pcm16(from_pcm16(pcm)) == pcm


def test_first_chunk_is_the_first_sentence_alone() -> None:
    chunks = stream_chunks(["Uno. Dos dos. Tres tres tres.", "Cuatro."])
    assert chunks == ["Uno.", "Dos dos. Tres tres tres.", "Cuatro."]
    assert stream_batches(chunks, 2) == [["Uno."], ["Dos dos. Tres tres tres.", "Cuatro."]]
    assert stream_chunks(["Solo."]) == ["Solo."]


def test_first_chunk_can_be_the_first_clause_alone() -> None:
    text = "Había una vez, en un pueblo pequeño, una niña. Soñaba con el mar."
    assert stream_chunks([text, "Fin."], first_clause_alone=True) == [
        "Había una vez,",
        "en un pueblo pequeño, una niña. Soñaba con el mar.",
        "Fin.",
    ]
    assert stream_chunks([text, "Fin."]) == [
        "Había una vez, en un pueblo pequeño, una niña.",
        "Soñaba con el mar.",
        "Fin.",
    ]
    # No cut worth making: one word before the mark, one after, or no mark at all.
    assert stream_chunks(["Sí, claro que sí. Vale."], first_clause_alone=True) == ["Sí, claro que sí.", "Vale."]
    assert stream_chunks(["Pues bien, adiós."], first_clause_alone=True) == ["Pues bien, adiós."]
    assert stream_chunks(["Una frase sin pausas."], first_clause_alone=True) == ["Una frase sin pausas."]
    # A single sentence is cut too; its caption stays one sentence over both chunks.
    single = stream_chunks(["En la casa, junto al río."], first_clause_alone=True)
    assert single == ["En la casa,", "junto al río."]
    segments = sentence_segments([*single, "Fin."], [1.0, 1.5, 0.5])
    assert [(s.text, s.start_s, s.end_s) for s in segments] == [
        ("En la casa, junto al río.", 0.0, 2.5),
        ("Fin.", 2.5, 3.0),
    ]


def test_segments_split_a_chunk_by_characters() -> None:
    segments = sentence_segments(["Hola. Adiós, amigo.", "Fin."], [3.6, 1.0])
    assert [(s.text, s.start_s, s.end_s) for s in segments] == [
        ("Hola.", 0.0, 1.0),
        ("Adiós, amigo.", 1.0, 3.6),
        ("Fin.", 3.6, 4.6),
    ]
