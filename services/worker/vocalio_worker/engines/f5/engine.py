"""The F5-TTS engine: CFM + DiT from the model registry, Vocos, our batched sampler.

Data path of one engine call: chunks (one job's, or several jobs' through `batcher`) → per voice and NFE,
sorted by estimated duration and cut into batches that fit in free VRAM → one forward pass per flow step
per batch → batched vocoder → audio at the model rate, scaled back to the reference's loudness.

`registry.select_engine` imports this module: `f5_unavailable_reason()` must stay cheap (no torch import,
no model load) and `runs_without_gpu()` lets VOCALIO_F5_DEVICE=cpu run F5 on a host without NVIDIA GPU.
"""

import dataclasses
import importlib.util
import logging
import random
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

import numpy as np
from vocalio_audio.types import FloatAudio
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import REGIONAL_VARIANTS, Region

from vocalio_worker.engines.base import EngineCapabilities, VoiceRef
from vocalio_worker.engines.f5.batcher import CrossJobBatcher
from vocalio_worker.engines.f5.reference import PreparedReference, ReferenceCache
from vocalio_worker.engines.f5.registry import ModelEntry, model_entry
from vocalio_worker.engines.f5.request import ChunkRequest
from vocalio_worker.engines.f5.settings import F5Settings

log = logging.getLogger(__name__)

REQUIRED_PACKAGES = ("torch", "f5_tts", "vocos", "safetensors", "huggingface_hub")
# Texts shorter than this (UTF-8 bytes) get the package's slow-down, or they come out clipped.
SHORT_TEXT_BYTES = 10
SHORT_TEXT_SPEED = 0.3
# F5 was trained on clips up to ~30 s, reference included: with a 12 s reference this keeps a chunk well inside.
MAX_CHUNK_CHARS = 200


def runs_without_gpu() -> bool:
    return F5Settings().f5_device == "cpu"


def f5_unavailable_reason(settings: F5Settings | None = None) -> str | None:
    """Why F5 cannot start here (packages, registry, weights in offline mode), or None. No torch import."""
    missing = [name for name in REQUIRED_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        return f"the F5 packages are not installed ({', '.join(missing)}): install vocalio[gpu]"
    settings = settings or F5Settings()
    try:
        entry = model_entry(settings.f5_model, settings.f5_models_file)
    except VocalioError as error:
        return error.message
    from vocalio_worker.engines.f5.weights import VOCOS_FILES, offline_mode

    if settings.f5_checkpoint is not None:
        if not settings.f5_checkpoint.is_file():
            return f"VOCALIO_F5_CHECKPOINT={settings.f5_checkpoint} does not exist"
    elif offline_mode() and not _cached(entry.repo, entry.file, entry.revision):
        return f"F5 model {entry.name!r} ({entry.repo}/{entry.file}) is not in the HF cache and HF_HUB_OFFLINE is set"
    vocoder_dir = settings.f5_vocoder
    if not importlib.util.find_spec("vocos") or (
        not _is_dir(vocoder_dir) and offline_mode() and not all(_cached(vocoder_dir, name) for name in VOCOS_FILES)
    ):
        return f"vocoder {vocoder_dir} is not in the HF cache and HF_HUB_OFFLINE is set"
    return None


def _is_dir(path: str) -> bool:
    from pathlib import Path

    return Path(path).expanduser().is_dir()


def _cached(repo: str, filename: str, revision: str | None = None) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(repo, filename, revision=revision), str)


def _seed_for(request: ChunkRequest, default_seed: int | None) -> int:
    """The chunk's own seed (chapter jobs), else VOCALIO_F5_SEED, else a fresh draw."""
    if request.seed is not None:
        return request.seed
    return default_seed if default_seed is not None else random.randrange(2**31)


class F5Engine:
    name: ClassVar[str] = "f5"

    def __init__(self, settings: F5Settings | None = None) -> None:
        self.settings = settings or F5Settings()
        self.entry: ModelEntry = model_entry(self.settings.f5_model, self.settings.f5_models_file)
        self._model: Any = None  # LoadedModel once loaded
        self._vocoder: Any = None
        self._sampler: Any = None
        self._mel: Any = None
        self._references = ReferenceCache(self.entry.sample_rate_hz, self.entry.max_reference_s)
        self._reference_mels: dict[str, Any] = {}
        self._gpu_lock = threading.Lock()  # one engine call at a time; batching (or CPU workers) is the parallelism
        self._cpu_pool: ThreadPoolExecutor | None = None
        self.compile_s: float | None = None  # how long the start-up torch.compile took, when enabled
        self.oom_batch_sizes: list[int] = []  # batch sizes that hit OOM (metrics, tests)
        # Every call goes through it: concurrent jobs on one voice share forward passes (VOCALIO_MAX_CONCURRENT_JOBS).
        self.batcher = CrossJobBatcher(self.synthesize_requests, self.settings.f5_batch_window_ms / 1000)

    # --- lifecycle -------------------------------------------------------------------------------------

    def _device(self) -> Any:
        import torch

        choice = self.settings.f5_device
        if choice == "cuda" and not torch.cuda.is_available():
            raise VocalioError(ErrorCode.ENGINE_UNAVAILABLE, "VOCALIO_F5_DEVICE=cuda but torch sees no CUDA device")
        if choice == "cpu" or not torch.cuda.is_available():
            return torch.device("cpu")
        return torch.device("cuda")

    def load(self) -> None:
        if self._model is not None:
            return
        import torch

        from vocalio_worker.engines.f5.loading import load_model, load_vocoder
        from vocalio_worker.engines.f5.registry import load_registry
        from vocalio_worker.engines.f5.weights import model_files, vocoder_files

        device = self._device()
        half = device.type == "cuda" and self.settings.f5_half_precision
        dtype = torch.float16 if half else torch.float32
        registry = load_registry(self.settings.f5_models_file)
        files = model_files(self.entry, self.settings.f5_checkpoint)
        loaded = load_model(self.entry, files, registry, device, dtype)
        vocoder = load_vocoder(*vocoder_files(self.settings.f5_vocoder), device)
        self.use_model(loaded, vocoder)
        log.info(
            "f5_loaded model=%s device=%s dtype=%s checkpoint=%s licence=%s",
            self.entry.name,
            device,
            dtype,
            files.checkpoint,
            self.entry.licence,
        )

    def use_model(self, loaded: Any, vocoder: Any) -> None:
        """Serve with this model (a LoadedModel) and Vocos: sampler, CPU workers, and the compile when enabled.
        `load` calls it with what it resolved; bench/f5_throughput.py with random full-size weights."""
        from f5_tts.model.modules import MelSpec

        from vocalio_worker.engines.f5.sampler import BatchSampler

        vocoder_mels = vocoder.backbone.embed.in_channels
        if vocoder_mels != self.entry.mel.n_mel_channels:
            raise VocalioError(
                ErrorCode.ENGINE_UNAVAILABLE,
                f"vocoder takes {vocoder_mels} mel bins, F5 model {self.entry.name!r} makes "
                f"{self.entry.mel.n_mel_channels}",
            )
        mel = self.entry.mel
        # Reference mels in float32 whatever the model dtype (torchaudio's STFT wants it), cast afterwards.
        self._mel = MelSpec(
            n_fft=mel.n_fft,
            hop_length=mel.hop_length,
            win_length=mel.win_length,
            n_mel_channels=mel.n_mel_channels,
            target_sample_rate=self.entry.sample_rate_hz,
            mel_spec_type=mel.mel_spec_type,
        ).to(loaded.device)
        self._sampler = BatchSampler(loaded.model, loaded.vocab_char_map)
        self._vocoder, self._model = vocoder, loaded
        if self._cpu_pool is None and loaded.device.type == "cpu" and self.settings.f5_cpu_workers > 1:
            self._cpu_pool = ThreadPoolExecutor(self.settings.f5_cpu_workers, thread_name_prefix="f5-cpu")
        if self.settings.f5_compile:
            self.compile_s = self._compile()

    def _compile(self) -> float:
        """torch.compile the flow step and trace it now, on dummy input, for the batch shapes this device runs:
        the first job must not pay the compile (tens of seconds on a small CPU), nor two threads race for it."""
        import time

        import torch

        from vocalio_worker.engines.f5.sampler import SampleItem

        started = time.perf_counter()
        self._sampler._velocity = torch.compile(self._sampler._velocity, dynamic=True)
        channels, seed = self.entry.mel.n_mel_channels, 0
        reference = torch.zeros(48, channels, device=self._model.device, dtype=self._model.dtype)
        tokens = list("hola, esto es una prueba")
        self._sampler.sample([SampleItem(reference, tokens, 96, seed)], steps=2)  # batch of one: its own graph
        if self._max_batch() > 1:  # and batches with padding (dynamic batch and length, masked)
            self._sampler.sample([SampleItem(reference, tokens, n, seed) for n in (96, 120, 150)], steps=2)
        elapsed = time.perf_counter() - started
        log.info("f5_compiled seconds=%.1f", elapsed)
        return elapsed

    def _max_batch(self) -> int:
        on_cpu = self._model is not None and self._model.device.type == "cpu"
        return self.settings.f5_cpu_max_batch if on_cpu else self.settings.f5_max_batch

    def free(self) -> None:
        if self._cpu_pool is not None:
            self._cpu_pool.shutdown(wait=False)
            self._cpu_pool = None
        self._model = self._vocoder = self._sampler = self._mel = None
        self._reference_mels.clear()
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:
            pass

    def capabilities(self) -> EngineCapabilities:
        device = "cpu" if self._model is None else str(self._model.device)
        return EngineCapabilities(
            models=(self.entry.name,),
            regional_variants=REGIONAL_VARIANTS,
            sample_rate_hz=self.entry.sample_rate_hz,
            max_batch=self._max_batch() * (self.settings.f5_cpu_workers if device == "cpu" else 1),
            max_chunk_chars=MAX_CHUNK_CHARS,
            needs_reference_audio=True,
            uses_nfe_steps=True,
            device=device,
        )

    # --- voices and durations --------------------------------------------------------------------------

    def reference_for(self, voice: VoiceRef) -> PreparedReference:
        """The voice's reference, or the configured default voice when the job brings none."""
        if not voice.has_reference and self.settings.f5_reference_audio is not None:
            voice = dataclasses.replace(
                voice,
                reference_audio_path=self.settings.f5_reference_audio,
                reference_transcript=voice.reference_transcript or self.settings.f5_reference_text,
            )
        return self._references.get(voice)

    def duration_frames(self, text: str, reference: PreparedReference, speed: float) -> tuple[int, int]:
        """(reference frames, total frames) as the package estimates them: the reference's frames per UTF-8
        byte of its transcript, times the new text's bytes, divided by speed."""
        hop = self.entry.mel.hop_length
        reference_frames = reference.audio.size // hop
        text_bytes = len(text.encode("utf-8"))
        speed = speed if text_bytes >= SHORT_TEXT_BYTES else SHORT_TEXT_SPEED
        generated = int(reference_frames / reference.transcript_bytes * text_bytes / speed)
        return reference_frames, reference_frames + generated

    def _tokens(self, text: str, reference: PreparedReference) -> list[str]:
        from f5_tts.model.utils import convert_char_to_pinyin

        # The package's text front end (it also maps CJK to pinyin): the symbols the checkpoints were trained on.
        tokens: list[str] = convert_char_to_pinyin([reference.transcript + text])[0]
        return tokens

    def estimated_duration_s(self, text: str, reference: PreparedReference, speed: float) -> float:
        """Length of the audio a chunk will get, before the worker's crossfade and post-processing."""
        from vocalio_worker.engines.f5.sampler import generated_frames

        reference_frames, total = self.duration_frames(text, reference, speed)
        reference_mel_frames = reference.audio.size // self.entry.mel.hop_length + 1  # centred STFT
        frames = generated_frames(total, len(self._tokens(text, reference)), reference_mel_frames, reference_frames)
        return max(0, frames - 1) * self.entry.mel.hop_length / self.entry.sample_rate_hz

    # --- synthesis -------------------------------------------------------------------------------------

    def synthesize_batch(
        self,
        chunks: list[str],
        voice: VoiceRef,
        speed: float,
        nfe_step: int,
        region: Region,
        seeds: list[int] | None = None,
    ) -> list[FloatAudio]:
        self.load()
        reference = self.reference_for(voice)
        chunk_seeds: list[int | None] = list(seeds) if seeds is not None else [None] * len(chunks)
        if len(chunk_seeds) != len(chunks):
            raise ValueError(f"{len(chunks)} chunks but {len(chunk_seeds)} seeds")
        return self.batcher.submit(
            [
                ChunkRequest(chunk, reference, speed, nfe_step, seed)
                for chunk, seed in zip(chunks, chunk_seeds, strict=True)
            ]
        )

    def synthesize_requests(self, requests: Sequence[ChunkRequest]) -> list[FloatAudio]:
        """Audio per request, in order; requests sharing a voice and NFE are batched together."""
        self.load()
        outputs: list[FloatAudio] = [np.zeros(0, dtype=np.float32) for _ in requests]
        groups: dict[tuple[str, int], list[int]] = {}
        for index, request in enumerate(requests):
            if request.text.strip():
                groups.setdefault((request.reference.key, request.nfe_step), []).append(index)
        with self._gpu_lock:
            for (_, nfe_step), indices in groups.items():
                for index, audio in zip(
                    indices, self._synthesize_group([requests[i] for i in indices], nfe_step), strict=True
                ):
                    outputs[index] = audio
        return outputs

    def _reference_mel(self, reference: PreparedReference) -> Any:
        import torch

        if reference.key not in self._reference_mels:
            audio = torch.from_numpy(reference.audio).to(self._model.device)[None]
            with torch.inference_mode():
                mel = self._mel(audio)[0].permute(1, 0)  # (frames, n_mels)
            self._reference_mels[reference.key] = mel.to(self._model.dtype)
        return self._reference_mels[reference.key]

    def _synthesize_group(self, requests: list[ChunkRequest], nfe_step: int) -> list[FloatAudio]:
        from vocalio_worker.engines.f5.batching import admitted_batch_frames, plan_batches, run_with_oom_backoff
        from vocalio_worker.engines.f5.sampler import SampleItem

        default_seed = self.settings.f5_seed
        items: list[tuple[SampleItem, int, ChunkRequest]] = []
        for request in requests:
            reference = request.reference
            reference_frames, total_frames = self.duration_frames(request.text, reference, request.speed)
            tokens = self._tokens(request.text, reference)
            item = SampleItem(
                reference_mel=self._reference_mel(reference),
                tokens=tokens,
                duration_frames=total_frames,
                seed=_seed_for(request, default_seed),
            )
            items.append((item, reference_frames, request))
        durations = [item.duration_frames for item, _, _ in items]
        budget = admitted_batch_frames(self.entry, self._model.dtype, max(durations))

        def run(batch: list[int]) -> list[tuple[int, FloatAudio]]:
            return run_with_oom_backoff(
                [(index, items[index]) for index in batch],
                lambda piece: self._run_batch(piece, nfe_step),
                batch_size=len(batch),
                describe=lambda entry: self._oom_context(entry[1][0], entry[1][2]),
                on_oom=self._record_oom,
            )

        batches = plan_batches(durations, self._max_batch(), budget)
        audio: dict[int, FloatAudio] = {}
        if self._cpu_pool is not None and len(batches) > 1:
            # Longest first, so the last pass to finish is a short one (the pool's threads end together).
            for results in self._cpu_pool.map(run, reversed(batches)):
                audio.update(results)
        else:
            for batch in batches:
                audio.update(run(batch))
        return [audio[index] for index in range(len(items))]

    def _run_batch(
        self, piece: Sequence[tuple[int, tuple[Any, int, ChunkRequest]]], nfe_step: int
    ) -> list[tuple[int, FloatAudio]]:
        from vocalio_worker.engines.f5.sampler import vocode_batch

        settings = self.settings
        mels = self._sampler.sample(
            [item for _, (item, _, _) in piece],
            steps=nfe_step,
            cfg_strength=settings.f5_cfg_strength,
            sway_coef=settings.f5_sway_coef,
            use_epss=settings.f5_use_epss,
        )
        generated = [
            mel[reference_frames:].float() for mel, (_, (_, reference_frames, _)) in zip(mels, piece, strict=True)
        ]
        hop = self.entry.mel.hop_length
        if settings.f5_batch_vocoder:
            waves = vocode_batch(self._vocoder, generated, hop)
        else:  # exact: Vocos has no padding mask, so a batched chunk's last ~0.25 s depends on its neighbours
            waves = [vocode_batch(self._vocoder, [mel], hop)[0] for mel in generated]
        return [
            (index, (wave.cpu().numpy() * request.reference.output_gain).astype(np.float32))
            for wave, (index, (_, _, request)) in zip(waves, piece, strict=True)
        ]

    def model_identity(self) -> str:
        """What decides the samples besides text, voice, speed, NFE and seed (the sentence cache's `model`):
        the weights, the dtype and the sampler's settings. A change here makes a new key for every sentence."""
        settings = self.settings
        dtype = "fp16" if self._device().type == "cuda" and settings.f5_half_precision else "fp32"
        entry = self.entry
        hub_file = f"{entry.repo}/{entry.file}@{entry.sha256 or entry.revision or 'main'}"
        checkpoint = str(settings.f5_checkpoint) if settings.f5_checkpoint is not None else hub_file
        parts = [
            self.entry.name,
            f"ckpt={checkpoint}",
            f"vocoder={settings.f5_vocoder}",
            dtype,
            f"cfg={settings.f5_cfg_strength:g}",
            f"sway={settings.f5_sway_coef:g}",
            f"epss={int(settings.f5_use_epss)}",
            f"batch_vocoder={int(settings.f5_batch_vocoder)}",
        ]
        return ";".join(parts)

    def _record_oom(self, batch_size: int) -> None:
        self.oom_batch_sizes.append(batch_size)
        log.warning("f5_oom batch_size=%d: freeing cache and halving", batch_size)

    def _oom_context(self, item: Any, request: ChunkRequest) -> Any:
        from vocalio_worker.engines.f5.batching import OomContext, bytes_per_frame, free_vram_bytes

        frames = item.duration_frames
        required = bytes_per_frame(self.entry, self._model.dtype, frames) * frames
        free = free_vram_bytes()
        return OomContext(
            memory_required_mb=required / 2**20,
            memory_available_mb=free / 2**20 if free is not None else None,
            text_length=len(request.text),
        )
