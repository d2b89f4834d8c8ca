"""F5-TTS engine settings (VOCALIO_F5_*). The runtime's WorkerConfig can compose this class by inheritance.

Hub access itself is configured the huggingface_hub way (HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE, HF_TOKEN):
those are read by the library, not duplicated here.
"""

from pathlib import Path
from typing import Literal

from pydantic import Field
from vocalio_shared.settings import CommonSettings

DEFAULT_MODEL = "f5-spanish"
DEFAULT_VOCODER = "charactr/vocos-mel-24khz"


class F5Settings(CommonSettings):
    f5_model: str = Field(default=DEFAULT_MODEL, description="Name of the entry in the F5 model registry.")
    f5_models_file: Path | None = Field(
        default=None, description="Extra registry file (TOML, same layout as engines/f5/models.toml); its entries win."
    )
    f5_checkpoint: Path | None = Field(
        default=None, description="Local checkpoint file; replaces the entry's hub file (architecture still applies)."
    )
    f5_vocoder: str = Field(
        default=DEFAULT_VOCODER,
        description="Vocos: a hub repo id or a local folder with config.yaml + pytorch_model.bin.",
    )
    f5_device: Literal["auto", "cuda", "cpu"] = Field(
        default="auto",
        description="auto = CUDA when visible. `cpu` lets F5 run without a GPU (tests, development; slow).",
    )
    f5_half_precision: bool = Field(default=True, description="float16 weights and sampling on CUDA (never on CPU).")
    f5_cfg_strength: float = Field(default=2.0, ge=0.0, le=10.0, description="Classifier-free guidance strength.")
    f5_sway_coef: float = Field(default=-1.0, ge=-2.0, le=2.0, description="Sway sampling coefficient.")
    f5_use_epss: bool = Field(default=True, description="Empirically pruned step schedule (for NFE 5-16).")
    f5_max_batch: int = Field(default=32, ge=1, le=256, description="Upper bound of chunks per forward pass (CUDA).")
    f5_cpu_max_batch: int = Field(
        default=1,
        ge=1,
        le=256,
        description="Chunks per forward pass on CPU: there padding and cache misses make batches slower than one "
        "chunk at a time (bench/f5_throughput.py).",
    )
    f5_cpu_workers: int = Field(
        default=2, ge=1, le=64, description="Forward passes run at once on CPU (threads; each one batch)."
    )
    f5_seed: int | None = Field(default=None, description="Fixed noise seed (reproducible output); unset = random.")
    f5_reference_audio: Path | None = Field(
        default=None, description="The engine's own voice (with its transcript) when a call names no library voice."
    )
    f5_reference_text: str | None = Field(default=None, description="Transcript of VOCALIO_F5_REFERENCE_AUDIO.")
    f5_compile: bool = Field(
        default=False,
        description="torch.compile the flow step, traced at start (tens of seconds on a small CPU); "
        "no measured gain on CPU (bench/f5_throughput.py --compile).",
    )
    f5_batch_vocoder: bool = Field(
        default=False,
        description="Vocode a batch in one pass: faster, but a chunk's last frames then depend on its neighbours.",
    )
    f5_batch_window_ms: float = Field(
        default=5.0, ge=0.0, le=200.0, description="How long the cross-job batcher waits to fill a batch."
    )
