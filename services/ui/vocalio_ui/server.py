"""Run the dashboard under uvicorn with settings from the environment (`python -m vocalio_ui.server`)."""

import uvicorn
from vocalio_shared.logging import configure_logging
from vocalio_shared.settings import load_settings

from vocalio_ui.app import create_app
from vocalio_ui.config import UiSettings


def run(settings: UiSettings | None = None) -> None:
    settings = settings or load_settings(UiSettings)
    log = configure_logging("ui", settings.log_level, settings.log_format)
    log.info("starting", host=settings.ui_host, port=settings.ui_port, api_url=settings.api_url)
    uvicorn.run(
        create_app(settings),
        host=settings.ui_host,
        port=settings.ui_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    run()
