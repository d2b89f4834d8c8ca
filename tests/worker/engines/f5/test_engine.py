"""The engine: references, durations, OOM backoff, cross-job batching, and a worker job end to end."""

import io
import threading
from collections.abc import Sequence

import numpy as np
import pytest
import soundfile
import torch
from vocalio_audio.types import FloatAudio
from vocalio_shared.errors import ERROR_TRAITS, ErrorCategory, ErrorCode, VocalioError
from vocalio_shared.regions import Region
from vocalio_worker.engines.base import VoiceRef
from vocalio_worker.engines.f5 import ChunkRequest, F5Engine
from vocalio_worker.engines.f5.batcher import CrossJobBatcher

from tests.worker.engines.f5.conftest import REFERENCE_TEXT, VOCOS_REPO, TinyHub, tiny_settings

NFE = 4
CHUNKS = [
    "Había una vez un pueblo junto al río.",
    "La niña caminaba cada mañana hasta la colina para mirar el horizonte.",
    "",
    "Contaba los barcos.",
    "Y soñaba con el mar, con sus olas y su sal, con viajes largos.",
    "Fin.",
    "Al día siguiente volvió a subir.",
    "El viento soplaba fuerte.",
]


def voice(hub: TinyHub) -> VoiceRef:
    return VoiceRef(
        "test-voice", Region.NEUTRAL, reference_audio_path=hub.reference_wav, reference_transcript=REFERENCE_TEXT
    )


def test_output_lengths_are_the_estimates_and_empty_chunks_stay_empty(tiny_engine: F5Engine, tiny_hub: TinyHub) -> None:
    outputs = tiny_engine.synthesize_batch(CHUNKS, voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
    reference = tiny_engine.reference_for(voice(tiny_hub))
    assert len(outputs) == len(CHUNKS) and outputs[2].size == 0
    for chunk, audio in zip(CHUNKS, outputs, strict=True):
        if chunk:
            assert audio.dtype == np.float32 and np.isfinite(audio).all() and np.abs(audio).max() > 0
            expected = tiny_engine.estimated_duration_s(chunk, reference, 1.0)
            assert len(audio) / 24000 == pytest.approx(expected, abs=1e-9)
    faster = tiny_engine.synthesize_batch([CHUNKS[1]], voice(tiny_hub), 2.0, NFE, Region.NEUTRAL)[0]
    assert len(faster) < 0.6 * len(outputs[1])


def test_batched_chunks_equal_one_by_one(batching_engine: F5Engine, tiny_hub: TinyHub) -> None:
    together = batching_engine.synthesize_batch(CHUNKS[:5], voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
    for chunk, audio in zip(CHUNKS[:5], together, strict=True):
        [alone] = batching_engine.synthesize_batch([chunk], voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
        np.testing.assert_allclose(audio, alone, atol=2e-3)


def test_cpu_workers_run_chunks_at_once_with_the_same_output(
    tiny_engine: F5Engine, batching_engine: F5Engine, tiny_hub: TinyHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: set[str] = set()
    real_run = tiny_engine._run_batch

    def spy(piece, nfe_step):  # type: ignore[no-untyped-def]
        threads.add(threading.current_thread().name)
        assert len(piece) == 1  # VOCALIO_F5_CPU_MAX_BATCH=1: no padding on CPU
        return real_run(piece, nfe_step)

    monkeypatch.setattr(tiny_engine, "_run_batch", spy)
    parallel = tiny_engine.synthesize_batch(CHUNKS, voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
    assert len(threads) == 2 and all(name.startswith("f5-cpu") for name in threads)
    batched = batching_engine.synthesize_batch(CHUNKS, voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
    for got, want in zip(parallel, batched, strict=True):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=2e-3)


def test_no_reference_is_a_validation_error(tiny_hub: TinyHub) -> None:
    engine = F5Engine(tiny_settings(tiny_hub, f5_reference_audio=None))
    with pytest.raises(VocalioError) as raised:
        engine.synthesize_batch(["Hola."], VoiceRef("default:neutral"), 1.0, NFE, Region.NEUTRAL)
    assert raised.value.code == ErrorCode.VALIDATION_ERROR and "no reference audio" in raised.value.message
    no_text = VoiceRef("v", reference_audio=np.zeros(24000, np.float32), reference_sample_rate_hz=24000)
    with pytest.raises(VocalioError, match="no transcript"):
        engine.synthesize_batch(["Hola."], no_text, 1.0, NFE, Region.NEUTRAL)


def test_reference_is_resampled_loudness_matched_and_clipped(tiny_engine: F5Engine) -> None:
    long_quiet = 0.01 * np.sin(np.arange(44100 * 20) * 0.05).astype(np.float32)  # 20 s at 44.1 kHz
    prepared = tiny_engine.reference_for(VoiceRef("v", reference_audio=long_quiet, reference_sample_rate_hz=44100,
                                                  reference_transcript="Hola"))  # fmt: skip
    assert prepared.audio.size == 12 * 24000
    assert np.sqrt(np.mean(prepared.audio**2)) == pytest.approx(0.1, rel=0.02)
    assert prepared.output_gain == pytest.approx(0.01 / np.sqrt(2) / 0.1, rel=0.05) and prepared.transcript == "Hola. "


class _InjectedOom:
    def __init__(self, engine: F5Engine, fits: int) -> None:
        self.real, self.fits, self.sizes = engine._sampler.sample, fits, []

    def __call__(self, items, **kwargs):  # type: ignore[no-untyped-def]
        self.sizes.append(len(items))
        if len(items) > self.fits:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return self.real(items, **kwargs)


def test_oom_halves_the_batch_and_succeeds(
    batching_engine: F5Engine, tiny_hub: TinyHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny_engine = batching_engine
    chunks = [c for c in CHUNKS if c] + ["Otra frase más."]
    expected = tiny_engine.synthesize_batch(chunks, voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
    injected = _InjectedOom(tiny_engine, fits=2)
    monkeypatch.setattr(tiny_engine._sampler, "sample", injected)
    outputs = tiny_engine.synthesize_batch(chunks, voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
    assert injected.sizes == [8, 4, 2, 2, 2, 2] and tiny_engine.oom_batch_sizes == [8, 4]
    for got, want in zip(outputs, expected, strict=True):
        np.testing.assert_allclose(got, want, atol=2e-3)


def test_oom_at_batch_one_is_gpu_oom(
    batching_engine: F5Engine, tiny_hub: TinyHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny_engine = batching_engine
    monkeypatch.setattr(tiny_engine._sampler, "sample", _InjectedOom(tiny_engine, fits=0))
    with pytest.raises(VocalioError) as raised:
        tiny_engine.synthesize_batch(CHUNKS[:2], voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
    error = raised.value
    assert error.code == ErrorCode.GPU_OOM
    traits = ERROR_TRAITS[ErrorCode.GPU_OOM]
    assert traits.category == ErrorCategory.RESOURCE and traits.recoverable
    assert error.context["memory_required_mb"] > 0 and "memory_available_mb" in error.context
    assert error.context["text_length"] in {len(CHUNKS[0]), len(CHUNKS[1])}


def test_concurrent_jobs_share_engine_calls(batching_engine: F5Engine, tiny_hub: TinyHub) -> None:
    """Jobs' threads call synthesize_batch as the worker does; the engine's batcher makes one call of them."""
    jobs = [CHUNKS[i : i + 2] for i in (0, 4, 6)]
    batching_engine.batcher.window_s = 0.3
    calls_before = batching_engine.batcher.calls
    results: dict[int, list[np.ndarray]] = {}

    def job(index: int) -> None:
        results[index] = batching_engine.synthesize_batch(jobs[index], voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)

    threads = [threading.Thread(target=job, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert batching_engine.batcher.calls - calls_before == 1
    reference = batching_engine.reference_for(voice(tiny_hub))
    for index, texts in enumerate(jobs):
        alone = batching_engine.synthesize_requests([ChunkRequest(text, reference, 1.0, NFE) for text in texts])
        for got, want in zip(results[index], alone, strict=True):
            np.testing.assert_allclose(got, want, atol=2e-3)


def test_a_failing_call_fails_every_job_in_it(tiny_engine: F5Engine, tiny_hub: TinyHub) -> None:
    reference = tiny_engine.reference_for(voice(tiny_hub))

    def broken(requests: Sequence[ChunkRequest]) -> list[FloatAudio]:
        raise RuntimeError("device lost")

    # The batcher knows the engine only as its synthesize call: hand it one that fails.
    batcher = CrossJobBatcher(broken, window_s=0.2)
    bad = ChunkRequest("Hola.", reference, 1.0, NFE)
    outcomes: dict[int, BaseException | None] = {}

    def submit(index: int) -> None:
        try:
            batcher.submit([bad])
            outcomes[index] = None
        except BaseException as error:  # each caller records what it got
            outcomes[index] = error

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert batcher.calls == 1
    assert all(isinstance(outcomes[i], RuntimeError) for i in range(2))


def test_worker_job_end_to_end_with_the_tiny_model(
    tiny_hub: TinyHub,
    tiny_engine: F5Engine,
    client,  # type: ignore[no-untyped-def]
    worker_factory,  # type: ignore[no-untyped-def]
) -> None:
    from vocalio_text import analyze

    from tests.e2e.api.test_voices import TRANSCRIPT, speechlike, upload, wav_bytes
    from tests.e2e.worker.conftest import submit, wait_for

    audio = speechlike(seconds=3.0)
    uploaded = upload(client, wav_bytes(audio), name="Tiny", region="neutral")
    assert uploaded.status_code == 201, uploaded.text
    settings = tiny_settings(tiny_hub)
    worker_factory(
        engine="f5",
        f5_model="tiny-v0",
        f5_models_file=str(settings.f5_models_file),
        f5_vocoder=VOCOS_REPO,
        f5_device="cpu",
        f5_seed="7",
        batch_size="8",
    )
    text = "Había una vez un pueblo junto al río. La niña caminaba cada mañana hasta la colina."
    job_id = submit(
        client,
        text,
        voice=uploaded.json()["id"],
        output_format="wav",
        sample_rate=24000,
        nfe_step=NFE,
        region="neutral",
    )
    job = wait_for(client, job_id, timeout_s=90)
    assert job["status"] == "succeeded", job
    assert job["metrics"]["engine"] == "f5" and job["metrics"]["nfe_steps_used"] == NFE
    samples, rate = soundfile.read(io.BytesIO(client.get(f"/api/v1/jobs/{job_id}/audio").content))
    # The worker speaks with the uploaded voice: estimate with the same reference.
    reference = tiny_engine.reference_for(
        VoiceRef("tiny", reference_audio=audio, reference_sample_rate_hz=24000, reference_transcript=TRANSCRIPT)
    )
    spoken = analyze(text, region="neutral", max_chunk_chars=tiny_engine.capabilities().max_chunk_chars).chunks
    assert len(spoken) == job["metrics"]["chunks"]
    estimate_s = sum(tiny_engine.estimated_duration_s(chunk, reference, 1.0) for chunk in spoken)
    crossfades_s = 0.15 * (len(spoken) - 1)
    # Post-processing may trim edge silence; random weights make noise, so little is trimmed.
    assert len(samples) / rate == pytest.approx(estimate_s - crossfades_s, rel=0.1)


def test_compiled_engine_is_traced_at_load_and_speaks_like_the_eager_one(
    tiny_engine: F5Engine, tiny_hub: TinyHub
) -> None:
    compiled = F5Engine(tiny_settings(tiny_hub, f5_compile=True))
    compiled.load()
    assert compiled.compile_s is not None and compiled.compile_s > 0
    from torch._dynamo.utils import counters

    traced = counters["stats"]["unique_graphs"]
    assert traced > 0
    got = compiled.synthesize_batch(CHUNKS[:4], voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
    assert counters["stats"]["unique_graphs"] == traced  # jobs' lengths reuse the graphs traced at load
    want = tiny_engine.synthesize_batch(CHUNKS[:4], voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
    for a, b in zip(got, want, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=2e-3)
