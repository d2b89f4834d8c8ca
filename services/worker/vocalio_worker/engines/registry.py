"""Picks the engine from the VOCALIO_ENGINE setting: `auto`, `f5` or `espeak`.

F5 is imported lazily from `vocalio_worker.engines.f5`, which defines `f5_unavailable_reason() -> str | None`
(None when a GPU, or VOCALIO_F5_DEVICE=cpu, and the weights are there) and `F5Engine`. When F5 cannot run
(no GPU, torch or F5 not installed as in the cpu image, weights missing), `auto` falls back to espeak with
a warning and `f5` fails with ENGINE_UNAVAILABLE.
"""

import importlib
import logging
from types import ModuleType
from typing import Literal

from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_worker.engines.base import TTSEngine
from vocalio_worker.engines.espeak import EspeakEngine

EngineSetting = Literal["auto", "f5", "espeak"]
F5_MODULE = "vocalio_worker.engines.f5"

log = logging.getLogger(__name__)


def gpu_available() -> bool:
    """True when NVML sees at least one NVIDIA GPU (no torch import needed)."""
    try:
        import pynvml

        pynvml.nvmlInit()
        try:
            return bool(pynvml.nvmlDeviceGetCount() > 0)
        finally:
            pynvml.nvmlShutdown()
    except Exception:  # no driver, no library, no device: all mean "no GPU"
        return False


def _f5_module() -> ModuleType | None:
    try:
        return importlib.import_module(F5_MODULE)
    except ModuleNotFoundError as error:
        if error.name != F5_MODULE:  # the module exists but its dependencies do not
            log.warning("F5 engine present but not importable: %s", error)
        return None


def f5_unavailable_reason() -> str | None:
    """Why F5 cannot run here, or None when it can."""
    module = _f5_module()
    if module is None:
        return "the F5 engine is not installed in this worker"
    # VOCALIO_F5_DEVICE=cpu asks for F5 on CPU (development, tests): the module says so.
    if not gpu_available() and not getattr(module, "runs_without_gpu", lambda: False)():
        return "no NVIDIA GPU is visible"
    reason: str | None = module.f5_unavailable_reason()
    return reason


def select_engine(setting: EngineSetting) -> TTSEngine:
    """An engine (not yet loaded) for the setting; raises ENGINE_UNAVAILABLE for an `f5` that cannot run."""
    if setting == "espeak":
        return EspeakEngine()
    reason = f5_unavailable_reason()
    if reason is None:
        module = _f5_module()
        assert module is not None
        engine: TTSEngine = module.F5Engine()
        return engine
    if setting == "f5":
        raise VocalioError(
            ErrorCode.ENGINE_UNAVAILABLE, f"VOCALIO_ENGINE=f5 but F5 cannot run: {reason}", {"engine": "f5"}
        )
    log.warning("VOCALIO_ENGINE=auto: using espeak because F5 cannot run: %s", reason)
    return EspeakEngine()
