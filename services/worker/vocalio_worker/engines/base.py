"""The engine interface every TTS engine implements, and the values it takes and gives.

An engine is blocking code: the runtime calls it from a worker thread, one batch at a time, and
keeps it loaded between jobs. Engines return float32 mono (`vocalio_audio.types.FloatAudio`) at their
*native* rate; the pipeline resamples each chunk to the job's rate right after the engine call, before
crossfade (`vocalio_worker.pipeline.synthesize_batch`), so every later step works at the job's rate.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from vocalio_audio.types import FloatAudio
from vocalio_shared.regions import Region


@dataclass(frozen=True)
class VoiceRef:
    """Which voice to speak with.

    espeak needs only `region`; F5-TTS clones from `reference_audio_path` (or an array already
    decoded, with its rate) and needs the `reference_transcript` of that audio. `sha256` is the
    stored voice's reference audio (the API's), so a book can pin its voice and key its sentences.
    """

    voice_id: str
    region: Region = Region.NEUTRAL
    reference_audio_path: Path | None = None
    reference_audio: FloatAudio | None = field(default=None, repr=False, compare=False)
    reference_sample_rate_hz: int | None = None
    reference_transcript: str | None = None
    sha256: str | None = None

    @property
    def has_reference(self) -> bool:
        return self.reference_audio_path is not None or self.reference_audio is not None


@dataclass(frozen=True)
class EngineCapabilities:
    """What an engine can do; the runtime reports most of it when the worker registers."""

    models: tuple[str, ...]
    regional_variants: tuple[Region, ...]
    sample_rate_hz: int
    max_batch: int
    max_chunk_chars: int
    needs_reference_audio: bool = False
    uses_nfe_steps: bool = False
    device: str = "cpu"
    # A streamed job's first chunk may be cut at its first clause (`pipeline.stream_chunks`): worth it where an
    # engine's time grows with the audio it makes (Kokoro), so a short first piece is heard sooner.
    stream_first_clause: bool = False


@runtime_checkable
class TTSEngine(Protocol):
    """Load once, synthesize many batches, free at shutdown."""

    name: str

    def load(self) -> None:
        """Make the engine ready (load weights, init the library). Idempotent."""
        ...

    def capabilities(self) -> EngineCapabilities: ...

    def synthesize_batch(
        self,
        chunks: list[str],
        voice: VoiceRef,
        speed: float,
        nfe_step: int,
        region: Region,
        seeds: list[int] | None = None,
    ) -> list[FloatAudio]:
        """One float32 mono array per chunk, in order, at `capabilities().sample_rate_hz`.

        `speed` is a factor (1.0 = natural); `nfe_step` is ignored by engines without flow steps.
        `seeds` (one per chunk; chapter jobs): a chunk with a seed sounds the same whatever batch it
        is in, so a sentence re-rendered later matches the rest of its book; deterministic engines
        ignore it. Raises VocalioError (SYNTHESIS_FAILED, GPU_OOM, ...) on failure.
        """
        ...

    def free(self) -> None:
        """Release memory and native state. The engine may be loaded again afterwards."""
        ...
