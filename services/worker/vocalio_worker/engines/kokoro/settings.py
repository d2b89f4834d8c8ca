"""Kokoro engine settings (VOCALIO_KOKORO_*). The runtime's WorkerConfig can compose this class by inheritance."""

from pathlib import Path
from typing import Literal

from pydantic import Field
from vocalio_shared.settings import CommonSettings

# Kokoro's context is 512 tokens: 510 phonemes between the two pad tokens.
MODEL_MAX_TOKENS = 510


class KokoroSettings(CommonSettings):
    kokoro_model: Literal["int8", "fp32"] = Field(
        default="int8",
        description="Which Kokoro-82M ONNX graph to download and run: int8 (88 MB, faster on CPU) or fp32 (310 MB).",
    )
    kokoro_assets_file: Path | None = Field(
        default=None,
        description="Extra TOML over engines/kokoro/assets.toml (file names, URLs, sha256 pins, region voices).",
    )
    kokoro_model_path: Path | None = Field(
        default=None, description="Local Kokoro ONNX file; replaces the download (not checked against the pins)."
    )
    kokoro_voices_path: Path | None = Field(
        default=None, description="Local Kokoro voices file (.npz of 510x1x256 style vectors per voice)."
    )
    kokoro_weights_dir: Path | None = Field(
        default=None, description="Where downloaded Kokoro files are kept; unset = VOCALIO_DATA_DIR/models/kokoro."
    )
    kokoro_base_url: str | None = Field(
        default=None,
        description="Download the Kokoro files from here (a mirror: base URL + file name) instead of the release.",
    )
    kokoro_offline: bool = Field(
        default=False,
        description="Never download Kokoro files (HF_HUB_OFFLINE=1 means the same): without them eSpeak speaks.",
    )
    kokoro_download_timeout_s: float = Field(
        default=60.0, gt=0, description="Connect/read timeout of one Kokoro download request."
    )
    kokoro_voice: str | None = Field(
        default=None,
        description="Kokoro voice (or mix, ef_dora*0.7+em_alex*0.3) for jobs that name none; unset = the region's.",
    )
    kokoro_parallel: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Inferences run at once over a batch's pieces, each with VOCALIO_KOKORO_THREADS threads "
        "(2x1 and 1x2 measured within noise of each other on 2 shared cores: bench/cpu_engines.py).",
    )
    kokoro_threads: int = Field(
        default=0,
        ge=0,
        le=256,
        description="ONNX Runtime threads per inference; 0 = the CPU cores divided by VOCALIO_KOKORO_PARALLEL.",
    )
    kokoro_spin_threads: bool = Field(
        default=False,
        description="Let ONNX Runtime's threads busy-wait between operators: a little faster on an idle host, "
        "CPU burnt that other work needs on a shared one.",
    )
    kokoro_join_tokens: int = Field(
        default=0,
        ge=0,
        le=MODEL_MAX_TOKENS,
        description="Run consecutive pieces of a batch (a chapter's sentences) as one inference up to this many "
        "phonemes, the audio cut back at their boundaries by the predicted durations; 0 (default) = one "
        "inference per piece. Measured 6-8% less time per sentence at 1.6x the peak memory (engines.md).",
    )
    kokoro_max_chunk_tokens: int = Field(
        default=MODEL_MAX_TOKENS,
        ge=16,
        le=MODEL_MAX_TOKENS,
        description="Longest phoneme run per inference; longer chunks are split at punctuation, then spaces.",
    )
