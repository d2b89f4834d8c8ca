"""The Kokoro-82M engine package: a neural voice on CPU (ONNX Runtime), between F5 on a GPU and eSpeak.

`engines.registry` imports this package to ask `kokoro_unavailable_reason()` and to build a `KokoroEngine`;
neither loads the model (that is `KokoroEngine.load`, at worker start).
"""

from vocalio_worker.engines.kokoro.engine import KokoroEngine, kokoro_unavailable_reason
from vocalio_worker.engines.kokoro.settings import KokoroSettings
from vocalio_worker.engines.kokoro.voices import VOICE_PREFIX, looks_like_voice_spec, parse_voice_spec

__all__ = ["VOICE_PREFIX", "KokoroEngine", "KokoroSettings", "kokoro_unavailable_reason", "looks_like_voice_spec",
           "parse_voice_spec"]  # fmt: skip
