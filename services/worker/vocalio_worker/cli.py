"""`vocalio worker` and `python -m vocalio_worker`: run one worker with settings from the environment."""

import asyncio
import sys

from vocalio_shared.errors import VocalioError
from vocalio_shared.logging import configure_logging
from vocalio_shared.settings import load_settings

from vocalio_worker.config import WorkerConfig


def serve() -> None:
    """Run a TTS worker (settings from VOCALIO_* environment variables; see docs/operations/workers.md)."""
    config = load_settings(WorkerConfig)
    log = configure_logging("worker", config.log_level, config.log_format)
    from vocalio_worker.service import run  # heavy imports (numpy, arq) only once settings are valid

    try:
        code = asyncio.run(run(config))
    except VocalioError as error:  # e.g. VOCALIO_ENGINE=f5 on a host without a GPU
        log.error("worker_failed_to_start", code=error.code.value, message=error.message)
        print(f"worker error: {error.message}", file=sys.stderr)
        raise SystemExit(1) from None
    raise SystemExit(code)
