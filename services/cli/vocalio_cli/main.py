"""`vocalio` subcommands. Service imports happen inside commands, so `vocalio text` stays light
and a host with only one service's extra installed still gets a working CLI."""

import importlib

import typer

app = typer.Typer(help="Vocalio: Spanish text to audiobook-grade speech.", no_args_is_help=True)


def _mount(name: str, module: str, attribute: str, help_text: str) -> None:
    """Mount a service's sub-app if its package and extra are installed."""
    try:
        sub = getattr(importlib.import_module(module), attribute)
    except ImportError:
        return
    app.add_typer(sub, name=name, help=help_text)


def _command(name: str, module: str, attribute: str) -> None:
    try:
        function = getattr(importlib.import_module(module), attribute)
    except ImportError:
        return
    app.command(name)(function)


_command("api", "vocalio_api.cli", "serve")
_mount("db", "vocalio_api.cli", "db_app", "Database migrations.")
_mount("keys", "vocalio_api.cli", "keys_app", "API keys.")
_mount("voice", "vocalio_cli.voice", "app", "Reference voices: add one from a recording; the sentences to record.")
_mount("text", "vocalio_text.cli", "app", "Spanish text pipeline: normalize and analyze.")
_mount("llm-bridge", "vocalio_llm_bridge.cli", "app", "The llm_bridge service.")
_command("worker", "vocalio_worker.cli", "serve")
_command("up", "vocalio_cli.embedded", "up")
_command("status", "vocalio_cli.status", "status")
_command("synth", "vocalio_cli.synth", "synth")
_mount("book", "vocalio_cli.books", "app", "Books: a whole book in, a finished audiobook out.")
_command("env-example", "vocalio_cli.env_example", "env_example")
_command("backup", "vocalio_cli.backup", "backup")
_command("restore", "vocalio_cli.backup", "restore")
_mount("secrets", "vocalio_cli.secret_files", "app", "The stack's secrets as files (compose's secrets-init).")

if __name__ == "__main__":
    app()
