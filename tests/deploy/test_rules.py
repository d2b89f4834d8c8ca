"""The structural promises of docs/operations/kubernetes.md, checked on the rendered manifests: the worker's
GPU, nodes, drain and health; the API's migrations, scaling and disruption budget; the network fences; the
ingress's TLS; the KEDA rule against the settings and vocalio_shared.scaling."""

from urllib.parse import urlsplit

import pytest
from vocalio_api.config import ApiSettings
from vocalio_api.routes.workers import router as workers_router
from vocalio_shared import scaling
from vocalio_shared.schemas.workers import ScalingSignal
from vocalio_worker.config import WorkerConfig

from tests.compose import compose_files as cf
from tests.deploy import manifests as m

OVERLAYS = ("monitoring", "production", "scale-to-zero", "trial", "trial-cpu")
GPU_OVERLAYS = OVERLAYS[:-1]
COMPONENT = "app.kubernetes.io/component"
POSTGRES_PORT = 5432
REDIS_PORTS = {6379, 6380}


def _env_value(docs: list[m.Manifest], deployment: str, name: str, key: str, default: object) -> str:
    env = m.environment(docs, m.container(m.find(docs, "Deployment", deployment), name))
    return env[key]["value"] if key in env else str(default)


# ---- the worker ---------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", GPU_OVERLAYS)
def test_each_worker_asks_for_one_gpu_on_gpu_nodes_spot_ones_allowed(
    rendered: dict[str, list[m.Manifest]], overlay: str
) -> None:
    worker = m.find(rendered[overlay], "Deployment", "vocalio-worker")
    resources = m.container(worker, "worker")["resources"]
    assert resources["limits"]["nvidia.com/gpu"] == 1 and resources["requests"]["nvidia.com/gpu"] == 1
    spec = m.pod_spec(worker)
    assert spec["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    tolerated = {toleration["key"] for toleration in spec["tolerations"]}
    assert "nvidia.com/gpu" in tolerated
    assert {
        "cloud.google.com/gke-spot",
        "kubernetes.azure.com/scalesetpriority",
        "karpenter.sh/capacity-type",
    } <= tolerated


def test_the_cpu_trial_runs_the_compose_cpu_worker_on_any_node(rendered: dict[str, list[m.Manifest]]) -> None:
    worker = m.find(rendered["trial-cpu"], "Deployment", "vocalio-worker")
    item = m.container(worker, "worker")
    assert item["image"] == cf.load("compose.cpu.yaml")["services"]["worker"]["image"]
    assert "nvidia.com/gpu" not in item["resources"]["requests"] and "nvidia.com/gpu" not in item["resources"]["limits"]
    assert "nodeSelector" not in m.pod_spec(worker)
    gpu_trial = m.find(rendered["trial"], "Deployment", "vocalio-worker")
    assert item["lifecycle"] == m.container(gpu_trial, "worker")["lifecycle"]  # the same drain


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_grace_period_covers_the_workers_drain(rendered: dict[str, list[m.Manifest]], overlay: str) -> None:
    docs = rendered[overlay]
    worker = m.find(docs, "Deployment", "vocalio-worker")
    drain_s = float(
        _env_value(
            docs,
            "vocalio-worker",
            "worker",
            "VOCALIO_SHUTDOWN_GRACE_S",
            WorkerConfig.model_fields["shutdown_grace_s"].default,
        )
    )
    hook = m.container(worker, "worker")["lifecycle"]["preStop"]["exec"]["command"]
    script = hook[-1]
    # The hook starts the worker's own drain (SIGTERM to PID 1) and waits on its /health, bounded.
    assert "os.kill(1, signal.SIGTERM)" in script and "/health" in script
    assert '"VOCALIO_SHUTDOWN_GRACE_S"' in script and ") + 20" in script
    grace_s = m.pod_spec(worker)["terminationGracePeriodSeconds"]
    assert grace_s >= drain_s + 20, f"grace {grace_s}s < drain {drain_s}s + the hook's 20 s margin"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_worker_is_ready_by_its_own_health_endpoints(rendered: dict[str, list[m.Manifest]], overlay: str) -> None:
    docs = rendered[overlay]
    item = m.container(m.find(docs, "Deployment", "vocalio-worker"), "worker")
    port = int(_env_value(docs, "vocalio-worker", "worker", "VOCALIO_METRICS_PORT", 9100))
    assert item["ports"] == [{"name": "http", "containerPort": port}]
    assert item["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert item["livenessProbe"]["httpGet"]["path"] == "/health"
    assert item["startupProbe"]["httpGet"]["path"] == "/health"


# ---- the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_run_before_any_api_process_serves(rendered: dict[str, list[m.Manifest]], overlay: str) -> None:
    docs = rendered[overlay]
    api = m.find(docs, "Deployment", "vocalio-api")
    migrate, serve = m.container(api, "migrate"), m.container(api, "api")
    assert [item["name"] for item in m.pod_spec(api)["initContainers"]] == ["migrate"]
    assert migrate["command"] == ["vocalio", "db", "upgrade"]
    assert migrate["image"] == serve["image"]
    assert m.environment(docs, migrate) == m.environment(docs, serve)
    strategy = api["spec"]["strategy"]
    if strategy["type"] == "RollingUpdate":  # new pods one at a time, the old ones serving meanwhile
        assert strategy["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_api_scales_on_cpu_and_keeps_one_pod_through_disruptions(
    rendered: dict[str, list[m.Manifest]], overlay: str
) -> None:
    docs = rendered[overlay]
    api = m.find(docs, "Deployment", "vocalio-api")
    hpa = m.find(docs, "HorizontalPodAutoscaler", "vocalio-api")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "vocalio-api"}
    assert [metric["resource"]["name"] for metric in hpa["spec"]["metrics"]] == ["cpu"]
    assert "cpu" in m.container(api, "api")["resources"]["requests"]  # utilisation is a share of the request
    pdb = m.find(docs, "PodDisruptionBudget", "vocalio-api")
    assert m.selects(pdb["spec"]["selector"], m.pod_labels(api))
    service = m.find(docs, "Service", "vocalio-api")
    port = int(_env_value(docs, "vocalio-api", "api", "VOCALIO_PORT", ApiSettings.model_fields["port"].default))
    assert m.container(api, "api")["ports"] == [{"name": "http", "containerPort": port}]
    assert service["spec"]["selector"] == m.pod_labels(api)
    if not overlay.startswith("trial"):
        assert hpa["spec"]["minReplicas"] >= 2 and pdb["spec"]["minAvailable"] == 1
        claim = m.find(docs, "PersistentVolumeClaim", "vocalio-api-data")
        assert claim["spec"]["accessModes"] == ["ReadWriteMany"]  # every replica sees the same audio


# ---- the network fences -------------------------------------------------------------------------


def _policies_for(docs: list[m.Manifest], labels: dict[str, str], direction: str) -> list[dict]:
    return [
        policy
        for policy in m.of_kind(docs, "NetworkPolicy")
        if direction in policy["spec"]["policyTypes"] and m.selects(policy["spec"]["podSelector"], labels)
    ]


def _egress_ports(docs: list[m.Manifest], labels: dict[str, str]) -> set[int]:
    return {
        port["port"]
        for policy in _policies_for(docs, labels, "Egress")
        for rule in policy["spec"].get("egress", [])
        for port in rule.get("ports", [])
    }


def _egress_rules(docs: list[m.Manifest], labels: dict[str, str]) -> list[dict]:
    return [rule for policy in _policies_for(docs, labels, "Egress") for rule in policy["spec"].get("egress", [])]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_everything_is_denied_unless_a_policy_allows_it(rendered: dict[str, list[m.Manifest]], overlay: str) -> None:
    deny = m.find(rendered[overlay], "NetworkPolicy", "vocalio-default-deny")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    for rule in _egress_rules(rendered[overlay], {}):
        # every rule names ports: nothing is allowed to everywhere on every port
        assert rule.get("ports"), rule


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_api_reaches_the_database(rendered: dict[str, list[m.Manifest]], overlay: str) -> None:
    docs = rendered[overlay]
    workloads = m.of_kind(docs, "Deployment") + m.of_kind(docs, "StatefulSet")
    assert len(workloads) >= 4
    for workload in workloads:
        for rule in _egress_rules(docs, m.pod_labels(workload)):
            assert rule.get("ports"), f"{workload['metadata']['name']} may open any port: {rule}"
        reaches_database = POSTGRES_PORT in _egress_ports(docs, m.pod_labels(workload))
        assert reaches_database == (m.pod_labels(workload)[COMPONENT] == "api"), workload["metadata"]["name"]
    if overlay.startswith("trial"):
        postgres = m.find(docs, "StatefulSet", "vocalio-postgres")
        (policy,) = [p for p in _policies_for(docs, m.pod_labels(postgres), "Ingress") if p["spec"].get("ingress")]
        sources = [
            source["podSelector"]["matchLabels"][COMPONENT]
            for rule in policy["spec"]["ingress"]
            for source in rule["from"]
        ]
        assert sources == ["api"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workers_reach_only_the_api_redis_and_the_bridge(rendered: dict[str, list[m.Manifest]], overlay: str) -> None:
    docs = rendered[overlay]
    worker = m.pod_labels(m.find(docs, "Deployment", "vocalio-worker"))
    allowed: set[tuple[str, int]] = set()
    for rule in _egress_rules(docs, worker):
        ports = {port["port"] for port in rule["ports"]}
        targets = [
            peer.get("podSelector", {}).get("matchLabels", {}).get(COMPONENT, "*") for peer in rule.get("to", [{}])
        ]
        allowed |= {(target, port) for target in targets for port in ports}
    dns = {("*", 53)}
    assert allowed - dns == {("api", 8000), ("llm-bridge", 8002)} | {("*", port) for port in REDIS_PORTS}
    ui = m.pod_labels(m.find(docs, "Deployment", "vocalio-ui"))
    assert _egress_ports(docs, ui) - {53} == {8000}


# ---- the ingress --------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_serves_api_and_dashboard_over_tls_only(
    rendered: dict[str, list[m.Manifest]], overlay: str
) -> None:
    docs = rendered[overlay]
    (ingress,) = m.of_kind(docs, "Ingress")
    tls_hosts = {host for tls in ingress["spec"]["tls"] for host in tls["hosts"]}
    assert all(tls["secretName"] for tls in ingress["spec"]["tls"])
    backends = set()
    for rule in ingress["spec"]["rules"]:
        assert rule["host"] in tls_hosts
        for path in rule["http"]["paths"]:
            service = path["backend"]["service"]
            ports = {port["name"] for port in m.find(docs, "Service", service["name"])["spec"]["ports"]}
            assert service["port"]["name"] in ports
            backends.add(service["name"])
    assert backends == {"vocalio-api", "vocalio-ui"}
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
    body_limit = annotations["nginx.ingress.kubernetes.io/proxy-body-size"]
    assert (
        body_limit.endswith("m")
        and int(body_limit[:-1]) * 2**20 >= ApiSettings.model_fields["max_upload_bytes"].default
    )


# ---- the workers' autoscaling ---------------------------------------------------------------------


def _triggers(scaled: m.Manifest) -> dict[str, dict]:
    return {trigger["name"]: trigger for trigger in scaled["spec"]["triggers"]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keda_scales_the_workers_by_the_seed_rule(rendered: dict[str, list[m.Manifest]], overlay: str) -> None:
    docs = rendered[overlay]
    scaled = m.find(docs, "ScaledObject", "vocalio-worker")
    assert scaled["spec"]["scaleTargetRef"]["name"] == "vocalio-worker"
    triggers = _triggers(scaled)
    assert set(triggers) == {"pending-jobs", "running-jobs"}
    api_service = m.find(docs, "Service", "vocalio-api")
    for trigger in triggers.values():
        assert trigger["type"] == "metrics-api" and trigger["metricType"] == "AverageValue"
        url = urlsplit(trigger["metadata"]["url"])
        namespace = api_service["metadata"]["namespace"]
        assert url.hostname == f"{api_service['metadata']['name']}.{namespace}.svc"
        assert url.port == api_service["spec"]["ports"][0]["port"]
        assert url.path == scaling.SCALING_SIGNAL_PATH
        assert trigger["metadata"]["valueLocation"] in ScalingSignal.model_fields
        assert trigger["metadata"]["authMode"] == "bearer"
        auth = m.find(docs, "TriggerAuthentication", trigger["authenticationRef"]["name"])
        assert [ref["parameter"] for ref in auth["spec"]["secretTargetRef"]] == ["token"]
    assert triggers["pending-jobs"]["metadata"]["valueLocation"] == "pending_jobs"
    assert float(triggers["pending-jobs"]["metadata"]["targetValue"]) == scaling.PENDING_JOBS_PER_WORKER
    concurrency = _env_value(
        docs,
        "vocalio-worker",
        "worker",
        "VOCALIO_MAX_CONCURRENT_JOBS",
        WorkerConfig.model_fields["max_concurrent_jobs"].default,
    )
    assert triggers["running-jobs"]["metadata"]["valueLocation"] == "running_jobs"
    assert float(triggers["running-jobs"]["metadata"]["targetValue"]) == float(concurrency)
    behavior = scaled["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
    assert behavior["scaleDown"]["stabilizationWindowSeconds"] == scaling.SCALE_IN_IDLE_S
    assert behavior["scaleUp"]["stabilizationWindowSeconds"] == 0
    # Scaled to zero only in the overlay made for it, and then after a configurable empty spell.
    if overlay == "scale-to-zero":
        assert scaled["spec"]["minReplicaCount"] == 0 and scaled["spec"]["cooldownPeriod"] > 0
        assert all(trigger["metadata"]["activationTargetValue"] == "0" for trigger in triggers.values())
    else:
        assert scaled["spec"]["minReplicaCount"] >= 1
    assert scaled["spec"]["maxReplicaCount"] >= scaled["spec"]["minReplicaCount"]


def test_the_scaling_signal_route_and_its_fields_exist() -> None:
    routes = {route.path: route for route in workers_router.routes}
    assert routes[scaling.SCALING_SIGNAL_PATH].response_model is ScalingSignal
    assert {"pending_jobs", "running_jobs"} <= set(ScalingSignal.model_fields)


# ---- pod security -------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_meets_the_restricted_pod_security_standard(
    rendered: dict[str, list[m.Manifest]], overlay: str
) -> None:
    """The namespace enforces `restricted`: a pod that breaks it would be refused at apply time, not here."""
    docs = rendered[overlay]
    (namespace,) = m.of_kind(docs, "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for doc in docs:  # every object in the namespace the standard is enforced on, components' ones too
        assert doc["metadata"]["labels"]["app.kubernetes.io/part-of"] == "vocalio", doc["metadata"]["name"]
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == namespace["metadata"]["name"], doc["metadata"]["name"]
    workloads = m.of_kind(docs, "Deployment") + m.of_kind(docs, "StatefulSet")
    for workload in workloads:
        name, spec = workload["metadata"]["name"], m.pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] > 0, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert not {"hostNetwork", "hostPID", "hostIPC"} & set(spec), name
        assert all(
            set(volume) - {"name"} <= {"persistentVolumeClaim", "emptyDir", "configMap"}
            for volume in spec.get("volumes", [])
        )
        for item in spec.get("initContainers", []) + spec["containers"]:
            context = item["securityContext"]
            assert context["allowPrivilegeEscalation"] is False and context["capabilities"] == {"drop": ["ALL"]}, name
            assert not context.get("privileged") and all("hostPort" not in port for port in item.get("ports", []))
            assert "memory" in item["resources"]["limits"], f"{name}/{item['name']} has no memory limit"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscaled_deployments_leave_the_replica_count_to_their_autoscaler(
    rendered: dict[str, list[m.Manifest]], overlay: str
) -> None:
    """A `replicas` field would reset the scale on every `kubectl apply`, fighting the HPA."""
    docs = rendered[overlay]
    scaled = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in m.of_kind(docs, "HorizontalPodAutoscaler")}
    scaled |= {obj["spec"]["scaleTargetRef"]["name"] for obj in m.of_kind(docs, "ScaledObject")}
    assert scaled == {"vocalio-api", "vocalio-worker"}
    for name in scaled:
        assert "replicas" not in m.find(docs, "Deployment", name)["spec"], name
