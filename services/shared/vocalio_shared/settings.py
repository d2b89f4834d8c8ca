"""Settings every service shares; each service extends `CommonSettings` with its own fields.

Configuration comes only from the environment (prefix VOCALIO_), a `.env` file or, for secrets, a
directory of files named like the variables (VOCALIO_SECRETS_DIR; compose's `secrets-init` fills
it). The environment wins over `.env`, which wins over the files. A bad or missing value stops the
process with one line naming the variable (see `load_settings`).
"""

import os
import sys
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SecretsSettingsSource, SettingsConfigDict

ENV_PREFIX = "VOCALIO_"
SECRETS_DIR_VARIABLE = f"{ENV_PREFIX}SECRETS_DIR"


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where databases, audio and secrets live.")
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", description="Redis for queue, events, caches.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", description="Log level.")
    log_format: Literal["json", "console"] = Field(default="json", description="json for machines, console for people.")
    secrets_dir: Path | None = Field(
        default=None,
        description="Directory of secret files, one per setting, named like its variable in lower case "
        "(e.g. vocalio_worker_token); a variable in the environment or `.env` wins over its file.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The directory is read from the environment when the settings are built (not fixed in
        # model_config at import), so the one process-wide variable decides for every class.
        directory = os.environ.get(SECRETS_DIR_VARIABLE)
        secrets = SecretsSettingsSource(settings_cls, secrets_dir=directory) if directory else file_secret_settings
        return init_settings, env_settings, dotenv_settings, secrets


class WorkerTokenSettings(CommonSettings):
    """Services that speak the worker protocol share one token."""

    worker_token: SecretStr = Field(min_length=16, description="Shared secret between workers and the API.")


S = TypeVar("S", bound=BaseSettings)


def describe_validation_error(error: ValidationError, prefix: str = ENV_PREFIX) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "?"
    variable = f"{prefix}{field.upper()}"
    if first["type"] == "missing":
        return f"configuration error: {variable} is required but not set"
    return f"configuration error: {variable}: {first['msg']}"


def load_settings(cls: type[S]) -> S:
    """Build settings or exit with one clear line naming the offending variable."""
    try:
        return cls()
    except ValidationError as error:
        print(describe_validation_error(error), file=sys.stderr)
        raise SystemExit(2) from None
