"""An engine double for the re-draw tests, and a worker process that speaks with it.

`RedrawDouble` is eSpeak (real speech) whose draws depend on the seed as a sampling engine's do:
a sentence with "puerto" in it comes out looped (a piece said three times, as F5 sometimes does)
on its draw 0 and fine on any other draw; a sentence with "nunca" comes out looped on every
draw. Every other sentence is plain eSpeak speech. It knows draw 0 by the seed
`sentence_seed(BOOK_SEED, text, 0)`, the book seed the e2e chapter jobs use.

`python -m tests.worker.test_redraw_double` runs the real worker (`vocalio_worker.cli.serve`) with
this engine in place of the one VOCALIO_ENGINE names. No test lives here.
"""

from typing import ClassVar

import numpy as np
from vocalio_audio.types import FloatAudio
from vocalio_shared.books import sentence_seed
from vocalio_shared.regions import Region
from vocalio_worker.engines.base import VoiceRef
from vocalio_worker.engines.espeak import EspeakEngine

BOOK_SEED = 42  # tests/e2e/books/conftest.chapter()
BAD_FIRST_DRAW = "puerto"
ALWAYS_BAD = "nunca"
LOOP_AT_S, LOOP_S = 0.6, 0.5


def looped(audio: FloatAudio, rate_hz: int) -> FloatAudio:
    start, length = round(LOOP_AT_S * rate_hz), round(LOOP_S * rate_hz)
    piece = audio[start : start + length]
    return np.concatenate([audio[:start], piece, piece, piece, audio[start + length :]]).astype(np.float32)


class RedrawDouble(EspeakEngine):
    name: ClassVar[str] = "espeak"  # keys and the QA's expected rate as for eSpeak; the API knows this name

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[list[str], list[int]]] = []

    def synthesize_batch(
        self,
        chunks: list[str],
        voice: VoiceRef,
        speed: float,
        nfe_step: int,
        region: Region,
        seeds: list[int] | None = None,
    ) -> list[FloatAudio]:
        seeds = seeds or [sentence_seed(BOOK_SEED, chunk) for chunk in chunks]
        self.calls.append((list(chunks), list(seeds)))
        audio = super().synthesize_batch(chunks, voice, speed, nfe_step, region, seeds)
        rate = self.capabilities().sample_rate_hz
        out: list[FloatAudio] = []
        for text, seed, samples in zip(chunks, seeds, audio, strict=True):
            first_draw = seed == sentence_seed(BOOK_SEED, text, 0)
            bad = ALWAYS_BAD in text.lower() or (BAD_FIRST_DRAW in text.lower() and first_draw)
            made = looped(samples, rate) if bad else samples
            # a sampling engine gives other samples for another seed: a whisper of seeded noise
            out.append(made + np.random.default_rng(seed).normal(0, 1e-4, made.size).astype(np.float32))
        return out


if __name__ == "__main__":
    from vocalio_worker import service
    from vocalio_worker.cli import serve

    service.select_engine_with_reason = lambda setting: (RedrawDouble(), None)  # type: ignore[assignment]
    serve()
