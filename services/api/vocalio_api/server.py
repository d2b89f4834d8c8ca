"""Run the API under uvicorn with settings from the environment."""

import uvicorn
from vocalio_shared.logging import configure_logging
from vocalio_shared.settings import load_settings

from vocalio_api.config import ApiSettings
from vocalio_api.main import create_app


def run(settings: ApiSettings | None = None) -> None:
    settings = settings or load_settings(ApiSettings)
    configure_logging("api", settings.log_level, settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    run()
