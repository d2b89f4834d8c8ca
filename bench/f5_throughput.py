"""F5 throughput: the package's `infer_batch_process` against our engine, same weights, same chapter, same NFE.

    .venv/bin/python bench/f5_throughput.py            # CUDA when visible (full-size v1 Base), else a small CPU config
    .venv/bin/python bench/f5_throughput.py --nfe 16 --max-batch 20 --compile

Weights are random (nothing is downloaded): the cost of a forward pass does not depend on their values.
Every variant runs --rounds times, interleaved and in a rotated order, so a slow spell on a shared machine hits
them alike. Prints for each the median audio seconds per wall second, the median of its per-round ratio to the
reference, the real-time factor and peak memory (process peak RSS on CPU, so it only grows down the list).
On CPU it also runs the CUDA batch plan (padded batches of up to --max-batch, one at a time), to show what the
CPU plan (batches of one on --cpu-workers threads) wins over it.
"""

import argparse
import dataclasses
import resource
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from vocalio_worker.engines.base import VoiceRef
from vocalio_worker.engines.f5 import F5Engine
from vocalio_worker.engines.f5.loading import LoadedModel, build_model, read_vocab
from vocalio_worker.engines.f5.reference import prepare_reference
from vocalio_worker.engines.f5.registry import load_registry
from vocalio_worker.engines.f5.settings import F5Settings
from vocalio_worker.engines.f5.weights import default_vocab

sys.path.insert(0, str(Path(__file__).parent))
from spanish_chapter import CHAPTER

CPU_ARCHITECTURE = {"dim": 256, "depth": 4, "heads": 4, "ff_mult": 2, "text_dim": 128, "conv_layers": 2,
                    "text_mask_padding": True}  # fmt: skip
VOCOS_ARGS = {"input_channels": 100, "dim": 512, "intermediate_dim": 1536, "num_layers": 8}  # the real vocos-mel-24khz
REFERENCE = "reference infer_batch_process"  # the variant every ratio is taken against
REFERENCE_TEXT = "Buenos días, esta es la voz que vamos a clonar para leer el capítulo."


def random_vocos(device: torch.device) -> torch.nn.Module:
    from vocos import Vocos
    from vocos.feature_extractors import MelSpectrogramFeatures
    from vocos.heads import ISTFTHead
    from vocos.models import VocosBackbone

    features = MelSpectrogramFeatures(sample_rate=24000, n_fft=1024, hop_length=256, n_mels=100, padding="center")
    head = ISTFTHead(dim=512, n_fft=1024, hop_length=256, padding="center")
    return Vocos(features, VocosBackbone(**VOCOS_ARGS), head).to(device).eval()


def peak_memory_mb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nfe", type=int, default=16)
    parser.add_argument("--max-batch", type=int, default=20)
    parser.add_argument("--cpu-workers", type=int, default=F5Settings().f5_cpu_workers)
    parser.add_argument("--compile", action="store_true", help="also measure the engine with VOCALIO_F5_COMPILE")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions of every variant")
    parser.add_argument("--profile", action="store_true", help="cProfile our engine only")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument(
        "--chunks", type=int, default=len(CHAPTER), help="speak only the chapter's first N chunks (a quick smoke run)"
    )
    args = parser.parse_args()
    chapter = CHAPTER[: args.chunks]
    warnings.filterwarnings("ignore", category=UserWarning)
    device = torch.device(
        "cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()) else "cpu"
    )
    dtype = torch.float16 if device.type == "cuda" else torch.float32
    entry = load_registry()["f5-v1-base"]
    if device.type == "cpu":
        entry = dataclasses.replace(entry, name="bench-small", architecture=CPU_ARCHITECTURE)
    torch.manual_seed(0)
    vocab = read_vocab(default_vocab())
    model = build_model(entry, vocab)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0.0, 0.02)
    model = model.to(device=device, dtype=dtype).eval()
    vocoder = random_vocos(device)
    t = np.arange(6 * 24000) / 24000
    reference_audio = (0.1 * np.sin(2 * np.pi * 160 * t) * (1 + np.sin(2 * np.pi * 2.5 * t)) / 2).astype(np.float32)

    voice = VoiceRef("bench", reference_audio=reference_audio, reference_sample_rate_hz=24000,
                     reference_transcript=REFERENCE_TEXT)  # fmt: skip
    loaded = LoadedModel(model, vocab, entry, device, dtype)

    def engine_with(**overrides: object) -> F5Engine:
        values = {"f5_model": "f5-v1-base", "f5_device": device.type, "f5_seed": 1, "f5_max_batch": args.max_batch,
                  "f5_cpu_workers": args.cpu_workers} | overrides  # fmt: skip
        engine = F5Engine(F5Settings(**values))  # type: ignore[arg-type]
        engine.entry = entry
        engine.use_model(loaded, vocoder)
        return engine

    from f5_tts.infer.utils_infer import infer_batch_process

    reference = prepare_reference(voice, 24000, 12.0)

    def run_reference() -> float:
        audio = torch.from_numpy(reference_audio)[None]
        wave, _, _ = next(infer_batch_process(
            (audio, 24000), reference.transcript, chapter, model, vocoder, nfe_step=args.nfe, progress=None,
            device=str(device), cross_fade_duration=0.0,
        ))  # fmt: skip
        return len(wave) / 24000

    def ours(engine: F5Engine) -> Callable[[], float]:
        def run() -> float:
            outputs = engine.synthesize_batch(chapter, voice, 1.0, args.nfe, voice.region)
            return sum(len(o) for o in outputs) / 24000

        return run

    runs: dict[str, Callable[[], float]] = {REFERENCE: run_reference}
    runs["vocalio F5Engine"] = ours(engine_with())
    if device.type == "cpu":  # the GPU plan (padded batches, one pass at a time) on CPU: why CPU runs batches of 1
        runs["vocalio, CUDA batch plan"] = ours(engine_with(f5_cpu_max_batch=args.max_batch, f5_cpu_workers=1))
    if args.compile:
        compiled = engine_with(f5_compile=True)
        print(f"torch.compile at start: {compiled.compile_s:.1f} s (not counted below)")
        runs["vocalio F5Engine compiled"] = ours(compiled)
    if args.profile:
        import cProfile

        cProfile.runctx("runs['vocalio F5Engine']()", globals(), locals(), sort="cumtime")
        return
    timings: dict[str, list[float]] = {name: [] for name in runs}
    audio: dict[str, float] = {}
    memory: dict[str, float] = {}
    for round_index in range(args.rounds):
        names = list(runs)
        for name in names[round_index % len(names) :] + names[: round_index % len(names)]:
            if device.type == "cuda":
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
            started = time.perf_counter()
            audio[name] = runs[name]()
            if device.type == "cuda":
                torch.cuda.synchronize()
            timings[name].append(time.perf_counter() - started)
            memory[name] = max(memory.get(name, 0.0), peak_memory_mb(device))
    print(f"device {device} ({dtype}), model {entry.name} {entry.architecture}, NFE {args.nfe}, {len(chapter)} chunks")
    print(f"{args.rounds} interleaved rounds; rates are medians, the ratio is the median of each round's ratio")
    reference_rates = [audio[REFERENCE] / wall for wall in timings[REFERENCE]]
    for name, walls in timings.items():
        rates = [audio[name] / wall for wall in walls]
        ratios = [rate / reference_rate for rate, reference_rate in zip(rates, reference_rates, strict=True)]
        rate = statistics.median(rates)
        each = ", ".join(f"{r:.2f}" for r in rates)
        print(
            f"{name:32s} audio {audio[name]:7.2f} s  {rate:6.2f} audio-s/s (rounds {each})  RTF {1 / rate:.3f}"
            f"  peak memory {memory[name]:.0f} MB  ratio {statistics.median(ratios):.2f}x"
        )


if __name__ == "__main__":
    main()
