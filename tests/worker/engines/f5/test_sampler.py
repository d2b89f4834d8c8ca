"""Our batched sampler against the package's own CFM.sample, and batched against unbatched."""

import pytest
import torch
from f5_tts.model.utils import convert_char_to_pinyin
from vocalio_worker.engines.f5.batching import plan_batches
from vocalio_worker.engines.f5.sampler import BatchSampler, SampleItem, effective_duration
from vocalio_worker.metrics import GpuSample

from tests.worker.engines.f5.conftest import TinyHub

STEPS = 6
TEXTS = [
    "Hola. Esto es una prueba.",
    "Hola. Una frase bastante más larga que la otra, con comas y acentos: camión, pingüino.",
    "Hola. Corta.",
    "Hola. ¿Qué tal estás hoy, che?",
]


def items_for(model: torch.nn.Module) -> list[SampleItem]:
    torch.manual_seed(0)
    reference = torch.randn(1, 24000) * 0.1
    mel = model.mel_spec(reference).permute(0, 2, 1)[0]
    return [
        SampleItem(mel, convert_char_to_pinyin([text])[0], mel.shape[0] + 3 * len(text), seed=index + 11)
        for index, text in enumerate(TEXTS)
    ]


@pytest.mark.parametrize("name", ["tiny-v0", "tiny-v1"])
def test_batch_of_one_equals_the_package_sampler(tiny_hub_files: TinyHub, name: str) -> None:
    model = tiny_hub_files.models[name]
    sampler = BatchSampler(model, model.vocab_char_map)
    for item in items_for(model)[:2]:
        [ours] = sampler.sample([item], steps=STEPS, cfg_strength=2.0, sway_coef=-1.0)
        theirs, _ = model.sample(
            cond=item.reference_mel[None],
            text=[item.tokens],
            duration=item.duration_frames,
            steps=STEPS,
            cfg_strength=2.0,
            sway_sampling_coef=-1.0,
            seed=item.seed,
        )
        assert ours.shape == theirs[0].shape
        torch.testing.assert_close(ours, theirs[0], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", ["tiny-v0", "tiny-v1"])
def test_each_chunk_of_a_batch_equals_its_unbatched_output(tiny_hub_files: TinyHub, name: str) -> None:
    model = tiny_hub_files.models[name]
    sampler = BatchSampler(model, model.vocab_char_map)
    items = items_for(model)
    batched = sampler.sample(items, steps=STEPS)
    assert len({effective_duration(item) for item in items}) == len(items)  # really padded
    for item, out in zip(items, batched, strict=True):
        [alone] = sampler.sample([item], steps=STEPS)
        assert out.shape == alone.shape == (effective_duration(item), 100)
        torch.testing.assert_close(out, alone, atol=1e-4, rtol=1e-4)
        assert out.abs().max() > 0.5  # the model does something: equality is not trivial


def test_plan_batches_groups_neighbours_within_limits() -> None:
    durations = [500, 100, 300, 110, 490, 290]
    assert plan_batches(durations, max_batch=2) == [[1, 3], [5, 2], [4, 0]]
    assert plan_batches(durations, max_batch=8, max_batch_frames=700) == [[1, 3], [5, 2], [4], [0]]
    assert plan_batches([], max_batch=4) == []


def test_admission_counts_the_allocators_cached_memory_as_free(monkeypatch: pytest.MonkeyPatch) -> None:
    """NVML sees torch's cached blocks as used: after one big batch, admission must not plan against that."""
    import vocalio_worker.metrics as worker_metrics
    from vocalio_worker.engines.f5.batching import admitted_batch_frames
    from vocalio_worker.engines.f5.registry import load_registry

    entry = load_registry()["f5-spanish"]
    monkeypatch.setattr(worker_metrics, "sample_gpu", lambda index=0: GpuSample(0.0, 70_000.0, 80_000.0, 40.0))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "memory_allocated", lambda device=None: 2 * 2**30)
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda device=None: 2 * 2**30)
    nothing_cached = admitted_batch_frames(entry, torch.float16, 1000)
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda device=None: 52 * 2**30)
    fifty_gib_cached = admitted_batch_frames(entry, torch.float16, 1000)
    assert nothing_cached is not None and fifty_gib_cached is not None
    # 10 GB free by NVML, then 10 GB + 50 GiB: the budget grows in proportion.
    nvml_free = (80_000.0 - 70_000.0) * 2**20
    assert fifty_gib_cached / nothing_cached == pytest.approx((nvml_free + 50 * 2**30) / nvml_free, rel=1e-3)
