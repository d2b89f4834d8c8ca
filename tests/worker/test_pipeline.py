"""One job's audio path end to end, in the order the runtime runs it."""

import io

import numpy as np
import pytest
import soundfile
from vocalio_audio.metrics import measure_quality
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import OutputFormat
from vocalio_worker.audio.crossfade import crossfade
from vocalio_worker.audio.encode import encode_audio
from vocalio_worker.audio.postprocess import postprocess
from vocalio_worker.audio.resample import resample
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.engines import VoiceRef, select_engine

SENTENCES = [
    "Buenas noches, parce: hoy les cuento la historia del viejo faro.",
    "El faro llevaba cien años apagado, y nadie recordaba por qué.",
    "Una tarde de lluvia, alguien encendió la luz.",
]


def test_text_chunks_to_flac_at_the_job_rate() -> None:
    settings = AudioSettings(_env_file=None)  # type: ignore[call-arg]
    engine = select_engine("espeak")
    engine.load()
    native_rate_hz = engine.capabilities().sample_rate_hz
    chunk_audio = engine.synthesize_batch(SENTENCES, VoiceRef("v", Region.COLOMBIAN), 1.0, 16, Region.COLOMBIAN)

    # Resample each chunk first: everything after (spans, limiter, streaming) is at the job's rate,
    # and the limiter's ceiling holds in the file because nothing resamples after it.
    job_rate_hz = 44100
    job_chunks = [resample(audio, native_rate_hz, job_rate_hz) for audio in chunk_audio]
    joined = crossfade(job_chunks, job_rate_hz, settings.crossfade_s, settings.crossfade_curve)
    quality = measure_quality(joined.audio, job_rate_hz)  # before the limiter, so clipping shows
    processed = postprocess(joined.audio, job_rate_hz, settings, joined.chunk_spans_samples)
    encoded = encode_audio(processed.audio, job_rate_hz, OutputFormat.FLAC)

    assert quality.quality_score > 0.8
    assert len(processed.chunk_durations_s) == len(SENTENCES)
    assert sum(processed.chunk_durations_s) == pytest.approx(encoded.duration_s, abs=0.01)
    decoded, rate_hz = soundfile.read(io.BytesIO(encoded.data), dtype="float32")
    assert rate_hz == 44100
    assert len(decoded) / rate_hz == pytest.approx(processed.duration_s, abs=0.01)
    assert np.abs(decoded).max() <= 10 ** (settings.peak_limit_dbfs / 20) + 1e-3
