"""A fresh clone needs no `.env`: `secrets-init` writes every secret once into the `secrets` volume and each
service reads its secrets as files; `.env` still overrides any of them (docs/operations/compose.md)."""

import os
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings
from vocalio_api.config import ApiSettings
from vocalio_cli.secret_files import SECRETS, init_secrets
from vocalio_llm_bridge.config import LlmBridgeSettings
from vocalio_shared.settings import SECRETS_DIR_VARIABLE
from vocalio_ui.config import UiSettings
from vocalio_worker.config import WorkerConfig

from tests.compose import compose_files as cf
from tests.compose.test_compose import _config

SECRETS_MOUNT = "/run/vocalio-secrets"
SETTINGS_OF = {"migrate": ApiSettings, "api": ApiSettings, "worker": WorkerConfig, "ui": UiSettings}
SETTINGS_OF["llm_bridge"] = LlmBridgeSettings
# Every environment variable that would put a secret into a service's environment (and so `inspect` output).
SECRET_VARIABLES = set(SECRETS.values()) | {"VOCALIO_DATABASE_URL", "VOCALIO_REDIS_URL", "REDISCLI_AUTH"}
SECRET_VARIABLES |= {"POSTGRES_PASSWORD", "GF_SECURITY_ADMIN_PASSWORD"}
HOST_FILES = ("compose.yaml", "compose.services.yaml")


def _derived(command: list[str]) -> dict[str, str]:
    """secrets-init's `--derive NAME=TEMPLATE` arguments, as init_secrets takes them."""
    pairs = [command[i + 1] for i, arg in enumerate(command) if arg == "--derive"]
    return dict(pair.split("=", 1) for pair in pairs)


def _fresh(name: str) -> dict[str, Any]:
    return cf.load(name, cf.FRESH_CLONE_ENV[name])["services"]


@pytest.mark.parametrize("name", HOST_FILES)
def test_a_fresh_clone_needs_no_secret_in_env(name: str) -> None:
    services = _fresh(name)  # raises InterpolationError if any `${VAR:?}` were still required
    cf.validate(cf.load(name, cf.FRESH_CLONE_ENV[name]))
    assert services["secrets-init"]["restart"] == "no"
    assert services["secrets-init"]["command"][:3] == ["vocalio", "secrets", "init"]
    assert services["secrets-init"]["image"] == services["api"]["image"]  # no new base image
    assert f"secrets:{SECRETS_MOUNT}" in services["secrets-init"]["volumes"]


@pytest.mark.parametrize("files", [cf.SINGLE_HOST, cf.CPU, cf.SERVICES_HOST], ids="+".join)
def test_podman_compose_config_accepts_a_fresh_clone(
    podman_compose: list[str], tmp_path: Path, files: tuple[str, ...]
) -> None:
    result = _config(podman_compose, tmp_path, files, cf.FRESH_CLONE_ENV[files[0]])
    assert result.returncode == 0, result.stderr[-3000:]
    merged = yaml.safe_load(result.stdout)
    cf.validate(merged)
    assert merged["services"]["secrets-init"]["environment"]["VOCALIO_WORKER_TOKEN"] == ""  # generated, not given


@pytest.mark.parametrize("name", HOST_FILES)
def test_every_service_waits_for_the_secrets_and_mounts_them_read_only(name: str) -> None:
    for service_name, service in _fresh(name).items():
        if service_name in {"secrets-init", "proxy"} or service.get("profiles"):  # these hold no secret
            continue
        assert service["depends_on"]["secrets-init"] == {"condition": "service_completed_successfully"}, service_name
        assert f"secrets:{SECRETS_MOUNT}:ro" in service["volumes"], service_name
        leaked = SECRET_VARIABLES & set(service.get("environment", {}))
        assert not leaked, f"{name}: {service_name} gets secrets in its environment: {leaked}"


@pytest.mark.parametrize("name", HOST_FILES)
def test_the_others_read_their_secret_files(name: str) -> None:
    services = _fresh(name)
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == f"{SECRETS_MOUNT}/postgres_password"
    grafana = services["grafana"]["environment"]
    assert grafana["GF_SECURITY_ADMIN_PASSWORD__FILE"] == f"{SECRETS_MOUNT}/grafana_admin_password"
    assert services["redis"]["command"][:2] == ["redis-server", f"{SECRETS_MOUNT}/redis.conf"]
    assert "redis_password" in services["redis"]["healthcheck"]["test"][1]  # ping authenticates
    assert f"{SECRETS_MOUNT}/vocalio_llm_bridge_token" in services["prometheus"]["command"][0]
    for service_name in SETTINGS_OF:
        if service_name in services:
            assert services[service_name]["environment"][SECRETS_DIR_VARIABLE] == SECRETS_MOUNT, service_name


@pytest.mark.parametrize("name", HOST_FILES)
def test_a_secret_in_env_reaches_secrets_init_and_replaces_its_file(name: str) -> None:
    given = {variable: f"from-dot-env-{variable.lower()}" for variable in SECRETS.values()}
    environment = cf.load(name, cf.FRESH_CLONE_ENV[name] | given)["services"]["secrets-init"]["environment"]
    assert {key: environment[key] for key in SECRETS.values()} == given


def _settings(cls: type[BaseSettings], environment: dict[str, str], secrets_dir: Path) -> Any:
    """The settings a container would build: its compose environment alone, with the volume at `secrets_dir`."""
    saved = dict(os.environ)
    for key in [key for key in os.environ if key.startswith("VOCALIO_")]:  # nothing of this machine's leaks in
        del os.environ[key]
    os.environ.update(environment | {SECRETS_DIR_VARIABLE: str(secrets_dir)})
    try:
        return cls(_env_file=None)  # type: ignore[call-arg]
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.mark.parametrize("name", HOST_FILES)
def test_each_service_builds_its_settings_from_the_files_secrets_init_writes(name: str, tmp_path: Path) -> None:
    """secrets-init's own command, run for real, then every service's settings class over its environment."""
    services = _fresh(name)
    init = services["secrets-init"]
    init_env = {key: str(value) for key, value in init["environment"].items()}
    outcome = init_secrets(tmp_path, init_env, _derived(init["command"]))
    assert {outcome[file] for file in SECRETS} == {"generated"}
    secret = {file: (tmp_path / file).read_text().strip() for file in SECRETS}
    built = {
        service: _settings(cls, {k: str(v) for k, v in services[service]["environment"].items()}, tmp_path)
        for service, cls in SETTINGS_OF.items()
        if service in services
    }
    api = built["api"]
    assert api.worker_token.get_secret_value() == secret["vocalio_worker_token"]
    assert api.webhook_secret.get_secret_value() == secret["vocalio_webhook_secret"]
    assert api.sync_database_url == f"postgresql+psycopg://vocalio:{secret['postgres_password']}@postgres:5432/vocalio"
    assert api.redis_url == f"redis://:{secret['redis_password']}@redis:6379/0"
    assert built["llm_bridge"].llm_bridge_token.get_secret_value() == secret["vocalio_llm_bridge_token"]
    assert built["ui"].ui_session_secret.get_secret_value() == secret["vocalio_ui_session_secret"]
    if "worker" in built:
        assert built["worker"].worker_token.get_secret_value() == secret["vocalio_worker_token"]
        assert built["worker"].llm_bridge_token.get_secret_value() == secret["vocalio_llm_bridge_token"]
    assert (tmp_path / "redis.conf").read_text() == f"requirepass {secret['redis_password']}\n"
    # A second `up` keeps every secret: Postgres's data volume was initialised with the first password.
    again = init_secrets(tmp_path, init_env, _derived(init["command"]))
    assert {again[file] for file in SECRETS} == {"kept"}
    assert {file: (tmp_path / file).read_text().strip() for file in SECRETS} == secret


def test_the_models_host_runs_on_the_one_file_copied_from_the_services_host(tmp_path: Path) -> None:
    services = _fresh("compose.services.yaml")
    init = services["secrets-init"]
    init_secrets(tmp_path, {}, _derived(init["command"]))
    lines = (tmp_path / "models-host.env").read_text().splitlines()
    copied = dict(shlex.split(line)[0].split("=", 1) for line in lines if line)
    worker = cf.load("compose.models.yaml", copied | {"VOCALIO_MODELS_ADDRESS": "10.0.0.20"})["services"]["worker"]
    api = _settings(ApiSettings, {k: str(v) for k, v in services["api"]["environment"].items()}, tmp_path)
    env = worker["environment"]
    assert env["VOCALIO_WORKER_TOKEN"] == api.worker_token.get_secret_value()
    assert env["VOCALIO_LLM_BRIDGE_TOKEN"] == (tmp_path / "vocalio_llm_bridge_token").read_text().strip()
    # Pull workers over HTTPS through the proxy, verified against its local CA: no Redis, no password.
    assert env["VOCALIO_WORKER_MODE"] == "pull" and env["VOCALIO_REDIS_URL"] == ""
    assert not {value for value in copied.values() if (tmp_path / "redis_password").read_text().strip() in value}
    assert env["VOCALIO_API_URL"] == "https://10.0.0.10:443"
    assert env["VOCALIO_LLM_BRIDGE_URL"] == "https://10.0.0.10:443/llm-bridge"
    assert env["VOCALIO_CA_BUNDLE"] == "/run/vocalio-tls/root.crt"
    assert "./tls:/run/vocalio-tls:ro,z" in worker["volumes"]
