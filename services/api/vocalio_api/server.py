"""Run the API under uvicorn with settings from the environment."""

import uvicorn
from vocalio_shared.logging import configure_logging
from vocalio_shared.settings import load_settings

from vocalio_api.config import ApiSettings
from vocalio_api.main import create_app
from vocalio_api.read_deadlines import header_deadline_protocol


def run(settings: ApiSettings | None = None) -> None:
    settings = settings or load_settings(ApiSettings)
    configure_logging("api", settings.log_level, settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        http=header_deadline_protocol(settings.header_read_timeout_s),  # slow-loris: see read_deadlines
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    run()
