"""Run the API under uvicorn with settings from the environment: one process, or
VOCALIO_API_WORKERS processes on one port (uvicorn's workers), their metrics merged."""

import contextlib
import functools
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from vocalio_shared.logging import configure_logging
from vocalio_shared.settings import load_settings

from vocalio_api.config import ApiSettings
from vocalio_api.main import create_app
from vocalio_api.metrics import MULTIPROC_DIR_ENV
from vocalio_api.read_deadlines import HeaderDeadlineProtocol, header_deadline_protocol

PR_SET_PDEATHSIG = 1  # linux/prctl.h
# uvicorn kills and replaces a worker that does not answer its parent's ping in this long; its
# default (5 s) is shorter than a worker's spawn and imports take on a loaded host, which then
# never gets a worker up.
WORKER_HEALTHCHECK_TIMEOUT_S = 60


def run(settings: ApiSettings | None = None) -> None:
    settings = settings or load_settings(ApiSettings)
    configure_logging("api", settings.log_level, settings.log_format)
    common: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": 10,
    }
    if settings.api_workers == 1:
        # slow-loris: see read_deadlines
        uvicorn.run(create_app(settings), http=header_deadline_protocol(settings.header_read_timeout_s), **common)
        return
    with metrics_directory() as directory:
        # inherited by the worker processes, which import prometheus_client after it is set
        os.environ[MULTIPROC_DIR_ENV] = str(directory)
        uvicorn.run(
            "vocalio_api.server:worker_app",  # not __name__: under `python -m` that is __main__
            factory=True,
            workers=settings.api_workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_TIMEOUT_S,
            http=functools.partial(HeaderDeadlineProtocol, header_timeout_s=settings.header_read_timeout_s),
            **common,
        )


@contextlib.contextmanager
def metrics_directory() -> Iterator[Path]:
    """Where the worker processes write their metric values: PROMETHEUS_MULTIPROC_DIR when set
    (emptied first: a previous run's values would be merged in), else a temporary directory
    removed when the API stops."""
    given = os.environ.get(MULTIPROC_DIR_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix="vocalio-api-metrics-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def worker_app() -> FastAPI:
    """The app of one uvicorn worker process (VOCALIO_API_WORKERS > 1), built in that process."""
    _die_with_parent()
    settings = load_settings(ApiSettings)
    configure_logging("api", settings.log_level, settings.log_format)
    return create_app(settings)


def _die_with_parent() -> None:
    """A worker whose uvicorn parent is killed (kill -9) stops too, rather than keep the port's
    socket open against the parent's restart."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # it died before the prctl
        os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    run()
