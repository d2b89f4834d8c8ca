"""One job's audio path end to end, in the order the runtime runs it."""

import io

import numpy as np
import pytest
import soundfile
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import JobParams, OutputFormat
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.engines import VoiceRef, select_engine
from vocalio_worker.pipeline import JobAudio, batches, encode, quality, synthesize_batch

SENTENCES = [
    "Buenas noches, parce: hoy les cuento la historia del viejo faro.",
    "El faro llevaba cien años apagado, y nadie recordaba por qué.",
    "Una tarde de lluvia, alguien encendió la luz.",
]


def test_text_chunks_to_flac_at_the_job_rate() -> None:
    settings = AudioSettings(_env_file=None)  # type: ignore[call-arg]
    engine = select_engine("espeak")
    engine.load()
    # Each chunk is resampled to the job's rate first: everything after (spans, limiter, streaming)
    # is at that rate, and the limiter's ceiling holds in the file because nothing resamples after it.
    params = JobParams(sample_rate=44100, output_format=OutputFormat.FLAC)
    audio = JobAudio(params.sample_rate, settings, live=False)
    for batch in batches(SENTENCES, 2):
        produced = synthesize_batch(engine, batch, VoiceRef("v", Region.COLOMBIAN), params, Region.COLOMBIAN)
        assert audio.push(produced.audio) == b""  # nobody listens: nothing is published
    _, processed = audio.finish(SENTENCES)
    encoded = encode(processed, params.output_format)

    assert quality(processed).quality_score > 0.8  # of the mix, before the limiter
    assert len(processed.chunk_durations_s) == len(SENTENCES) == len(processed.segments)
    assert sum(processed.chunk_durations_s) == pytest.approx(encoded.duration_s, abs=0.01)
    assert processed.segments[-1].end_s == pytest.approx(encoded.duration_s, abs=0.01)
    decoded, rate_hz = soundfile.read(io.BytesIO(encoded.data), dtype="float32")
    assert rate_hz == 44100
    assert len(decoded) / rate_hz == pytest.approx(len(processed.samples) / 44100, abs=0.01)
    assert np.abs(decoded).max() <= 10 ** (settings.peak_limit_dbfs / 20) + 1e-3
    assert not any(w.startswith("streamed") for w in processed.warnings)
