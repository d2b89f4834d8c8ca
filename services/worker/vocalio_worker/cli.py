"""`vocalio worker` and `python -m vocalio_worker`: run one worker with settings from the environment."""

import asyncio
import sys

from vocalio_shared.errors import VocalioError
from vocalio_shared.logging import configure_logging
from vocalio_shared.settings import load_settings

from vocalio_worker.config import WorkerConfig


def single_threaded_numpy_blas() -> None:
    """numpy's matrix products in a worker are small (a sentence's QA: a few hundred frames by 24 bands;
    the true-peak interpolator), and OpenBLAS's thread pool made them 10-100x slower than one thread
    while the engine's own threads (onnxruntime, torch) hold the cores: 45 ms against 4 ms of QA per
    sentence on a busy 2-core machine. Only OpenBLAS is held: torch's MKL and OpenMP pools are its own."""
    from threadpoolctl import ThreadpoolController

    ThreadpoolController().select(internal_api="openblas").limit(limits=1)


def serve() -> None:
    """Run a TTS worker (settings from VOCALIO_* environment variables; see docs/operations/workers.md)."""
    config = load_settings(WorkerConfig)
    log = configure_logging("worker", config.log_level, config.log_format)
    from vocalio_worker.service import run  # heavy imports (numpy, arq) only once settings are valid

    single_threaded_numpy_blas()

    try:
        code = asyncio.run(run(config))
    except VocalioError as error:  # e.g. VOCALIO_ENGINE=f5 on a host without a GPU
        log.error("worker_failed_to_start", code=error.code.value, message=error.message)
        print(f"worker error: {error.message}", file=sys.stderr)
        raise SystemExit(1) from None
    from vocalio_worker.pid_one import wait_until_alone

    if left := wait_until_alone():  # PID 1's exit would SIGKILL them, the preStop hook among them
        log.warning("exiting_with_processes_left", pids=left)
    raise SystemExit(code)
