"""The F5 model registry: named models (hub file, architecture, vocab, mel settings, licence) read from TOML.

The built-in `models.toml` sits next to this module; an operator's file (VOCALIO_F5_MODELS_FILE) adds
or overrides entries. Nothing here imports torch, so the worker can list models without the GPU stack.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vocalio_shared.errors import ErrorCode, VocalioError

BUILTIN_REGISTRY = Path(__file__).with_name("models.toml")
# DiT arguments an entry may declare; anything else is a typo that would silently fall back to a default.
ARCHITECTURE_KEYS = frozenset(
    {"dim", "depth", "heads", "dim_head", "ff_mult", "text_dim", "conv_layers", "text_mask_padding", "pe_attn_head",
     "qk_norm", "long_skip_connection"}
)  # fmt: skip
MEL_KEYS = frozenset({"n_mel_channels", "hop_length", "win_length", "n_fft", "mel_spec_type"})


@dataclass(frozen=True)
class MelSettings:
    n_mel_channels: int = 100
    hop_length: int = 256
    win_length: int = 1024
    n_fft: int = 1024
    mel_spec_type: str = "vocos"


@dataclass(frozen=True)
class ModelEntry:
    name: str
    repo: str
    file: str
    architecture: dict[str, Any]
    vocab: str = "default"
    revision: str | None = None
    sha256: str | None = None
    sample_rate_hz: int = 24000
    max_reference_s: float = 12.0
    licence: str = "unknown"
    description: str = ""
    mel: MelSettings = field(default_factory=MelSettings)

    def dit_kwargs(self) -> dict[str, Any]:
        """DiT constructor arguments (the sampler masks padding itself, see `block`)."""
        return dict(self.architecture)


def _entry(name: str, table: dict[str, Any], source: Path) -> ModelEntry:
    def bad(message: str) -> VocalioError:
        return VocalioError(ErrorCode.ENGINE_UNAVAILABLE, f"F5 model {name!r} in {source}: {message}", {"model": name})

    for required in ("repo", "file", "architecture"):
        if required not in table:
            raise bad(f"missing {required!r}")
    architecture = dict(table["architecture"])
    unknown = set(architecture) - ARCHITECTURE_KEYS
    if unknown:
        raise bad(f"unknown architecture keys {sorted(unknown)}")
    mel_table = dict(table.get("mel", {}))
    if set(mel_table) - MEL_KEYS:
        raise bad(f"unknown mel keys {sorted(set(mel_table) - MEL_KEYS)}")
    known = {"repo", "file", "architecture", "mel", "vocab", "revision", "sha256", "sample_rate_hz",
             "max_reference_s", "licence", "description"}  # fmt: skip
    if set(table) - known:
        raise bad(f"unknown keys {sorted(set(table) - known)}")
    return ModelEntry(
        name=name,
        repo=table["repo"],
        file=table["file"],
        architecture=architecture,
        vocab=table.get("vocab", "default"),
        revision=table.get("revision"),
        sha256=(table.get("sha256") or None),
        sample_rate_hz=int(table.get("sample_rate_hz", 24000)),
        max_reference_s=float(table.get("max_reference_s", 12.0)),
        licence=table.get("licence", "unknown"),
        description=table.get("description", ""),
        mel=MelSettings(**mel_table),
    )


def load_registry(extra_file: Path | None = None) -> dict[str, ModelEntry]:
    """Built-in entries, then the operator's file (same names replace built-in ones)."""
    entries: dict[str, ModelEntry] = {}
    for source in (BUILTIN_REGISTRY, extra_file):
        if source is None:
            continue
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise VocalioError(
                ErrorCode.ENGINE_UNAVAILABLE, f"cannot read the F5 model registry {source}: {error}"
            ) from error
        for name, table in data.get("models", {}).items():
            entries[name] = _entry(name, table, source)
    return entries


def model_entry(name: str, extra_file: Path | None = None) -> ModelEntry:
    registry = load_registry(extra_file)
    if name not in registry:
        raise VocalioError(
            ErrorCode.ENGINE_UNAVAILABLE,
            f"unknown F5 model {name!r}; registered: {', '.join(sorted(registry))}",
            {"model": name},
        )
    return registry[name]
