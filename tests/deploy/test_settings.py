"""Images and environment in the manifests come from the same settings as compose: every variable is a real
setting of the service that gets it, every secret is a secretKeyRef, and every value compose sets is the
same here unless this file names the reason it differs."""

import importlib
import re
from typing import Any

import pytest
import yaml
from pydantic import SecretStr
from vocalio_cli.secret_files import SECRETS
from vocalio_shared.settings import ENV_PREFIX, SECRETS_DIR_VARIABLE

from tests.compose import compose_files as cf
from tests.deploy import manifests as m

# (Deployment, container) -> (compose.yaml service, the settings classes that process reads)
CONTAINERS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("vocalio-api", "api"): (
        "api",
        ("vocalio_api.config.ApiSettings", "vocalio_api.openai_compat.config.OpenAICompatSettings"),
    ),
    ("vocalio-api", "migrate"): ("migrate", ("vocalio_api.config.ApiSettings",)),
    ("vocalio-worker", "worker"): (
        "worker",
        (
            "vocalio_worker.config.WorkerConfig",
            "vocalio_worker.engines.f5.settings.F5Settings",
            "vocalio_worker.engines.kokoro.settings.KokoroSettings",
        ),
    ),
    ("vocalio-ui", "ui"): ("ui", ("vocalio_ui.config.UiSettings",)),
    ("vocalio-llm-bridge", "llm-bridge"): ("llm_bridge", ("vocalio_llm_bridge.config.LlmBridgeSettings",)),
}
# Addresses: compose names its services `api`, `redis`...; the cluster's Services are `vocalio-api`... and
# managed stores live outside it. Their values differ by design; their presence is still checked.
ADDRESSES = {"VOCALIO_API_URL", "VOCALIO_REDIS_URL", "VOCALIO_DATABASE_URL", "VOCALIO_LLM_BRIDGE_URL"}
# URLs that carry a password: secrets here even where compose.yaml writes them inline.
CREDENTIAL_URLS = {"VOCALIO_REDIS_URL", "VOCALIO_DATABASE_URL"}
# Settings the cluster deliberately sets otherwise than compose.yaml, and why.
DIFFERS_FROM_COMPOSE = {
    ("ui", "VOCALIO_UI_COOKIE_SECURE"): "the dashboard is only reached through the TLS ingress",
}
# Variables the cluster adds that compose.yaml does not set, and why.
ADDED_IN_CLUSTER = {
    ("worker", "VOCALIO_ADVERTISED_HOST"): "the pod's IP, so the registry shows an address Prometheus can reach",
}
# Variables compose.yaml passes (from its shared block) that the cluster leaves out, and why.
LEFT_OUT_IN_CLUSTER = {
    (
        "ui",
        "VOCALIO_REDIS_URL",
    ): "the dashboard never opens Redis (vocalio_ui talks only to the API); its policy allows none",
}
# Compose gives every secret as a file of its secrets volume (VOCALIO_SECRETS_DIR, filled by secrets-init,
# docs/operations/compose.md); the cluster gives each as a secretKeyRef instead, so these are not in
# compose.yaml's environment but are in the cluster's.
COMPOSE_SECRET_FILES = set(SECRETS.values()) | CREDENTIAL_URLS
# Variables for the image, not for a Vocalio settings class.
NOT_SETTINGS = {"HF_HOME"}


def _settings_fields(class_paths: tuple[str, ...]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for path in class_paths:
        module_name, class_name = path.rsplit(".", 1)
        settings_class = getattr(importlib.import_module(module_name), class_name)
        fields |= {f"{ENV_PREFIX}{name.upper()}": field for name, field in settings_class.model_fields.items()}
    return fields


def _is_secret(field: Any) -> bool:
    return SecretStr in (getattr(field.annotation, "__args__", None) or (field.annotation,))


def _compose_environment(service: str) -> dict[str, str]:
    return {key: str(value) for key, value in cf.load("compose.yaml")["services"][service]["environment"].items()}


def _compose_required(service: str) -> set[str]:
    """Variables compose.yaml fills from a `${...:?...}` (required) value: the secrets of .env."""
    raw = yaml.safe_load((cf.ROOT / "compose.yaml").read_text())
    environment = raw["services"][service]["environment"]
    return {key for key, value in environment.items() if isinstance(value, str) and ":?" in value}


@pytest.mark.parametrize("overlay", ["production", "trial"])
@pytest.mark.parametrize(("deployment", "name"), list(CONTAINERS))
def test_every_variable_is_a_real_setting_and_every_secret_a_secret_ref(
    rendered: dict[str, list[m.Manifest]], overlay: str, deployment: str, name: str
) -> None:
    docs = rendered[overlay]
    _, class_paths = CONTAINERS[(deployment, name)]
    fields = _settings_fields(class_paths)
    env = m.environment(docs, m.container(m.find(docs, "Deployment", deployment), name))
    unknown = {key for key in env if key not in fields and key not in NOT_SETTINGS}
    assert not unknown, f"{deployment}/{name}: no settings class of the service reads {unknown}"
    for key, source in env.items():
        secret = key in CREDENTIAL_URLS or (key in fields and _is_secret(fields[key]))
        if secret:
            assert "secretKeyRef" in source.get("valueFrom", {}), f"{deployment}/{name}: {key} must be a secretKeyRef"
    required = {key for key, field in fields.items() if field.is_required()}
    assert required <= set(env), f"{deployment}/{name} misses required settings {required - set(env)}"


@pytest.mark.parametrize(("deployment", "name"), list(CONTAINERS))
def test_the_environment_matches_compose(rendered: dict[str, list[m.Manifest]], deployment: str, name: str) -> None:
    docs = rendered["production"]
    service, _ = CONTAINERS[(deployment, name)]
    env = m.environment(docs, m.container(m.find(docs, "Deployment", deployment), name))
    compose = _compose_environment(service)
    for key in _compose_required(service):
        assert "secretKeyRef" in env[key].get("valueFrom", {}), f"{key}: a secret in compose, a secretKeyRef here"
    for key, value in compose.items():
        if key == SECRETS_DIR_VARIABLE:  # compose's way to pass secrets; see COMPOSE_SECRET_FILES
            assert key not in env
            continue
        if (service, key) in LEFT_OUT_IN_CLUSTER:
            assert key not in env
            continue
        assert key in env, f"{deployment}/{name} lacks {key}, which compose.yaml sets for {service}"
        if key in ADDRESSES or key in _compose_required(service) or (service, key) in DIFFERS_FROM_COMPOSE:
            continue
        assert env[key] == {"value": value}, f"{key}: {env[key]} here, {value!r} in compose.yaml"
    added = {key for key in env if key not in compose} - {key for (svc, key) in ADDED_IN_CLUSTER if svc == service}
    assert added <= COMPOSE_SECRET_FILES, f"{deployment}/{name} sets {added}, which compose.yaml does not"
    for key in added & COMPOSE_SECRET_FILES:
        assert "secretKeyRef" in env[key].get("valueFrom", {}), f"{key}: a secret file in compose, a secretKeyRef here"


def test_no_secret_values_anywhere(rendered: dict[str, list[m.Manifest]]) -> None:
    secret_names = {
        key
        for _, class_paths in CONTAINERS.values()
        for key, field in _settings_fields(class_paths).items()
        if _is_secret(field)
    } | CREDENTIAL_URLS
    credentials_in_url = re.compile(r"://[^/@\s]*:[^/@\s]+@")
    for docs in rendered.values():
        assert not m.of_kind(docs, "Secret"), "Secrets are created in the cluster, never rendered from the repository"
        for config_map in m.of_kind(docs, "ConfigMap"):
            assert not set(config_map.get("data", {})) & secret_names, config_map["metadata"]["name"]
        text = yaml.safe_dump_all(docs)
        assert not credentials_in_url.search(text), "a URL with a password in a manifest"
        for doc in docs:
            if "template" not in doc.get("spec", {}):
                continue
            for item in m.pod_spec(doc).get("initContainers", []) + m.pod_spec(doc)["containers"]:
                for variable in item.get("env", []):
                    looks_secret = re.search(r"TOKEN|SECRET|PASSWORD|_AUTH$", variable["name"])
                    if looks_secret or variable["name"] in secret_names:
                        assert "secretKeyRef" in variable.get("valueFrom", {}), (doc["metadata"]["name"], variable)


def test_the_images_are_the_compose_images(rendered: dict[str, list[m.Manifest]]) -> None:
    compose = cf.load("compose.yaml", {**cf.SAMPLE_ENV})["services"]
    docs = rendered["trial"]
    for (deployment, name), (service, _) in CONTAINERS.items():
        image = m.container(m.find(docs, "Deployment", deployment), name)["image"]
        assert image == compose[service]["image"], f"{deployment}/{name}"
    for store in ("redis", "postgres"):
        statefulset = m.find(docs, "StatefulSet", f"vocalio-{store}")
        assert m.pod_spec(statefulset)["containers"][0]["image"] == compose[store]["image"]


def test_secret_keys_are_the_documented_ones(rendered: dict[str, list[m.Manifest]]) -> None:
    references: set[tuple[str, str]] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            # secretKeyRef bodies and the Prometheus Operator's credentials are both {name, key} selectors
            # (the manifests use no configMapKeyRef, the only other selector of that shape).
            if set(value) == {"name", "key"}:
                references.add((value["name"], value["key"]))
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    for docs in rendered.values():
        walk(docs)
        for auth in m.of_kind(docs, "TriggerAuthentication"):
            references |= {(ref["name"], ref["key"]) for ref in auth["spec"]["secretTargetRef"]}
        for ingress in m.of_kind(docs, "Ingress"):
            references |= {(tls["secretName"], "tls.crt") for tls in ingress["spec"]["tls"]}
    page = (m.ROOT / "docs/operations/kubernetes.md").read_text()
    for secret, key in sorted(references):
        assert f"`{secret}`" in page and f"`{key}`" in page, f"docs/operations/kubernetes.md: document {secret}/{key}"
