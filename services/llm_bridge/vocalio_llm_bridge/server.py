"""Entry point: `python -m vocalio_llm_bridge.server` or `vocalio llm-bridge serve`."""

import uvicorn
from vocalio_shared.logging import configure_logging
from vocalio_shared.settings import load_settings

from vocalio_llm_bridge.app import create_app
from vocalio_llm_bridge.config import LlmBridgeSettings


def run(settings: LlmBridgeSettings) -> None:
    configure_logging("llm_bridge", settings.log_level, settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=settings.llm_bridge_host,
        port=settings.llm_bridge_port,
        log_config=None,  # keep our structured handlers; uvicorn's dictConfig would replace them
        access_log=False,
        proxy_headers=False,
    )


def main() -> None:
    run(load_settings(LlmBridgeSettings))


if __name__ == "__main__":
    main()
