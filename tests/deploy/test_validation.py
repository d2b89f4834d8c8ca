"""The rendered manifests are valid: every overlay renders, every built-in object validates strictly
against the Kubernetes schemas of a current release, and every custom resource against the CRD of the
release of KEDA or the Prometheus Operator vendored in crds/ (see crds/SOURCE.md)."""

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.deploy import manifests as m

OVERLAYS = ("monitoring", "production", "scale-to-zero", "trial", "trial-cpu")
CUSTOM_GROUPS = ("keda.sh/", "monitoring.coreos.com/")


def test_the_renderer_writes_one_file_per_overlay(render_dir: Path) -> None:
    assert m.render_module().overlay_names() == list(OVERLAYS)
    assert {path.name for path in render_dir.iterdir()} == {f"{name}.yaml" for name in OVERLAYS}


def test_make_k8s_render_runs_the_renderer() -> None:
    makefile = (m.ROOT / "Makefile").read_text()
    target = makefile.split("\nk8s-render:", 1)[1].split("\n\n", 1)[0]
    assert "deploy/kubernetes/render.py" in target and "$(OUT)" in target


def _is_custom(manifest: m.Manifest) -> bool:
    return manifest["apiVersion"].startswith(CUSTOM_GROUPS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_built_in_object_validates_strictly_against_kubernetes(
    rendered: dict[str, list[m.Manifest]], overlay: str
) -> None:
    built_in = [doc for doc in rendered[overlay] if not _is_custom(doc)]
    assert built_in
    for manifest in built_in:
        # strict: a field the schema does not know is an error (the API server would drop it silently)
        kubernetes_validate.validate(manifest, m.KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_custom_resource_validates_against_its_crd(rendered: dict[str, list[m.Manifest]], overlay: str) -> None:
    custom = [doc for doc in rendered[overlay] if _is_custom(doc)]
    assert {doc["kind"] for doc in custom} >= {"ScaledObject", "TriggerAuthentication"}
    for manifest in custom:
        m.validate_custom_resource(manifest)


def test_the_validators_refuse_what_a_cluster_would_refuse_or_silently_drop(
    rendered: dict[str, list[m.Manifest]],
) -> None:
    docs = rendered["monitoring"]
    scaled = m.find(docs, "ScaledObject", "vocalio-worker")
    misspelt = yaml.safe_load(yaml.safe_dump(scaled))
    misspelt["spec"]["minReplicas"] = misspelt["spec"].pop("minReplicaCount")
    assert m.strict_validator_rejects(misspelt)
    wrong_type = yaml.safe_load(yaml.safe_dump(scaled))
    wrong_type["spec"]["maxReplicaCount"] = "twenty"
    assert m.strict_validator_rejects(wrong_type)
    monitor = yaml.safe_load(yaml.safe_dump(m.find(docs, "PodMonitor", "vocalio-worker")))
    monitor["spec"]["podMetricsEndpoints"][0]["intervl"] = "15s"
    assert m.strict_validator_rejects(monitor)

    deployment = yaml.safe_load(yaml.safe_dump(m.find(docs, "Deployment", "vocalio-worker")))
    deployment["spec"]["template"]["spec"]["terminationGracePeriod"] = 150
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, m.KUBERNETES_VERSION, strict=True)


def test_every_kind_has_a_schema(rendered: dict[str, list[m.Manifest]]) -> None:
    for docs in rendered.values():
        for manifest in docs:
            if _is_custom(manifest):
                assert (manifest["apiVersion"], manifest["kind"]) in m.crd_schemas()


def test_the_prometheus_rule_is_the_alert_rule_file(rendered: dict[str, list[m.Manifest]]) -> None:
    render = m.render_module()
    assert render.PROMETHEUS_RULE_FILE.read_text() == render.prometheus_rule_text(), (
        "the PrometheusRule is stale: run `make k8s-render OUT=/tmp/k8s` (it regenerates it)"
    )
    rule = m.find(rendered["monitoring"], "PrometheusRule", "vocalio")
    assert rule["spec"] == yaml.safe_load(render.RULES_FILE.read_text())
    assert all(not any(doc["kind"] == "PrometheusRule" for doc in rendered[name]) for name in OVERLAYS[1:])


def test_the_monitors_keep_the_job_names_the_rules_and_dashboards_use(rendered: dict[str, list[m.Manifest]]) -> None:
    compose_jobs = {
        job["job_name"] for job in yaml.safe_load((m.ROOT / "prometheus/prometheus.yml").read_text())["scrape_configs"]
    }
    docs = rendered["monitoring"]
    endpoints = [
        endpoint
        for monitor in m.of_kind(docs, "ServiceMonitor") + m.of_kind(docs, "PodMonitor")
        for endpoint in monitor["spec"].get("endpoints", []) + monitor["spec"].get("podMetricsEndpoints", [])
    ]
    jobs = {
        relabel["replacement"]
        for endpoint in endpoints
        for relabel in endpoint["relabelings"]
        if relabel["targetLabel"] == "job"
    }
    assert jobs == {"api", "worker", "llm_bridge"} <= compose_jobs
