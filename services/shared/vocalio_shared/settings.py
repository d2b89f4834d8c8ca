"""Settings every service shares; each service extends `CommonSettings` with its own fields.

Configuration comes only from the environment (prefix VOCALIO_) or a `.env` file. A bad or missing
value stops the process with one line naming the variable (see `load_settings`).
"""

import sys
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "VOCALIO_"


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where databases, audio and secrets live.")
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", description="Redis for queue, events, caches.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", description="Log level.")
    log_format: Literal["json", "console"] = Field(default="json", description="json for machines, console for people.")


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
