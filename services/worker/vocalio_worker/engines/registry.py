"""Picks the engine from the VOCALIO_ENGINE setting: `auto`, `f5`, `kokoro` or `espeak`.

`auto` takes, in order: F5 on a GPU, Kokoro on a CPU, eSpeak when neither can run; `select_engine_with_reason`
says why it did not take the ones before (the worker logs it, shows it on /ready and sends it with its
registration). An explicit `f5` or `kokoro` that cannot run fails with ENGINE_UNAVAILABLE instead.

F5 is imported lazily from `vocalio_worker.engines.f5`, which defines `f5_unavailable_reason() -> str | None`
(None when a GPU, or VOCALIO_F5_DEVICE=cpu, and the weights are there) and `F5Engine`; the CPU image has no
torch, so the module may be missing. Kokoro (`engines.kokoro`) needs only onnxruntime; whether its files can
be had is asked without loading them (a download happens at load, on first start).
"""

import importlib
import logging
from types import ModuleType
from typing import Literal

from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_worker.engines.base import TTSEngine
from vocalio_worker.engines.espeak import EspeakEngine

EngineSetting = Literal["auto", "f5", "kokoro", "espeak"]
F5_MODULE = "vocalio_worker.engines.f5"
KOKORO_MODULE = "vocalio_worker.engines.kokoro"

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


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:  # the module exists but its dependencies do not
            log.warning("engine module %s present but not importable: %s", name, error)
        return None


def f5_unavailable_reason() -> str | None:
    """Why F5 cannot run here, or None when it can."""
    module = _module(F5_MODULE)
    if module is None:
        return "the F5 engine is not installed in this worker"
    # VOCALIO_F5_DEVICE=cpu asks for F5 on CPU (development, tests): the module says so.
    if not gpu_available() and not getattr(module, "runs_without_gpu", lambda: False)():
        return "no NVIDIA GPU is visible"
    reason: str | None = module.f5_unavailable_reason()
    return reason


def kokoro_unavailable_reason() -> str | None:
    """Why Kokoro cannot run here (package, local files, files offline), or None when it can try."""
    module = _module(KOKORO_MODULE)
    if module is None:
        return "the Kokoro engine is not installed in this worker (onnxruntime missing)"
    reason: str | None = module.kokoro_unavailable_reason()
    return reason


_DISPLAY_NAMES = {"f5": "F5", "kokoro": "Kokoro"}


def _unavailable(engine: str, reason: str) -> VocalioError:
    message = f"VOCALIO_ENGINE={engine} but {_DISPLAY_NAMES[engine]} cannot run: {reason}"
    return VocalioError(ErrorCode.ENGINE_UNAVAILABLE, message, {"engine": engine})


def _f5() -> TTSEngine:
    module = _module(F5_MODULE)
    assert module is not None
    engine: TTSEngine = module.F5Engine()
    return engine


def _kokoro() -> TTSEngine:
    module = _module(KOKORO_MODULE)
    assert module is not None
    engine: TTSEngine = module.KokoroEngine()
    return engine


def select_engine_with_reason(setting: EngineSetting) -> tuple[TTSEngine, str | None]:
    """An engine (not yet loaded) and, for `auto`, why the engines before it in the order were passed over
    (None when it took the first). Raises ENGINE_UNAVAILABLE for an `f5` or `kokoro` that cannot run."""
    if setting == "espeak":
        return EspeakEngine(), None
    if setting == "kokoro":
        reason = kokoro_unavailable_reason()
        if reason is not None:
            raise _unavailable("kokoro", reason)
        return _kokoro(), None
    f5_reason = f5_unavailable_reason()
    if f5_reason is None:
        return _f5(), None
    if setting == "f5":
        raise _unavailable("f5", f5_reason)
    kokoro_reason = kokoro_unavailable_reason()
    if kokoro_reason is None:
        why = f"VOCALIO_ENGINE=auto chose Kokoro on the CPU: F5 cannot run: {f5_reason}"
        log.warning("VOCALIO_ENGINE=auto: using kokoro. %s", why)
        return _kokoro(), why
    why = f"VOCALIO_ENGINE=auto fell back to eSpeak: F5 cannot run: {f5_reason}; Kokoro cannot run: {kokoro_reason}"
    log.warning("VOCALIO_ENGINE=auto: using espeak. %s", why)
    return EspeakEngine(), why


def select_engine(setting: EngineSetting) -> TTSEngine:
    """An engine (not yet loaded) for the setting; raises ENGINE_UNAVAILABLE for an engine that cannot run."""
    return select_engine_with_reason(setting)[0]


def fallback_engine(failed: TTSEngine, reason: str | None, error: VocalioError) -> tuple[TTSEngine, str]:
    """What `auto` speaks with when the engine it chose fails to load (Kokoro's files could not be downloaded,
    or do not match their pins): eSpeak, and the reason to show."""
    before = reason.split(": ", 1)[1] if reason and ": " in reason else None  # why F5 was passed over
    name = _DISPLAY_NAMES.get(failed.name, failed.name)
    why = f"VOCALIO_ENGINE=auto fell back to eSpeak: {before + '; ' if before else ''}{name} failed to load: "
    log.warning("VOCALIO_ENGINE=auto: using espeak. %s%s", why, error.message)
    return EspeakEngine(), why + error.message
