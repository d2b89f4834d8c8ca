"""Registry, strict loading and weight sources, through the same code the worker runs."""

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_worker.engines import select_engine
from vocalio_worker.engines.espeak import EspeakEngine
from vocalio_worker.engines.f5 import F5Engine, f5_unavailable_reason
from vocalio_worker.engines.f5.registry import load_registry

from tests.worker.engines.f5.conftest import ARCH_V0, VOCOS_REPO, TinyHub, tiny_settings


def test_builtin_registry_declares_the_spanish_checkpoint_as_v0() -> None:
    registry = load_registry()
    spanish = registry["f5-spanish"]
    assert (spanish.repo, spanish.file) == ("jpgallegoar/F5-Spanish", "model_1200000.safetensors")
    assert spanish.architecture == {
        "dim": 1024, "depth": 22, "heads": 16, "ff_mult": 2, "text_dim": 512, "conv_layers": 4,
        "text_mask_padding": False, "pe_attn_head": 1,
    }  # fmt: skip
    assert spanish.vocab == "default" and spanish.sample_rate_hz == 24000 and spanish.licence == "CC-BY-NC-4.0"
    assert registry["f5-v1-base"].architecture["text_mask_padding"] is True
    assert all(entry.licence != "unknown" for entry in registry.values())


def test_v0_entry_loads_a_v0_checkpoint_from_the_offline_cache(tiny_hub: TinyHub) -> None:
    engine = F5Engine(tiny_settings(tiny_hub))
    engine.load()
    model = engine._model.model
    assert model.transformer.text_embed.mask_padding is False
    assert model.transformer.transformer_blocks[0].attn.processor.pe_attn_head == 1
    saved = tiny_hub.models["tiny-v0"].state_dict()
    for key, value in model.state_dict().items():
        assert torch.equal(value, saved[key]), key
    capabilities = engine.capabilities()
    assert capabilities.models == ("tiny-v0",) and capabilities.needs_reference_audio and capabilities.uses_nfe_steps


def test_v1_entry_on_a_v0_checkpoint_fails_loudly(tiny_hub: TinyHub) -> None:
    engine = F5Engine(tiny_settings(tiny_hub, f5_model="tiny-v1", f5_checkpoint=tiny_hub.v0_checkpoint))
    with pytest.raises(VocalioError) as raised:
        engine.load()
    assert raised.value.code == ErrorCode.ENGINE_UNAVAILABLE
    assert "'tiny-v0'" in raised.value.message and "VOCALIO_F5_MODEL=tiny-v0" in raised.value.message


def test_shape_mismatch_names_the_keys(tiny_hub: TinyHub) -> None:
    with pytest.raises(VocalioError) as raised:
        F5Engine(tiny_settings(tiny_hub, f5_model="tiny-wide")).load()
    message = raised.value.message
    assert raised.value.code == ErrorCode.ENGINE_UNAVAILABLE and "does not match F5 model 'tiny-wide'" in message
    assert "shape mismatches" in message and "checkpoint (64" in message


def test_corrupt_cached_blob_fails_the_checksum(tiny_hub: TinyHub, tmp_path: Path) -> None:
    blob = tiny_hub.v0_checkpoint.resolve()
    backup = tmp_path / "blob"
    shutil.copy(blob, backup)
    try:
        with blob.open("r+b") as stream:
            stream.seek(-4, 2)
            stream.write(b"\0\0\0\0")
        with pytest.raises(VocalioError, match="checksum mismatch"):
            F5Engine(tiny_settings(tiny_hub)).load()
    finally:
        shutil.copy(backup, blob)


def test_missing_model_in_offline_mode_is_a_clear_start_error(tiny_hub: TinyHub) -> None:
    settings = tiny_settings(tiny_hub, f5_model="not-downloaded")
    reason = f5_unavailable_reason(settings)
    assert reason is not None and "HF_HUB_OFFLINE" in reason and "missing.safetensors" in reason
    with pytest.raises(VocalioError) as raised:
        F5Engine(settings).load()
    assert raised.value.code == ErrorCode.ENGINE_UNAVAILABLE and raised.value.context["offline"] is True
    assert "HF_HUB_OFFLINE is set" in raised.value.message
    assert f5_unavailable_reason(tiny_settings(tiny_hub)) is None
    assert "vocoder" in (f5_unavailable_reason(tiny_settings(tiny_hub, f5_vocoder="nobody/vocos")) or "")


def _engine_env(monkeypatch: pytest.MonkeyPatch, hub: TinyHub, model: str) -> None:
    settings = tiny_settings(hub, f5_model=model)
    for name in ("f5_model", "f5_models_file", "f5_vocoder", "f5_device"):
        monkeypatch.setenv(f"VOCALIO_{name.upper()}", str(getattr(settings, name)))
    # and no Kokoro files offline, so `auto` that passes F5 over lands on eSpeak
    monkeypatch.setenv("VOCALIO_KOKORO_OFFLINE", "1")
    monkeypatch.setenv("VOCALIO_KOKORO_WEIGHTS_DIR", "/nonexistent/kokoro")


def test_auto_falls_back_to_espeak_with_a_warning(
    tiny_hub: TinyHub, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _engine_env(monkeypatch, tiny_hub, "not-downloaded")
    with caplog.at_level(logging.WARNING):
        assert isinstance(select_engine("auto"), EspeakEngine)
    assert any(
        "using espeak" in record.getMessage() and "HF_HUB_OFFLINE" in record.getMessage() for record in caplog.records
    )
    with pytest.raises(VocalioError) as raised:
        select_engine("f5")
    assert raised.value.code == ErrorCode.ENGINE_UNAVAILABLE
    _engine_env(monkeypatch, tiny_hub, "tiny-v0")
    assert isinstance(select_engine("auto"), F5Engine)


def test_unknown_model_and_bad_registry(tiny_hub: TinyHub, tmp_path: Path) -> None:
    with pytest.raises(VocalioError, match="unknown F5 model 'nope'"):
        F5Engine(tiny_settings(tiny_hub, f5_model="nope"))
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[models.x]\nrepo = "{VOCOS_REPO}"\nfile = "f"\n[models.x.architecture]\ndimm = 3\n')
    with pytest.raises(VocalioError, match="unknown architecture keys"):
        load_registry(bad)
    assert ARCH_V0["pe_attn_head"] == 1


def test_the_worker_imports_the_f5_package_and_asks_about_it_without_torch() -> None:
    """The CPU image has no torch: importing the package, the registry's checks and `auto` must not need it."""
    code = """
import sys
sys.modules["torch"] = None  # as on the CPU image: `import torch` fails, find_spec("torch") is None
from vocalio_worker.engines import registry, select_engine
from vocalio_worker.engines.f5 import ChunkRequest, F5Engine, f5_unavailable_reason, runs_without_gpu
print(runs_without_gpu())
print(registry.f5_unavailable_reason())
print(select_engine("auto").name)
"""
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.environ.get("PYTHONPATH", ""), "VOCALIO_F5_DEVICE": "cpu"}
    env |= {"VOCALIO_KOKORO_OFFLINE": "1", "VOCALIO_DATA_DIR": "/nonexistent"}  # and no Kokoro files: eSpeak
    completed = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "True",
        "the F5 packages are not installed (torch): install vocalio[gpu]",
        "espeak",
    ]
