"""Read compose files the way Compose does: YAML with `!reset`/`!override`, then `${VAR}` interpolation.

The interpolation follows the Compose specification (`$$`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
`${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`), so the tests can check what a file
becomes under a given `.env` without docker, and `podman-compose config` checks the same from outside.
"""

import json
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = Path(__file__).with_name("compose-spec.json")

SINGLE_HOST = ("compose.yaml",)
CPU = ("compose.yaml", "compose.cpu.yaml")
SERVICES_HOST = ("compose.services.yaml",)
MODELS_HOST = ("compose.models.yaml",)
MODELS_HOST_CPU = ("compose.models.yaml", "compose.cpu.yaml")
ALL_FILES = ("compose.yaml", "compose.cpu.yaml", "compose.services.yaml", "compose.models.yaml")

# What a complete `.env` for every layout sets (no value contains characters a URL would need escaped).
SAMPLE_ENV: dict[str, str] = {
    "VOCALIO_WORKER_TOKEN": "worker-token-0123456789abcdef",
    "VOCALIO_WEBHOOK_SECRET": "webhook-secret-0123456789abcdef",
    "VOCALIO_LLM_BRIDGE_TOKEN": "bridge-token-0123456789abcdef",
    "VOCALIO_UI_SESSION_SECRET": "ui-session-secret-0123456789",
    "VOCALIO_POSTGRES_PASSWORD": "pgpassword0123456789",
    "VOCALIO_GRAFANA_ADMIN_PASSWORD": "grafana-password-0123",
    "VOCALIO_REDIS_PASSWORD": "redispassword0123456789",
    "VOCALIO_SERVICES_ADDRESS": "10.0.0.10",
    "VOCALIO_MODELS_ADDRESS": "10.0.0.20",
    "VOCALIO_API_URL": "https://10.0.0.10:443",
    "VOCALIO_REDIS_URL": "rediss://:redispassword0123456789@10.0.0.10:6380/0",
    "VOCALIO_LLM_BRIDGE_URL": "https://10.0.0.10:443/llm-bridge",
    "VOCALIO_CA_BUNDLE": "/run/vocalio-tls/root.crt",
}

# What a fresh clone's services host needs (its private address) and nothing else: no secrets.
FRESH_CLONE_ENV: dict[str, dict[str, str]] = {
    "compose.yaml": {},
    "compose.services.yaml": {"VOCALIO_SERVICES_ADDRESS": "10.0.0.10"},
}


class Tagged:
    """A value carrying a Compose merge tag (`!reset` or `!override`)."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value


class ComposeLoader(yaml.SafeLoader):
    pass


def _tagged(tag: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Tagged:
        if isinstance(node, yaml.MappingNode):
            return Tagged(tag, loader.construct_mapping(node, deep=True))
        if isinstance(node, yaml.SequenceNode):
            return Tagged(tag, loader.construct_sequence(node, deep=True))
        return Tagged(tag, loader.construct_scalar(node))  # type: ignore[arg-type]

    return construct


ComposeLoader.add_constructor("!reset", _tagged("reset"))
ComposeLoader.add_constructor("!override", _tagged("override"))


def load_raw(name: str) -> dict[str, Any]:
    return yaml.load((ROOT / name).read_text(), Loader=ComposeLoader)  # a SafeLoader subclass


class InterpolationError(ValueError):
    pass


_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<bare>[A-Za-z_][A-Za-z0-9_]*)|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?:(?P<op>:?[-?+])(?P<arg>(?:[^{}]|\{[^{}]*\})*))?\})"
)


def interpolate_string(text: str, env: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("bare") or match.group("name")
        op, arg = match.group("op"), match.group("arg") or ""
        arg = interpolate_string(arg, env) if op else arg
        value = env.get(name)
        is_set, is_nonempty = value is not None, bool(value)
        present = is_nonempty if op and op.startswith(":") else is_set
        if op in (":-", "-"):
            return value if present else arg  # type: ignore[return-value]
        if op in (":?", "?"):
            if not present:
                raise InterpolationError(f"required variable {name} is missing a value: {arg}")
            return value  # type: ignore[return-value]
        if op in (":+", "+"):
            return arg if present else ""
        return value or ""

    return _VARIABLE.sub(replace, text)


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Interpolate every string (keys included) of a loaded file; `x-` extension fields too."""
    if isinstance(value, str):
        return interpolate_string(value, env)
    if isinstance(value, dict):
        return {interpolate(key, env): interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if isinstance(value, Tagged):
        return Tagged(value.tag, interpolate(value.value, env))
    return value


def untag(value: Any) -> Any:
    """A file on its own, as the schema sees it: a tagged value stands for itself."""
    if isinstance(value, dict):
        return {key: untag(item) for key, item in value.items()}
    if isinstance(value, list):
        return [untag(item) for item in value]
    if isinstance(value, Tagged):
        return untag(value.value)
    return value


def load(name: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """One file, interpolated with `env` (SAMPLE_ENV by default), tags dropped."""
    return untag(interpolate(load_raw(name), SAMPLE_ENV if env is None else env))


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def validate(document: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError unless `document` follows the Compose specification (draft-07 schema)."""
    import jsonschema

    jsonschema.Draft7Validator(schema()).validate(document)


def long_running(service: dict[str, Any]) -> bool:
    return service.get("restart", "no") != "no"
