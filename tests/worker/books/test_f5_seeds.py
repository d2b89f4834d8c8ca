"""A sentence's seed decides F5's noise, whatever batch it is in: a re-render matches the book."""

import numpy as np
from vocalio_shared.regions import Region
from vocalio_worker.chapters import model_identity
from vocalio_worker.engines.base import VoiceRef
from vocalio_worker.engines.espeak import EspeakEngine
from vocalio_worker.engines.f5 import F5Engine

from tests.worker.engines.f5.conftest import (  # noqa: F401  (fixtures)
    REFERENCE_TEXT,
    TinyHub,
    tiny_hub,
    tiny_hub_files,
    tiny_settings,
)

NFE = 4
TEXTS = ["Había una vez un pueblo junto al río.", "Contaba los barcos.", "El viento soplaba fuerte."]


def unseeded_batching_engine(hub: TinyHub) -> F5Engine:
    engine = F5Engine(tiny_settings(hub, f5_seed=None, f5_cpu_max_batch=32, f5_cpu_workers=1))
    engine.load()
    return engine


def voice(hub: TinyHub) -> VoiceRef:
    return VoiceRef("v", Region.NEUTRAL, reference_audio_path=hub.reference_wav, reference_transcript=REFERENCE_TEXT)


def test_a_seeded_chunk_sounds_the_same_alone_or_batched_and_another_seed_differs(tiny_hub: TinyHub) -> None:  # noqa: F811
    engine = unseeded_batching_engine(tiny_hub)
    seeds = [11, 22, 33]
    together = engine.synthesize_batch(TEXTS, voice(tiny_hub), 1.0, NFE, Region.NEUTRAL, seeds)
    for text, seed, audio in zip(TEXTS, seeds, together, strict=True):
        [alone] = engine.synthesize_batch([text], voice(tiny_hub), 1.0, NFE, Region.NEUTRAL, [seed])
        np.testing.assert_allclose(audio, alone, atol=2e-3)
    [reseeded] = engine.synthesize_batch(TEXTS[:1], voice(tiny_hub), 1.0, NFE, Region.NEUTRAL, [12])
    assert reseeded.shape == together[0].shape and np.max(np.abs(reseeded - together[0])) > 1e-2


def test_without_seeds_an_unseeded_engine_draws_fresh_noise(tiny_hub: TinyHub) -> None:  # noqa: F811
    engine = unseeded_batching_engine(tiny_hub)
    [one] = engine.synthesize_batch(TEXTS[:1], voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
    [two] = engine.synthesize_batch(TEXTS[:1], voice(tiny_hub), 1.0, NFE, Region.NEUTRAL)
    assert np.max(np.abs(one - two)) > 1e-2


def test_the_model_identity_names_what_changes_the_samples(tiny_hub: TinyHub) -> None:  # noqa: F811
    base = model_identity(F5Engine(tiny_settings(tiny_hub)))
    assert base.startswith("tiny-v0;")
    assert model_identity(F5Engine(tiny_settings(tiny_hub, f5_cfg_strength=1.5))) != base
    assert model_identity(F5Engine(tiny_settings(tiny_hub, f5_batch_vocoder=True))) != base
    assert model_identity(F5Engine(tiny_settings(tiny_hub, f5_cpu_workers=4))) == base  # speed only
    assert model_identity(EspeakEngine()) == "espeak-ng"


def test_a_voice_without_reference_is_keyed_by_the_reference_f5_falls_back_to(tiny_hub: TinyHub) -> None:  # noqa: F811
    from vocalio_worker.chapters import voice_identity
    from vocalio_worker.sentence_plan import transcript_sha256

    engine = F5Engine(tiny_settings(tiny_hub))  # its own voice: VOCALIO_F5_REFERENCE_AUDIO
    identity = voice_identity(VoiceRef("default:neutral"), Region.NEUTRAL, engine)
    assert identity.sha256.startswith("engine-reference:")
    assert identity.transcript_sha256 != transcript_sha256(None)  # the prepared reference's transcript
    by_file = voice_identity(voice(tiny_hub), Region.NEUTRAL, engine)
    assert len(by_file.sha256) == 64 and by_file.sha256 == voice_identity(voice(tiny_hub), Region.RIOPLATENSE).sha256
    stored = VoiceRef("v1", reference_transcript="Hola.", sha256="c" * 64)
    assert voice_identity(stored, Region.NEUTRAL, engine).sha256 == "c" * 64
    assert voice_identity(VoiceRef("espeak:es"), Region.MEXICAN).sha256 == "espeak:es@mexican"
