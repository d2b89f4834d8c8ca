"""Helpers for tests/deploy: render the overlays with the real renderer, load the vendored CRD schemas,
and look things up in the rendered manifests."""

from __future__ import annotations

import copy
import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
RENDER_SCRIPT = ROOT / "deploy" / "kubernetes" / "render.py"
CRD_DIR = Path(__file__).with_name("crds")
# The newest Kubernetes release whose schemas kubernetes-validate ships.
KUBERNETES_VERSION = "1.37.0"

Manifest = dict[str, Any]


@cache
def render_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vocalio_k8s_render", RENDER_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_documents(text: str) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def _strict(schema: Any) -> Any:
    """A CRD's structural schema with unknown fields refused, as kubeconform's strict mode does: the API server
    would silently prune a misspelt field, which is the mistake this test exists to catch."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: _strict(value) for key, value in schema.items()}
    if (
        "properties" in result
        and "additionalProperties" not in result
        and not result.get("x-kubernetes-preserve-unknown-fields")
    ):
        result["additionalProperties"] = False
    if result.get("x-kubernetes-int-or-string"):
        result["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    return result


@cache
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the strict JSON schema of every served version of every vendored CRD."""
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(CRD_DIR.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                schema = copy.deepcopy(version["schema"]["openAPIV3Schema"])
                schemas[(f"{group}/{version['name']}", kind)] = _strict(schema)
    return schemas


def validate_custom_resource(manifest: Manifest) -> None:
    """Raise jsonschema.ValidationError when the resource breaks its CRD's schema, KeyError for an unknown kind."""
    schema = crd_schemas()[(manifest["apiVersion"], manifest["kind"])]
    jsonschema.Draft7Validator(schema).validate(manifest)


def find(docs: list[Manifest], kind: str, name: str) -> Manifest:
    matches = [doc for doc in docs if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def of_kind(docs: list[Manifest], kind: str) -> list[Manifest]:
    return [doc for doc in docs if doc["kind"] == kind]


def pod_spec(workload: Manifest) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def container(workload: Manifest, name: str) -> dict[str, Any]:
    spec = pod_spec(workload)
    for item in spec.get("initContainers", []) + spec["containers"]:
        if item["name"] == name:
            return item
    raise AssertionError(f"{workload['metadata']['name']} has no container {name}")


def config_maps(docs: list[Manifest]) -> dict[str, dict[str, str]]:
    return {doc["metadata"]["name"]: doc.get("data", {}) for doc in of_kind(docs, "ConfigMap")}


def environment(docs: list[Manifest], item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A container's variables as {name: {"value": ...}} or {name: {"valueFrom": ...}}, envFrom included."""
    maps = config_maps(docs)
    result: dict[str, dict[str, Any]] = {}
    for source in item.get("envFrom", []):
        data = maps[source["configMapRef"]["name"]]
        result |= {key: {"value": value} for key, value in data.items()}
    for variable in item.get("env", []):
        result[variable["name"]] = {key: value for key, value in variable.items() if key != "name"}
    return result


def pod_labels(workload: Manifest) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"]["labels"]


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """matchLabels semantics (the only selector form the manifests use); {} selects every pod."""
    assert set(selector) <= {"matchLabels"}, f"unsupported selector {selector}"
    return all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items())


def strict_validator_rejects(manifest: Manifest) -> bool:
    try:
        validate_custom_resource(manifest)
    except jsonschema.ValidationError:
        return True
    return False
