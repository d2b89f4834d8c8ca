"""Typer commands, mounted by the main CLI as `vocalio llm-bridge`."""

from typing import Annotated

import typer
from vocalio_shared.settings import load_settings

from vocalio_llm_bridge.config import LlmBridgeSettings

app = typer.Typer(help="The llm_bridge service: text expansion for speech (rules, optionally Ollama).")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Override VOCALIO_LLM_BRIDGE_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Override VOCALIO_LLM_BRIDGE_PORT.")] = None,
) -> None:
    """Run the HTTP service (settings from the environment / .env)."""
    from vocalio_llm_bridge.server import run  # imported late: `--help` should not load FastAPI

    settings = load_settings(LlmBridgeSettings)
    given = {"llm_bridge_host": host, "llm_bridge_port": port}
    overrides = {key: value for key, value in given.items() if value}
    run(settings.model_copy(update=overrides))


@app.command()
def expand(
    text: Annotated[str, typer.Argument(help="Text to expand.")],
    region: Annotated[str, typer.Option(help="Region variant.")] = "neutral",
    url: Annotated[str, typer.Option(envvar="VOCALIO_LLM_BRIDGE_URL", help="Bridge base URL.")] = (
        "http://127.0.0.1:8002"
    ),
) -> None:
    """Ask a running bridge to expand TEXT and print the answer (falls back to local rules)."""
    import asyncio
    import json

    from vocalio_llm_bridge.client import ExpandClient

    settings = load_settings(LlmBridgeSettings)
    token = settings.llm_bridge_token.get_secret_value()
    client = ExpandClient(url, token, timeout_s=settings.ollama_timeout_s + 5)

    async def _go() -> None:
        async with client:
            outcome = await client.expand(text, region)
        typer.echo(json.dumps(outcome.as_dict(), ensure_ascii=False, indent=2))

    asyncio.run(_go())


def main() -> None:
    app()
