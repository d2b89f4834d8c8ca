"""`vocalio secrets`: the stack's secrets generated once into a directory, one file per secret.

Compose's one-shot `secrets-init` service runs `vocalio secrets init` into a named volume before
anything else starts, so a fresh clone needs no `.env`. Every service then reads the files: ours
through VOCALIO_SECRETS_DIR (pydantic-settings, see vocalio_shared.settings), Postgres through
POSTGRES_PASSWORD_FILE, Grafana through its `__FILE` variables, Redis through the `redis.conf` written
here. A secret set in the environment (compose passes `.env`'s value) replaces its file, so `.env`
still overrides any of them and every consumer sees the same value.
"""

import os
import re
import secrets
import string
from pathlib import Path
from typing import Annotated

import typer
from vocalio_shared.settings import SECRETS_DIR_VARIABLE

# file name -> the variable that overrides it. Our services' files are named like their settings'
# variables (lower case), which is what pydantic-settings looks up in VOCALIO_SECRETS_DIR.
SECRETS: dict[str, str] = {
    "vocalio_worker_token": "VOCALIO_WORKER_TOKEN",
    "vocalio_webhook_secret": "VOCALIO_WEBHOOK_SECRET",
    "vocalio_llm_bridge_token": "VOCALIO_LLM_BRIDGE_TOKEN",
    "vocalio_ui_session_secret": "VOCALIO_UI_SESSION_SECRET",
    "postgres_password": "VOCALIO_POSTGRES_PASSWORD",
    "redis_password": "VOCALIO_REDIS_PASSWORD",
    "grafana_admin_password": "VOCALIO_GRAFANA_ADMIN_PASSWORD",
}
GENERATED_BYTES = 32  # 64 hex characters: above every setting's 16-character minimum
# Values go into URLs (database, Redis) and redis.conf unquoted: only URL-unreserved characters.
_SAFE_VALUE = re.compile(r"[A-Za-z0-9._~-]{16,}")
_FILE_NAME = re.compile(r"[A-Za-z0-9._-]+")

app = typer.Typer(help="The stack's secrets as files (compose's secrets-init).", no_args_is_help=True)

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help=f"The secrets directory; default ${SECRETS_DIR_VARIABLE}.", show_default=False),
]


class SecretsError(ValueError):
    """A secret or a derived file that cannot be written as asked."""


def _directory(directory: Path | None) -> Path:
    chosen = directory or (Path(os.environ[SECRETS_DIR_VARIABLE]) if os.environ.get(SECRETS_DIR_VARIABLE) else None)
    if chosen is None:
        raise typer.BadParameter(f"give --dir or set {SECRETS_DIR_VARIABLE}")
    return chosen


def _write(path: Path, text: str, mode: int) -> None:
    """Replace `path` atomically: a reader never sees half a secret, a crash leaves the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _parse_derived(specs: list[str]) -> dict[str, str]:
    derived: dict[str, str] = {}
    for spec in specs:
        name, separator, template = spec.partition("=")
        if not separator or not _FILE_NAME.fullmatch(name) or name in SECRETS:
            raise SecretsError(f"--derive {spec!r}: want NAME=TEMPLATE, NAME a new file name")
        fields = {field for _, field, _, _ in string.Formatter().parse(template) if field}
        if unknown := fields - set(SECRETS):
            raise SecretsError(f"--derive {name}: unknown secrets {sorted(unknown)}; known: {sorted(SECRETS)}")
        derived[name] = template
    return derived


def init_secrets(
    directory: Path, environ: dict[str, str], derived: dict[str, str] | None = None, mode: int = 0o400
) -> dict[str, str]:
    """Generate each missing secret, take the ones set in `environ`, keep the rest; then (re)write
    every derived file from its template. Returns file name -> "generated" | "environment" | "kept"."""
    directory.mkdir(parents=True, exist_ok=True)
    values: dict[str, str] = {}
    outcome: dict[str, str] = {}
    for name, variable in SECRETS.items():
        path = directory / name
        given = environ.get(variable, "").strip()
        if given:
            if not _SAFE_VALUE.fullmatch(given):
                raise SecretsError(f"{variable}: use at least 16 of A-Z a-z 0-9 . _ ~ - (e.g. openssl rand -hex 32)")
            if not path.exists() or path.read_text().strip() != given:
                _write(path, given + "\n", mode)
            values[name], outcome[name] = given, "environment"
        elif path.exists() and path.read_text().strip():
            values[name], outcome[name] = path.read_text().strip(), "kept"
        else:
            values[name] = secrets.token_hex(GENERATED_BYTES)
            _write(path, values[name] + "\n", mode)
            outcome[name] = "generated"
    for name, template in (derived or {}).items():
        # Rewritten on every run, so a secret changed through the environment reaches them too.
        _write(directory / name, template.format(**values) + "\n", mode)
        outcome[name] = "derived"
    return outcome


@app.command("init")
def init(
    directory: DirOption = None,
    derive: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=TEMPLATE: also write file NAME from TEMPLATE, `{secret_file_name}` standing for a secret "
            "(e.g. a database URL holding the password). Repeatable."
        ),
    ] = None,
    mode: Annotated[
        str, typer.Option(help="Octal mode of the files (compose: 0444, its consumers run as different users).")
    ] = "0400",
) -> None:
    """Write every secret missing from the directory (a value set in the environment replaces its file)."""
    target = _directory(directory)
    try:
        outcome = init_secrets(target, dict(os.environ), _parse_derived(derive or []), int(mode, 8))
    except (SecretsError, ValueError) as error:
        typer.echo(f"vocalio secrets: {error}", err=True)
        raise typer.Exit(2) from None
    # Names and what happened to each (they land in `docker compose logs`): never a value.
    for name, what in outcome.items():
        typer.echo(f"secrets-init: {target / name}: {what}")


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="A file in the secrets directory.")], directory: DirOption = None
) -> None:
    """Print one secret file (e.g. to copy models-host.env to the models host)."""
    target = _directory(directory)
    if not _FILE_NAME.fullmatch(name) or not (target / name).is_file():
        files = target.iterdir() if target.is_dir() else iter(())
        known = sorted(path.name for path in files if not path.name.startswith("."))
        typer.echo(f"vocalio secrets: no {name!r} in {target}; there are: {', '.join(known) or 'none'}", err=True)
        raise typer.Exit(2)
    typer.echo((target / name).read_text(), nl=False)
