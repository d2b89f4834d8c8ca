"""Builds CFM + DiT from a registry entry and loads weights strictly; loads Vocos the same way.

Strict means: every key the declared architecture has must be in the checkpoint with the same shape, and
nothing else may be (after the usual EMA-prefix and mel-buffer normalisation). The v0 and v1 Base
architectures have identical shapes, so shapes alone cannot catch a v0 checkpoint declared as v1; the
registry's sha256 pins can: a checkpoint whose hash belongs to an entry with another architecture fails.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_worker.engines.f5.registry import ModelEntry
from vocalio_worker.engines.f5.weights import ModelFiles

if TYPE_CHECKING:
    from f5_tts.model import CFM
    from vocos import Vocos

# Keys training checkpoints carry that are not weights of the inference model (EMA bookkeeping, and mel
# buffers older checkpoints saved; the package drops the same ones).
_IGNORED_KEYS = frozenset({"initted", "step", "mel_spec.mel_stft.mel_scale.fb", "mel_spec.mel_stft.spectrogram.window"})
_MAX_LISTED = 5


@dataclass(frozen=True)
class LoadedModel:
    model: "CFM"
    vocab_char_map: dict[str, int]
    entry: ModelEntry
    device: torch.device
    dtype: torch.dtype


def _mismatch(message: str, **context: Any) -> VocalioError:
    return VocalioError(ErrorCode.ENGINE_UNAVAILABLE, message, context)


def read_vocab(path: Path) -> dict[str, int]:
    # Same reading as f5_tts get_tokenizer("custom"): one symbol per line, index = line number.
    with path.open(encoding="utf-8") as stream:
        return {line[:-1] if line.endswith("\n") else line: index for index, line in enumerate(stream)}


def build_model(entry: ModelEntry, vocab_char_map: Mapping[str, int]) -> "CFM":
    from f5_tts.model import CFM, DiT

    mel = entry.mel
    transformer = DiT(**entry.dit_kwargs(), text_num_embeds=len(vocab_char_map), mel_dim=mel.n_mel_channels)
    return CFM(
        transformer=transformer,
        mel_spec_kwargs={
            "n_fft": mel.n_fft,
            "hop_length": mel.hop_length,
            "win_length": mel.win_length,
            "n_mel_channels": mel.n_mel_channels,
            "target_sample_rate": entry.sample_rate_hz,
            "mel_spec_type": mel.mel_spec_type,
        },
        odeint_kwargs={"method": "euler"},
        vocab_char_map=dict(vocab_char_map),
    )


def read_checkpoint(path: Path) -> dict[str, torch.Tensor]:
    """The inference weights of a .safetensors or .pt checkpoint (EMA weights when it has both)."""
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        raw: Mapping[str, Any] = load_file(str(path), device="cpu")
    else:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
        raw = loaded.get("ema_model_state_dict") or loaded.get("model_state_dict") or loaded
    return {key.removeprefix("ema_model."): value for key, value in raw.items() if key not in _IGNORED_KEYS}


def check_state_dict(expected: Mapping[str, torch.Tensor], found: Mapping[str, torch.Tensor], what: str) -> None:
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    shapes = [
        f"{key}: checkpoint {tuple(found[key].shape)} vs declared {tuple(expected[key].shape)}"
        for key in sorted(set(expected) & set(found))
        if tuple(found[key].shape) != tuple(expected[key].shape)
    ]
    if not (missing or unexpected or shapes):
        return
    parts = []
    if missing:
        parts.append(f"{len(missing)} missing keys (e.g. {', '.join(missing[:_MAX_LISTED])})")
    if unexpected:
        parts.append(f"{len(unexpected)} unexpected keys (e.g. {', '.join(unexpected[:_MAX_LISTED])})")
    if shapes:
        parts.append(f"{len(shapes)} shape mismatches (e.g. {'; '.join(shapes[:_MAX_LISTED])})")
    raise _mismatch(
        f"{what}: " + "; ".join(parts),
        missing=len(missing),
        unexpected=len(unexpected),
        shape_mismatches=len(shapes),
    )


def check_known_checkpoint(entry: ModelEntry, sha256: str, registry: Mapping[str, ModelEntry]) -> None:
    """Fail when the file is another entry's pinned checkpoint with a different architecture."""
    for other in registry.values():
        if other.sha256 and other.sha256.lower() == sha256 and other.architecture != entry.architecture:
            raise _mismatch(
                f"checkpoint (sha256 {sha256[:12]}…) is the registered checkpoint of F5 model {other.name!r}, "
                f"whose architecture {other.architecture} differs from {entry.name!r}'s {entry.architecture}: "
                f"set VOCALIO_F5_MODEL={other.name}",
                model=entry.name,
                checkpoint_of=other.name,
            )


def load_model(
    entry: ModelEntry,
    model_files: ModelFiles,
    registry: Mapping[str, ModelEntry],
    device: torch.device,
    dtype: torch.dtype,
) -> LoadedModel:
    vocab_char_map = read_vocab(model_files.vocab)
    model = build_model(entry, vocab_char_map)
    state = read_checkpoint(model_files.checkpoint)
    expected = {k: v for k, v in model.state_dict().items() if k not in _IGNORED_KEYS}
    check_state_dict(expected, state, f"checkpoint {model_files.checkpoint} does not match F5 model {entry.name!r}")
    check_known_checkpoint(entry, model_files.checkpoint_sha256, registry)  # what shapes cannot tell
    # strict=False only because the mel buffers are rebuilt by the class, not stored; the check above is the
    # strict one (it compared every other key and shape).
    model.load_state_dict(state, strict=False)
    model = model.to(device=device, dtype=dtype).eval()
    model.requires_grad_(False)
    return LoadedModel(model=model, vocab_char_map=vocab_char_map, entry=entry, device=device, dtype=dtype)


def load_vocoder(config_path: Path, weights_path: Path, device: torch.device) -> "Vocos":
    """Vocos from its hparams file and weights, strictly; kept in float32 (its ISTFT head needs it)."""
    from vocos import Vocos

    vocoder = Vocos.from_hparams(str(config_path))
    state = torch.load(weights_path, map_location="cpu", weights_only=True)
    expected = vocoder.state_dict()
    check_state_dict(expected, state, f"vocoder {weights_path} does not match its config {config_path}")
    vocoder.load_state_dict(state, strict=True)
    vocoder = vocoder.to(device).eval()
    vocoder.requires_grad_(False)
    return vocoder
