"""The draw loop of a chapter's sentences: synthesize, check (`sentence_qa`, then the optional ASR
round trip of `asr`), draw again the ones that fail, keep the best.

A batch of sentences is drawn in rounds: round r synthesizes, in ONE engine call, every sentence
of the batch that has not passed yet, each with seed `sentence_seed(book_seed, spoken, first + r)`
(`first` is the plan's draw, 0 unless a user asked to render the sentence again), up to
`qa_max_draws` rounds. The kept draw is the best one by `SentenceChecks.badness`: fewest failed
checks, then the smallest sum of how far each failed figure lies past its bound (relative to the
bound); the earliest draw wins a tie, so a passing first draw is always the one kept. A sentence
whose draws all fail is kept anyway (its best draw) and flagged: `SentenceQA.passed` is false.
The ASR round trip runs only on draws that passed the signal checks (a draw that fails them is
drawn again regardless). An engine that answers a new seed with the same samples (eSpeak ignores
seeds) is not asked again: no later draw could differ.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from vocalio_audio.types import FloatAudio
from vocalio_shared.books import sentence_seed
from vocalio_shared.schemas.quality import SentenceQA

from vocalio_worker.asr import Transcriber, character_error_rate
from vocalio_worker.pipeline import BatchAudio
from vocalio_worker.sentence_qa import ASR_CER, Check, SentenceChecks

Synthesize = Callable[[list[str], list[int]], BatchAudio]  # (spoken texts, seeds) → audio at the job's rate
CheckOne = Callable[[FloatAudio, str], SentenceChecks]  # (audio, spoken) → its checks


@dataclass(frozen=True)
class ToDraw:
    spoken: str
    first_draw: int


@dataclass(frozen=True)
class Draw:
    draw: int
    seed: int
    audio: FloatAudio
    checks: SentenceChecks
    cer: float | None = None


@dataclass(frozen=True)
class Kept:
    audio: FloatAudio
    qa: SentenceQA


@dataclass(frozen=True)
class DrawnBatch:
    kept: list[Kept]
    engine_s: float
    resample_s: float
    engine_calls: int


def draw_batch(
    sentences: list[ToDraw],
    synthesize: Synthesize,
    check: CheckOne,
    *,
    book_seed: int,
    max_draws: int,
    rate_hz: int,
    transcriber: Transcriber | None = None,
    max_cer: float = 1.0,
) -> DrawnBatch:
    best: list[Draw | None] = [None] * len(sentences)
    last_audio: list[FloatAudio | None] = [None] * len(sentences)
    made = [0] * len(sentences)
    engine_s = resample_s = 0.0
    calls = 0
    pending = list(range(len(sentences)))
    for round_number in range(max_draws):
        if not pending:
            break
        draws = [sentences[index].first_draw + round_number for index in pending]
        seeds = [
            sentence_seed(book_seed, sentences[index].spoken, draw) for index, draw in zip(pending, draws, strict=True)
        ]
        produced = synthesize([sentences[index].spoken for index in pending], seeds)
        engine_s, resample_s, calls = engine_s + produced.engine_s, resample_s + produced.resample_s, calls + 1
        still_failing: list[int] = []
        for index, draw, seed, audio in zip(pending, draws, seeds, produced.audio, strict=True):
            made[index] += 1
            repeated = last_audio[index] is not None and np.array_equal(last_audio[index], audio)
            last_audio[index] = audio
            if not repeated:
                candidate = judge(sentences[index].spoken, draw, seed, audio, check, rate_hz, transcriber, max_cer)
                current = best[index]
                if current is None or candidate.checks.badness < current.checks.badness:
                    best[index] = current = candidate
            kept = best[index]
            assert kept is not None
            if not kept.checks.passed and not repeated:
                still_failing.append(index)
        pending = still_failing
    kept_all: list[Kept] = []
    for index, draw in enumerate(best):
        assert draw is not None
        kept_all.append(Kept(draw.audio, sentence_qa(draw, made[index])))
    return DrawnBatch(kept_all, engine_s, resample_s, calls)


def judge(
    spoken: str,
    draw: int,
    seed: int,
    audio: FloatAudio,
    check: CheckOne,
    rate_hz: int,
    transcriber: Transcriber | None,
    max_cer: float,
) -> Draw:
    checks = check(audio, spoken)
    cer = None
    if transcriber is not None and checks.passed:
        cer = character_error_rate(spoken, transcriber.transcribe(audio, rate_hz))
        checks = checks.with_check(Check(ASR_CER, cer, None, max_cer))
    return Draw(draw, seed, audio, checks, cer)


def sentence_qa(draw: Draw, draws_made: int) -> SentenceQA:
    return SentenceQA(
        passed=draw.checks.passed,
        failures=draw.checks.failures,
        draws=draws_made,
        draw=draw.draw,
        seed=draw.seed,
        scores=draw.checks.scores,
        cer=round(draw.cer, 4) if draw.cer is not None else None,
    )
