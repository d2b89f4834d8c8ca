"""`vocalio` subcommands. Service imports happen inside commands so `vocalio text` stays light."""

import typer

app = typer.Typer(help="Vocalio: Spanish text to audiobook-grade speech.", no_args_is_help=True)


def _mount_optional(name: str, module: str, help_text: str) -> None:
    """Mount a service's sub-app if its package is installed (extras are per service)."""
    try:
        sub = __import__(module, fromlist=["app"]).app
    except ImportError:
        return
    app.add_typer(sub, name=name, help=help_text)


_mount_optional("text", "vocalio_text.cli", "Spanish text pipeline: normalize and analyze.")

if __name__ == "__main__":
    app()
