"""Sentence QA on a test book: how many sentences are drawn once, re-drawn and flagged, per engine.

Usage (from the repository root, with the dev environment):

    python bench/sentence_qa.py                          # eSpeak, 5 chapters of ~3000 characters
    python bench/sentence_qa.py --engine f5-tiny --chapters 1 --chars 1500

The book is `book_throughput.make_book` (generated Spanish prose, seeded: every run reads the same
text). Each chapter is planned as a chapter job plans it (`sentence_plan.plan_chapter`) and its
sentences go through the worker's draw loop (`sentence_draws.draw_batch` with the real checks and
the default settings, VOCALIO_QA_* variables apply) in the engine's batches, at 44.1 kHz, without
the API: the figures are the QA's, the stack adds nothing to them.

Engines: `espeak`; `f5`, the F5 engine as the worker configures it (VOCALIO_F5_* variables: real
weights and a GPU host, its default reference voice), to calibrate the thresholds on real output;
`f5-tiny`, the tiny F5 model of the tests (tests/worker/engines/f5/conftest.py:
random weights, a tiny Vocos, CPU): it produces noise, not speech, so its figures say that the QA
catches audio that is not a sentence, never how often a real F5 checkpoint needs a re-draw.

Prints one line per chapter and the book's totals: sentences, drawn once, re-drawn (passed after
more than one draw), flagged (no draw passed), engine calls, the failures by check name, seconds.
"""

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))

from book_throughput import make_book
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import JobParams
from vocalio_worker.chapters import model_identity, voice_identity
from vocalio_worker.engines.base import TTSEngine, VoiceRef
from vocalio_worker.engines.espeak import EspeakEngine
from vocalio_worker.pipeline import BatchAudio, batches, synthesize_batch
from vocalio_worker.qa_settings import SentenceQASettings
from vocalio_worker.sentence_draws import ToDraw, draw_batch
from vocalio_worker.sentence_plan import RenderIdentity, plan_chapter
from vocalio_worker.sentence_qa import check_sentence

RATE = 44100
BOOK_SEED = 42


def tiny_f5(directory: Path) -> tuple[TTSEngine, VoiceRef]:
    """The tests' tiny F5 (random weights) in a fake, offline Hugging Face cache under `directory`."""
    import hashlib
    import os

    import numpy as np
    import soundfile
    import torch
    from huggingface_hub import constants

    from tests.worker.engines.f5.conftest import (
        ARCH_V0,
        REFERENCE_TEXT,
        VOCOS_CONFIG,
        VOCOS_REPO,
        checkpoint_bytes,
        put_in_cache,
        random_model,
        tiny_entry,
    )

    cache = directory / "hub"
    content = checkpoint_bytes(random_model(ARCH_V0, seed=1), directory / "tiny_v0.safetensors")
    put_in_cache(cache, tiny_entry("tiny-v0", ARCH_V0).repo, "tiny_v0.safetensors", content)
    from vocos import Vocos

    torch.manual_seed(3)
    (directory / "vocos.yaml").write_text(VOCOS_CONFIG)
    torch.save(Vocos.from_hparams(str(directory / "vocos.yaml")).state_dict(), directory / "vocos.bin")
    put_in_cache(cache, VOCOS_REPO, "config.yaml", VOCOS_CONFIG.encode())
    put_in_cache(cache, VOCOS_REPO, "pytorch_model.bin", (directory / "vocos.bin").read_bytes())
    arch = "\n".join(f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in ARCH_V0.items())
    registry = directory / "tiny_models.toml"
    registry.write_text(
        f'[models.tiny-v0]\nrepo = "{tiny_entry("tiny-v0", ARCH_V0).repo}"\nfile = "tiny_v0.safetensors"\n'
        f'sha256 = "{hashlib.sha256(content).hexdigest()}"\nlicence = "test"\n[models.tiny-v0.architecture]\n{arch}\n'
    )
    t = np.arange(int(1.5 * 16000)) / 16000
    reference = directory / "reference.wav"
    soundfile.write(
        reference, (0.05 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 3 * t))).astype(np.float32), 16000
    )
    constants.HF_HUB_CACHE, constants.HF_HUB_OFFLINE = str(cache), True
    os.environ |= {"HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
    from vocalio_worker.engines.f5 import F5Engine
    from vocalio_worker.engines.f5.settings import F5Settings

    settings = F5Settings(
        f5_model="tiny-v0",
        f5_models_file=registry,
        f5_vocoder=VOCOS_REPO,
        f5_device="cpu",
        f5_reference_audio=reference,
        f5_reference_text=REFERENCE_TEXT,
    )  # type: ignore[call-arg]
    engine = F5Engine(settings)
    engine.load()
    return engine, VoiceRef("tiny", Region.NEUTRAL, reference_audio_path=reference, reference_transcript=REFERENCE_TEXT)


def run(engine: TTSEngine, voice: VoiceRef, chapters: int, chars: int, nfe_step: int) -> None:
    settings = SentenceQASettings()
    params = JobParams(sample_rate=RATE, output_format="flac", nfe_step=nfe_step)
    capabilities = engine.capabilities()
    render = RenderIdentity(
        engine.name, model_identity(engine), RATE, 1.0, nfe_step if capabilities.uses_nfe_steps else None
    )
    identity = voice_identity(voice, Region.NEUTRAL, engine)

    def synthesize(spoken: list[str], seeds: list[int]) -> BatchAudio:
        return synthesize_batch(engine, spoken, voice, params, Region.NEUTRAL, 0.0, seeds)

    def check(audio, spoken):  # type: ignore[no-untyped-def]
        return check_sentence(audio, RATE, spoken, engine=engine.name, speed=1.0, settings=settings)

    totals: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    started = time.perf_counter()
    for number, chapter in enumerate(make_book(chapters, chars), start=1):
        plan = plan_chapter(
            chapter["text"],
            chapter["title"],
            book_seed=BOOK_SEED,
            region=Region.NEUTRAL,
            lexicon=None,
            max_chunk_chars=capabilities.max_chunk_chars,
            voice=identity,
            render=render,
        )
        unit_of = {unit.key: unit for unit in reversed(plan.units)}
        counts: Counter[str] = Counter()
        for batch in batches(plan.unique_keys, capabilities.max_batch):
            units = [unit_of[key] for key in batch]
            drawn = draw_batch(
                [ToDraw(unit.spoken, unit.draw) for unit in units],
                synthesize,
                check,
                book_seed=BOOK_SEED,
                max_draws=settings.qa_max_draws,
                rate_hz=RATE,
            )
            counts["engine calls"] += drawn.engine_calls
            for kept in drawn.kept:
                counts["sentences"] += 1
                if not kept.qa.passed:
                    counts["flagged"] += 1
                    failures.update(kept.qa.failures)
                elif kept.qa.draws > 1:
                    counts["re-drawn"] += 1
                else:
                    counts["drawn once"] += 1
        totals.update(counts)
        print(f"chapter {number}: " + ", ".join(f"{name} {counts[name]}" for name in FIELDS), flush=True)
    print(f"book ({engine.name}): " + ", ".join(f"{name} {totals[name]}" for name in FIELDS))
    print(f"flagged sentences' failures: {dict(failures.most_common())}")
    print(f"{time.perf_counter() - started:.1f} s")


FIELDS = ("sentences", "drawn once", "re-drawn", "flagged", "engine calls")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("espeak", "f5", "f5-tiny"), default="espeak")
    parser.add_argument("--chapters", type=int, default=5)
    parser.add_argument("--chars", type=int, default=15000, help="characters of the whole book")
    parser.add_argument("--nfe-step", type=int, default=4, help="F5's flow steps (the tests use 4)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        if args.engine == "espeak":
            engine: TTSEngine = EspeakEngine()
            engine.load()
            voice = VoiceRef("espeak:es-419")
        elif args.engine == "f5":
            from vocalio_worker.engines.f5 import F5Engine

            engine = F5Engine()
            engine.load()
            voice = VoiceRef("default:neutral")  # the engine's own reference (VOCALIO_F5_REFERENCE_AUDIO)
        else:
            engine, voice = tiny_f5(Path(directory))
        run(engine, voice, args.chapters, args.chars, args.nfe_step)


if __name__ == "__main__":
    main()
