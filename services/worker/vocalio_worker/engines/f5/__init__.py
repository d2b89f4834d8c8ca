"""The F5-TTS engine package: what the rest of the worker uses.

`engines.registry` imports this package to ask `f5_unavailable_reason()` and `runs_without_gpu()` and to build
an `F5Engine`; none of that imports torch (the CPU image has none): the modules that need it (`loading`,
`sampler`, `block`, `batching`) are imported inside the engine's methods, when a model loads or runs.
"""

from vocalio_worker.engines.f5.engine import F5Engine, f5_unavailable_reason, runs_without_gpu
from vocalio_worker.engines.f5.request import ChunkRequest
from vocalio_worker.engines.f5.settings import F5Settings

__all__ = ["ChunkRequest", "F5Engine", "F5Settings", "f5_unavailable_reason", "runs_without_gpu"]
