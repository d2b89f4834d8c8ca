"""One chunk to speak: what the engine synthesizes and the cross-job batcher gathers.

Its own module so the dependency goes one way: `engine` uses `batcher`, and both use this.
"""

from dataclasses import dataclass

from vocalio_worker.engines.f5.reference import PreparedReference


@dataclass(frozen=True)
class ChunkRequest:
    """One chunk to speak. Requests of several jobs may share an engine call (see `batcher`)."""

    text: str
    reference: PreparedReference
    speed: float = 1.0
    nfe_step: int = 16
    seed: int | None = None  # the initial noise's seed; None: VOCALIO_F5_SEED, else a fresh draw
