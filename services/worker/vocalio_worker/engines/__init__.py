"""TTS engines behind one small interface; `select_engine` picks one from the VOCALIO_ENGINE setting."""

from vocalio_worker.engines.base import EngineCapabilities, TTSEngine, VoiceRef
from vocalio_worker.engines.registry import EngineSetting, gpu_available, select_engine

__all__ = ["EngineCapabilities", "EngineSetting", "TTSEngine", "VoiceRef", "gpu_available", "select_engine"]
