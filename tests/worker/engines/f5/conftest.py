"""Tiny F5 checkpoints and a tiny Vocos, built with the real classes, in a Hugging Face cache layout.

Nothing is downloaded: the fake cache has `models--<org>--<name>/{blobs/<sha256>, snapshots/<rev>/<file>,
refs/main}` like the real one, HF_HUB_OFFLINE is on, and huggingface_hub resolves the files itself.
The v0- and v1-shaped tiny models have the same tensor shapes (as the real Base v0 and v1 do) and differ
only in flags, so the architecture check cannot lean on shapes.
"""

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch
from huggingface_hub import constants
from safetensors.torch import save_file
from vocalio_worker.engines.f5 import F5Engine
from vocalio_worker.engines.f5.loading import build_model, read_vocab
from vocalio_worker.engines.f5.registry import ModelEntry
from vocalio_worker.engines.f5.settings import F5Settings
from vocalio_worker.engines.f5.weights import default_vocab

from tests.e2e.worker.conftest import api, client, worker_factory  # noqa: F401  (fixtures for the e2e test)

REPO = "vocalio-test/tiny-f5"
VOCOS_REPO = "vocalio-test/tiny-vocos"
REVISION = "0123456789abcdef0123456789abcdef01234567"
TINY_SHAPES = {"dim": 64, "depth": 2, "heads": 2, "dim_head": 32, "ff_mult": 2, "text_dim": 32, "conv_layers": 2}
ARCH_V0 = {**TINY_SHAPES, "text_mask_padding": False, "pe_attn_head": 1}
ARCH_V1 = {**TINY_SHAPES, "text_mask_padding": True}
REFERENCE_TEXT = "Esta es la voz de referencia para las pruebas"
WEIGHT_STD = 0.05  # large enough to make every layer matter, small enough to keep the flow numerically tame

VOCOS_CONFIG = """\
feature_extractor:
  class_path: vocos.feature_extractors.MelSpectrogramFeatures
  init_args: {sample_rate: 24000, n_fft: 1024, hop_length: 256, n_mels: 100, padding: center}
backbone:
  class_path: vocos.models.VocosBackbone
  init_args: {input_channels: 100, dim: 32, intermediate_dim: 64, num_layers: 2}
head:
  class_path: vocos.heads.ISTFTHead
  init_args: {dim: 32, n_fft: 1024, hop_length: 256, padding: center}
"""


def tiny_entry(name: str, architecture: dict[str, object], file: str = "tiny_v0.safetensors") -> ModelEntry:
    return ModelEntry(name=name, repo=REPO, file=file, architecture=architecture, licence="test")


def random_model(architecture: dict[str, object], seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    model = build_model(tiny_entry("tmp", architecture), read_vocab(default_vocab()))
    with torch.no_grad():
        for parameter in model.parameters():  # DiT zero-inits its output layers: randomise everything
            parameter.normal_(0.0, WEIGHT_STD)
    return model.eval()


def put_in_cache(cache: Path, repo: str, filename: str, content: bytes) -> Path:
    """Store like huggingface_hub: content-addressed blob, snapshot symlink, refs/main."""
    root = cache / f"models--{repo.replace('/', '--')}"
    digest = hashlib.sha256(content).hexdigest()
    blob = root / "blobs" / digest
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(content)
    link = root / "snapshots" / REVISION / filename
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.exists() or link.is_symlink():
        link.unlink()
    link.symlink_to(os.path.relpath(blob, link.parent))
    (root / "refs").mkdir(exist_ok=True)
    (root / "refs" / "main").write_text(REVISION)
    return link


def checkpoint_bytes(model: torch.nn.Module, path: Path) -> bytes:
    # Real community checkpoints are EMA state dicts with the "ema_model." prefix and bookkeeping keys.
    state = {f"ema_model.{k}": v.contiguous() for k, v in model.state_dict().items() if "mel_spec" not in k}
    state["initted"] = torch.tensor(True)
    state["step"] = torch.tensor(1200000)
    save_file(state, str(path))
    return path.read_bytes()


@dataclass(frozen=True)
class TinyHub:
    cache: Path
    registry_file: Path
    v0_checkpoint: Path
    v1_checkpoint: Path
    reference_wav: Path
    models: dict[str, torch.nn.Module]


@pytest.fixture(scope="session")
def tiny_hub_files(tmp_path_factory: pytest.TempPathFactory) -> TinyHub:
    root = tmp_path_factory.mktemp("f5hub")
    cache = root / "hub"
    models = {"tiny-v0": random_model(ARCH_V0, seed=1), "tiny-v1": random_model(ARCH_V1, seed=2)}
    paths, digests = {}, {}
    for name, model in models.items():
        filename = f"{name.replace('-', '_')}.safetensors"
        content = checkpoint_bytes(model, root / filename)
        paths[name] = put_in_cache(cache, REPO, filename, content)
        digests[name] = hashlib.sha256(content).hexdigest()
    torch.manual_seed(3)
    from vocos import Vocos

    config = root / "vocos.yaml"
    config.write_text(VOCOS_CONFIG)
    vocoder = Vocos.from_hparams(str(config))
    torch.save(vocoder.state_dict(), root / "vocos.bin")
    put_in_cache(cache, VOCOS_REPO, "config.yaml", VOCOS_CONFIG.encode())
    put_in_cache(cache, VOCOS_REPO, "pytorch_model.bin", (root / "vocos.bin").read_bytes())

    def table(name: str, filename: str, architecture: dict[str, object], sha256: str | None) -> str:
        arch = "\n".join(f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in architecture.items())
        pin = f'sha256 = "{sha256}"\n' if sha256 else ""
        return (
            f'[models.{name}]\nrepo = "{REPO}"\nfile = "{filename}"\n{pin}licence = "test"\n'
            f"[models.{name}.architecture]\n{arch}\n\n"
        )

    registry = root / "tiny_models.toml"
    registry.write_text(
        table("tiny-v0", "tiny_v0.safetensors", ARCH_V0, digests["tiny-v0"])
        + table("tiny-v1", "tiny_v1.safetensors", ARCH_V1, digests["tiny-v1"])
        + table("tiny-wide", "tiny_v0.safetensors", {**ARCH_V0, "dim": 96}, None)
        + table("not-downloaded", "missing.safetensors", ARCH_V0, None)
    )
    t = np.arange(int(1.5 * 16000)) / 16000
    voice = 0.05 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 3 * t))
    reference = root / "reference.wav"
    soundfile.write(reference, voice.astype(np.float32), 16000)
    return TinyHub(cache, registry, paths["tiny-v0"], paths["tiny-v1"], reference, models)


@pytest.fixture
def tiny_hub(tiny_hub_files: TinyHub, monkeypatch: pytest.MonkeyPatch) -> Iterator[TinyHub]:
    """The fake cache, offline, both for this process (huggingface_hub reads its env at import) and children."""
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tiny_hub_files.cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_CACHE", str(tiny_hub_files.cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    yield tiny_hub_files


def tiny_settings(hub: TinyHub, **overrides: object) -> F5Settings:
    values: dict[str, object] = {
        "f5_model": "tiny-v0",
        "f5_models_file": hub.registry_file,
        "f5_vocoder": VOCOS_REPO,
        "f5_device": "cpu",
        "f5_seed": 7,
        "f5_reference_audio": hub.reference_wav,
        "f5_reference_text": REFERENCE_TEXT,
    }
    return F5Settings(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture
def tiny_engine(tiny_hub: TinyHub) -> F5Engine:
    engine = F5Engine(tiny_settings(tiny_hub))
    engine.load()
    return engine


@pytest.fixture
def batching_engine(tiny_hub: TinyHub) -> F5Engine:
    """The GPU path on CPU: padded batches of many chunks, one pass at a time (OOM backoff, masks)."""
    engine = F5Engine(tiny_settings(tiny_hub, f5_cpu_max_batch=32, f5_cpu_workers=1))
    engine.load()
    return engine
