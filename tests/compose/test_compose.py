"""The compose files: valid against the Compose specification, accepted by `podman-compose config`, and
holding the promises of docs/operations/compose.md (healthchecks, ordering, secrets, ports, volumes, GPU, split)."""

import importlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from vocalio_cli.env_example import SETTINGS_CLASSES
from vocalio_shared.settings import ENV_PREFIX

from tests.compose import compose_files as cf

SERVICES_HOST_SERVICES = {
    "secrets-init",
    "redis",
    "postgres",
    "migrate",
    "api",
    "llm_bridge",
    "ui",
    "prometheus",
    "grafana",
    "proxy",
}
MODELS_HOST_SERVICES = {"worker", "ollama", "ollama-pull"}
VOCALIO_SERVICES = {"migrate", "api", "worker", "llm_bridge", "ui"}
# Compose-level variables (passwords, addresses, ports, image tags): read by compose, not by a service.
COMPOSE_ONLY_VARIABLES = {
    "VOCALIO_POSTGRES_PASSWORD",
    "VOCALIO_REDIS_PASSWORD",
    "VOCALIO_GRAFANA_ADMIN_USER",
    "VOCALIO_GRAFANA_ADMIN_PASSWORD",
    "VOCALIO_BIND_ADDRESS",
    "VOCALIO_SERVICES_ADDRESS",
    "VOCALIO_MODELS_ADDRESS",
    "VOCALIO_API_PUBLISHED_PORT",
    "VOCALIO_UI_PUBLISHED_PORT",
    "VOCALIO_GRAFANA_PUBLISHED_PORT",
    "VOCALIO_WORKER_METRICS_PORTS",
    "VOCALIO_WORKER_GPUS",
    "VOCALIO_OLLAMA_GPUS",
    "VOCALIO_IMAGE_TAG",
    "VOCALIO_PROMETHEUS_RETENTION",
    "VOCALIO_PROMETHEUS_URL",
    "VOCALIO_DOMAIN",
    "VOCALIO_HTTPS_PUBLISHED_PORT",
    "VOCALIO_TLS_DIR",
}
SECRETS_MOUNT = "/run/vocalio-secrets"
LAYOUTS = [cf.SINGLE_HOST, cf.CPU, cf.SERVICES_HOST, cf.MODELS_HOST, cf.MODELS_HOST_CPU]


# ---- the specification -------------------------------------------------------------------------


@pytest.mark.parametrize("name", cf.ALL_FILES)
def test_each_file_is_valid_against_the_compose_spec(name: str) -> None:
    cf.validate(cf.load(name))


def _config(podman_compose: list[str], tmp_path: Path, files: tuple[str, ...], env: dict[str, str], *extra: str):
    """`podman-compose config` on copies of the files in an empty directory, so no developer `.env` leaks in."""
    for name in cf.ALL_FILES:
        shutil.copy(cf.ROOT / name, tmp_path / name)
    args = [*podman_compose, *[arg for name in files for arg in ("-f", name)], *extra, "config"]
    process_env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)} | env
    return subprocess.run(args, cwd=tmp_path, env=process_env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("files", LAYOUTS, ids=["+".join(files) for files in LAYOUTS])
@pytest.mark.parametrize("profile", [(), ("--profile", "llm")], ids=["default", "llm"])
def test_podman_compose_config_accepts_every_layout(
    podman_compose: list[str], tmp_path: Path, files: tuple[str, ...], profile: tuple[str, ...]
) -> None:
    result = _config(podman_compose, tmp_path, files, cf.SAMPLE_ENV, *profile)
    assert result.returncode == 0, result.stderr[-3000:]
    merged = yaml.safe_load(result.stdout)
    cf.validate(merged)
    assert set(merged["services"]) <= SERVICES_HOST_SERVICES | MODELS_HOST_SERVICES


def test_cpu_override_merged_by_podman_compose_drops_every_gpu_reservation(
    podman_compose: list[str], tmp_path: Path
) -> None:
    result = _config(podman_compose, tmp_path, cf.CPU, cf.SAMPLE_ENV, "--profile", "llm")
    assert result.returncode == 0, result.stderr[-3000:]
    services = yaml.safe_load(result.stdout)["services"]
    assert "nvidia" not in result.stdout
    assert services["worker"]["build"]["target"] == "worker"
    assert _build_args(services["worker"]["build"]) == {"LOCK": "worker"}  # the CPU lock: no torch, no CUDA
    assert services["worker"]["environment"]["VOCALIO_ENGINE"] == "auto"  # Kokoro on a CPU, else eSpeak
    assert "deploy" not in services["worker"] or not services["worker"]["deploy"]


@pytest.mark.parametrize(
    ("files", "variable"),
    [
        # The models host has no secrets-init: its tokens come in the one file copied from the services host.
        (cf.MODELS_HOST, "VOCALIO_WORKER_TOKEN"),
        (cf.SERVICES_HOST, "VOCALIO_SERVICES_ADDRESS"),
        (cf.MODELS_HOST, "VOCALIO_API_URL"),
        # (VOCALIO_REDIS_URL is not here: pull workers, the models host's default, need no Redis)
        (cf.MODELS_HOST, "VOCALIO_MODELS_ADDRESS"),
    ],
)
def test_a_missing_required_secret_or_address_stops_compose_naming_it(
    podman_compose: list[str], tmp_path: Path, files: tuple[str, ...], variable: str
) -> None:
    env = {key: value for key, value in cf.SAMPLE_ENV.items() if key != variable}
    with pytest.raises(cf.InterpolationError, match=variable):
        for name in files:
            cf.load(name, env)
    result = _config(podman_compose, tmp_path, files, env)
    assert result.returncode != 0
    assert variable in result.stderr


def test_interpolation_follows_the_compose_rules() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert cf.interpolate_string("$$HOME ${SET} $SET", env) == "$HOME x x"
    assert cf.interpolate_string("${EMPTY:-d} ${EMPTY-d} ${UNSET-d}", env) == "d  d"
    assert cf.interpolate_string("${SET:+alt}${EMPTY:+alt}${EMPTY+e}", env) == "alte"
    assert cf.interpolate_string("${UNSET:-${SET}}", env) == "x"
    with pytest.raises(cf.InterpolationError, match="EMPTY is missing a value: say so"):
        cf.interpolate_string("${EMPTY:?say so}", env)
    assert cf.interpolate_string("${EMPTY?fine}", env) == ""


# ---- what every service promises ---------------------------------------------------------------


def _services(files: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = {}
    for name in files:
        for service_name, service in cf.load(name)["services"].items():
            services[service_name] = services.get(service_name, {}) | service
    return services


@pytest.mark.parametrize("name", ["compose.yaml", "compose.services.yaml", "compose.models.yaml"])
def test_every_long_running_service_has_a_healthcheck_and_a_restart_policy(name: str) -> None:
    for service_name, service in cf.load(name)["services"].items():
        if service.get("restart") == "no":  # one-shot jobs: others wait for them to complete
            assert service.get("healthcheck") == {"disable": True}, service_name
            continue
        assert service.get("restart") == "unless-stopped", service_name
        healthcheck = service.get("healthcheck", {})
        assert healthcheck.get("test") and not healthcheck.get("disable"), f"{service_name} has no healthcheck"


@pytest.mark.parametrize("name", ["compose.yaml", "compose.services.yaml", "compose.models.yaml"])
def test_dependencies_wait_for_health_or_completion(name: str) -> None:
    services = cf.load(name)["services"]
    for service_name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in services, f"{service_name} depends on {dependency}, which {name} lacks"
            expected = "service_healthy" if cf.long_running(services[dependency]) else "service_completed_successfully"
            assert condition == {"condition": expected}, f"{service_name} -> {dependency}"


@pytest.mark.parametrize("name", ["compose.yaml", "compose.services.yaml"])
def test_migrations_run_before_the_api_serves(name: str) -> None:
    services = cf.load(name)["services"]
    assert services["migrate"]["command"] == ["vocalio", "db", "upgrade"]
    assert services["migrate"]["image"] == services["api"]["image"]
    assert services["migrate"]["environment"] == services["api"]["environment"]
    assert services["api"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_only_api_ui_grafana_and_the_tls_proxy_are_published_on_loopback_by_default() -> None:
    env = dict(cf.SAMPLE_ENV)
    services = cf.load("compose.yaml", env)["services"]
    published = {name: service["ports"] for name, service in services.items() if service.get("ports")}
    assert published == {
        "api": ["127.0.0.1:8000:8000"],
        "ui": ["127.0.0.1:8080:8080"],
        "grafana": ["127.0.0.1:3000:3000"],
        "proxy": ["127.0.0.1:443:443", "127.0.0.1:8443:8443", "127.0.0.1:3443:3443"],
    }
    assert services["proxy"]["environment"] == {"SITE_DOMAIN": "localhost", "SITE_ADDRESS": "127.0.0.1"}
    moved_env = env | {"VOCALIO_BIND_ADDRESS": "192.168.1.5", "VOCALIO_API_PUBLISHED_PORT": "18000"}
    moved = cf.load("compose.yaml", moved_env)
    assert moved["services"]["api"]["ports"] == ["192.168.1.5:18000:8000"]
    assert moved["services"]["ui"]["ports"] == ["192.168.1.5:8080:8080"]


@pytest.mark.parametrize("name", ["compose.yaml", "compose.services.yaml", "compose.models.yaml"])
def test_one_internal_network_for_all(name: str) -> None:
    loaded = cf.load(name)
    assert list(loaded["networks"]) == ["vocalio"]
    for service_name, service in loaded["services"].items():
        assert service.get("networks") == ["vocalio"], service_name


def test_named_volumes_hold_every_piece_of_state() -> None:
    services = cf.load("compose.yaml")["services"]
    mounts = {name: service.get("volumes", []) for name, service in services.items()}
    assert "postgres-data:/var/lib/postgresql/data" in mounts["postgres"]
    assert "redis-data:/data" in mounts["redis"]
    assert "audio:/data" in mounts["api"]
    assert "model-cache:/models" in mounts["worker"]
    assert services["worker"]["environment"]["HF_HOME"] == "/models"
    assert "ollama-models:/root/.ollama" in mounts["ollama"]
    assert "prometheus-data:/prometheus" in mounts["prometheus"]
    assert "grafana-data:/var/lib/grafana" in mounts["grafana"]
    assert "--appendonly" in services["redis"]["command"]
    assert "secrets:/run/vocalio-secrets" in mounts["secrets-init"]  # the only writer; the rest mount it :ro


def test_worker_gpu_passthrough_count_is_configurable() -> None:
    def devices(env: dict[str, str]) -> list[dict[str, Any]]:
        return cf.load("compose.yaml", env)["services"]["worker"]["deploy"]["resources"]["reservations"]["devices"]

    assert devices(cf.SAMPLE_ENV) == [{"driver": "nvidia", "count": "all", "capabilities": ["gpu"]}]
    assert devices(cf.SAMPLE_ENV | {"VOCALIO_WORKER_GPUS": "2"})[0]["count"] == "2"


def test_workers_can_scale() -> None:
    """`--scale worker=N` needs no fixed container name, no fixed host port and no fixed worker id."""
    for name in ("compose.yaml", "compose.models.yaml"):
        worker = cf.load(name)["services"]["worker"]
        assert "container_name" not in worker
        assert "VOCALIO_WORKER_ID" not in worker["environment"]  # default hostname-pid differs per replica
        for port in worker.get("ports", []):
            assert re.fullmatch(r"[\d.]+:\d+-\d+:9100", port), f"{name}: {port} is not a host port range"


def test_the_llm_profile_holds_ollama_and_its_one_shot_pull() -> None:
    services = cf.load("compose.yaml")["services"]
    assert {name for name, service in services.items() if service.get("profiles")} == {"ollama", "ollama-pull"}
    assert services["ollama"]["healthcheck"]["test"] == ["CMD", "ollama", "list"]
    assert services["ollama-pull"]["entrypoint"] == ["ollama", "pull", "qwen2.5:7b"]
    assert services["ollama-pull"]["environment"]["OLLAMA_HOST"] == "http://ollama:11434"
    assert services["llm_bridge"]["environment"]["VOCALIO_OLLAMA_URL"] == ""  # rules only unless set


def test_every_vocalio_variable_given_to_a_service_is_a_real_setting() -> None:
    known = set()
    for _, module_name, class_name in SETTINGS_CLASSES:
        settings_class = getattr(importlib.import_module(module_name), class_name)
        known |= {f"{ENV_PREFIX}{field.upper()}" for field in settings_class.model_fields}
    for name in ("compose.yaml", "compose.services.yaml", "compose.models.yaml"):
        for service_name, service in cf.load(name)["services"].items():
            if service_name not in VOCALIO_SERVICES:
                continue
            unknown = {key for key in service["environment"] if key.startswith(ENV_PREFIX)} - known
            assert not unknown, f"{name}: {service_name} gets variables no settings class reads: {unknown}"
    raw = "".join((cf.ROOT / name).read_text() for name in cf.ALL_FILES)
    referenced = set(re.findall(r"\$\{(VOCALIO_[A-Z0-9_]+)", raw))
    assert not referenced - known - COMPOSE_ONLY_VARIABLES, (
        "document new compose variables in docs/operations/compose.md (Secrets and settings)"
    )


# ---- the split-VM layout -----------------------------------------------------------------------


def test_split_files_cover_the_single_host_stack_between_them() -> None:
    single = set(cf.load("compose.yaml")["services"])
    services_host = set(cf.load("compose.services.yaml")["services"])
    models_host = set(cf.load("compose.models.yaml")["services"])
    assert services_host == SERVICES_HOST_SERVICES
    assert models_host == MODELS_HOST_SERVICES
    assert services_host | models_host == single


@pytest.mark.parametrize("key", ["image", "build", "command", "healthcheck", "volumes", "profiles", "entrypoint"])
def test_split_service_definitions_do_not_drift_from_compose_yaml(key: str) -> None:
    single = cf.load("compose.yaml")["services"]
    split = cf.load("compose.services.yaml")["services"] | cf.load("compose.models.yaml")["services"]
    for name, service in split.items():
        if name == "secrets-init" and key == "command":  # the services host also writes models-host.env
            assert service[key][: len(single[name][key])] == single[name][key]
            assert service[key][len(single[name][key]) :][0] == "--derive"
            assert service[key][-1].startswith("models-host.env=")
            continue
        if name == "worker" and key == "volumes":  # the models host has no secrets volume: its `.env` is a copied file
            kept = [v for v in single[name][key] if not v.startswith("secrets:")]
            assert service[key] == [*kept, "./tls:/run/vocalio-tls:ro,z"]  # and the proxy's CA, another
            continue
        if name == "prometheus" and key == "command":  # the services host's config lists remote workers
            assert service[key] == [single[name][key][0].replace("prometheus.yml", "prometheus-services-host.yml")]
            continue
        assert service.get(key) == single[name].get(key), f"{name}.{key} differs from compose.yaml"


def test_the_hosts_meet_only_through_configured_addresses() -> None:
    models_raw = (cf.ROOT / "compose.models.yaml").read_text()
    code_lines = [line.split("#", 1)[0] for line in models_raw.splitlines()]
    assert not [line for line in code_lines if "localhost" in line or ("127.0.0.1" in line and "urlopen" not in line)]
    worker = cf.load("compose.models.yaml")["services"]["worker"]
    env = worker["environment"]
    assert env["VOCALIO_API_URL"] == cf.SAMPLE_ENV["VOCALIO_API_URL"]
    assert env["VOCALIO_LLM_BRIDGE_URL"] == cf.SAMPLE_ENV["VOCALIO_LLM_BRIDGE_URL"]
    assert env["VOCALIO_CA_BUNDLE"] == cf.SAMPLE_ENV["VOCALIO_CA_BUNDLE"]
    assert "depends_on" not in worker  # nothing on this host to wait for
    services = cf.load("compose.services.yaml")["services"]
    address = cf.SAMPLE_ENV["VOCALIO_SERVICES_ADDRESS"]
    # The models host calls the proxy alone, over HTTPS, on the private address; nothing else is published there.
    assert services["proxy"]["ports"] == [f"{address}:{port}:{port}" for port in (80, 443, 8443, 3443)]
    on_private = {
        name for name, service in services.items() for port in service.get("ports", []) if port.startswith(address)
    }
    assert on_private == {"proxy"}
    assert "ports" not in services["redis"] and "ports" not in services["llm_bridge"]
    assert services["proxy"]["environment"]["SITE_ADDRESS"] == address  # the address's certificate: local CA
    # Redis's password is in its config file; the services' Redis URL (with it) is a secret file.
    assert services["redis"]["command"][:2] == ["redis-server", f"{SECRETS_MOUNT}/redis.conf"]
    assert "VOCALIO_REDIS_URL" not in services["api"]["environment"]
    assert "redis.conf=requirepass {redis_password}" in services["secrets-init"]["command"]


def test_pull_workers_need_no_redis_url_on_the_models_host() -> None:
    without_redis = {k: v for k, v in cf.SAMPLE_ENV.items() if k != "VOCALIO_REDIS_URL"}
    env = cf.load("compose.models.yaml", without_redis)["services"]["worker"]["environment"]
    assert env["VOCALIO_WORKER_MODE"] == "pull" and env["VOCALIO_REDIS_URL"] == ""
    assert cf.load("compose.models.yaml", cf.SAMPLE_ENV)["services"]["worker"]["environment"]["VOCALIO_REDIS_URL"]


def test_the_proxy_routes_the_api_the_llm_bridge_the_dashboard_and_grafana_with_tls() -> None:
    caddyfile = (cf.ROOT / "caddy" / "Caddyfile").read_text()
    code = "\n".join(line.split("#", 1)[0] for line in caddyfile.splitlines())
    assert "default_sni {$SITE_ADDRESS}" in code  # IP clients send no SNI
    for upstream in ("api:8000", "llm_bridge:8002", "ui:8080", "grafana:3000"):
        assert f"reverse_proxy {upstream}" in code, upstream
    assert "handle_path /llm-bridge/*" in code
    assert "tls off" not in code and "http://" not in code  # every site is HTTPS
    for service in ("compose.yaml", "compose.services.yaml"):
        proxy = cf.load(service)["services"]["proxy"]
        assert proxy["image"].startswith("docker.io/library/caddy:2.")
        assert "./caddy/Caddyfile:/etc/caddy/Caddyfile:ro,z" in proxy["volumes"]
        assert "caddy-data:/data" in proxy["volumes"]  # the local CA and the certificates outlive the container


# ---- images ------------------------------------------------------------------------------------

DOCKERFILE = cf.ROOT / "Dockerfile"
# Every image is a target of the one Dockerfile, installing the lock named by its LOCK build argument.
TARGET_LOCKS = {"api": "api", "worker": "worker", "worker-gpu": "gpu", "ui": "ui", "llm-bridge": "llm"}


def _build_args(build: dict[str, Any]) -> dict[str, str]:
    """A build's args, written as a mapping or as a list of KEY=VALUE (both are Compose)."""
    args = build.get("args") or {}
    return dict(item.split("=", 1) for item in args) if isinstance(args, list) else dict(args)


def _stages(text: str) -> dict[str, dict[str, Any]]:
    """stage name -> {"from": its base (ARG defaults filled in), "lines": its instructions, joined}."""
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, flags=re.MULTILINE))
    stages: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for line in text.replace("\\\n", " ").splitlines():
        if match := re.match(r"^FROM (\S+) AS (\S+)$", line):
            base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], match.group(1))
            current = stages[match.group(2)] = {"from": base, "lines": []}
        elif current is not None and line and not line.startswith("#"):
            current["lines"].append(line)
    return stages


def _chain(stages: dict[str, dict[str, Any]], target: str) -> list[str]:
    """The instructions a target ends up with: its base stages' first, its own last."""
    lines: list[str] = []
    while target in stages:
        lines = stages[target]["lines"] + lines
        target = stages[target]["from"]
    return lines


def _last(lines: list[str], instruction: str) -> str | None:
    found = [line for line in lines if line.startswith(instruction + " ")]
    return found[-1] if found else None


def test_one_dockerfile_builds_every_image() -> None:
    assert sorted(str(p.relative_to(cf.ROOT)) for p in cf.ROOT.glob("services/**/Dockerfile")) == []
    stages = _stages(DOCKERFILE.read_text())
    assert set(TARGET_LOCKS) <= set(stages)
    roots = {stage["from"] for stage in stages.values() if stage["from"] not in stages}
    assert len(roots) == 1, roots  # one base for every image, CPU and GPU alike
    for base in roots:
        assert re.search(r":\d+(\.\d+)+[-\w.]*$", base) or "@sha256:" in base, f"{base} is not pinned"
        assert "slim" in base


@pytest.mark.parametrize("target", TARGET_LOCKS)
def test_each_image_target_is_non_root_with_a_healthcheck_and_a_command(target: str) -> None:
    lines = _chain(_stages(DOCKERFILE.read_text()), target)
    user = _last(lines, "USER")
    assert user and user.split()[1] not in ("root", "0")
    assert _last(lines, "HEALTHCHECK") and "/health" in _last(lines, "HEALTHCHECK")  # type: ignore[operator]
    assert _last(lines, "CMD") and _last(lines, "EXPOSE")
    assert any("COPY --from=build /opt/venv" in line for line in lines)  # the runtime holds no build stage


@pytest.mark.parametrize("target", ["worker", "worker-gpu"])
def test_worker_images_keep_the_model_volume_and_drain_on_sigterm(target: str) -> None:
    lines = _chain(_stages(DOCKERFILE.read_text()), target)
    assert 'VOLUME ["/models"]' in lines
    assert any(line.startswith("ENV ") and "HF_HOME=/models" in line for line in lines)
    assert _last(lines, "STOPSIGNAL") == "STOPSIGNAL SIGTERM"


def test_the_gpu_worker_asks_for_the_gpus_and_the_cpu_worker_picks_its_engine() -> None:
    stages = _stages(DOCKERFILE.read_text())
    gpu_env = " ".join(line for line in _chain(stages, "worker-gpu") if line.startswith("ENV "))
    cpu_env = " ".join(line for line in _chain(stages, "worker") if line.startswith("ENV "))
    assert "NVIDIA_VISIBLE_DEVICES=all" in gpu_env and "compute" in gpu_env
    assert gpu_env.rsplit("VOCALIO_ENGINE=", 1)[1].split()[0] == "auto"
    assert cpu_env.rsplit("VOCALIO_ENGINE=", 1)[1].split()[0] == "auto" and "NVIDIA" not in cpu_env
    assert "VOCALIO_KOKORO_WEIGHTS_DIR=/models/kokoro" in cpu_env  # Kokoro's download lands in the volume
    assert "--start-period=300s" in _last(_chain(stages, "worker-gpu"), "HEALTHCHECK")  # type: ignore[operator]


def test_images_install_the_lock_alone_in_a_layer_before_the_code() -> None:
    build = _stages(DOCKERFILE.read_text())["build"]["lines"]
    copy_lock = build.index("COPY requirements/${LOCK}.txt /tmp/requirements.txt")
    install = next(i for i, line in enumerate(build) if "-r /tmp/requirements.txt" in line)
    copy_code = build.index("COPY services/ services/")
    assert copy_lock < install < copy_code
    assert "--require-hashes" in build[install] and "--no-deps" in build[install]
    assert not [line for line in build if re.search(r"pip install(?!.*(-r /tmp/requirements.txt|--no-index))", line)]


@pytest.mark.parametrize("name", cf.ALL_FILES)
def test_compose_builds_name_a_target_and_its_lock(name: str) -> None:
    stages = _stages(DOCKERFILE.read_text())
    for service_name, service in cf.load(name)["services"].items():
        build = service.get("build")
        if not build:
            continue
        if name != "compose.cpu.yaml":  # the CPU override changes the target and LOCK only
            assert build["context"] == "." and build["dockerfile"] == "Dockerfile", service_name
        target, lock = build["target"], _build_args(build)["LOCK"]
        assert target in stages and TARGET_LOCKS[target] == lock, (service_name, target, lock)
        assert (cf.ROOT / "requirements" / f"{lock}.txt").is_file()


def test_dockerignore_keeps_the_context_to_what_images_install() -> None:
    lines = (cf.ROOT / ".dockerignore").read_text().splitlines()
    assert lines[lines.index("*")] == "*"
    assert {"!requirements/*.txt", "!pyproject.toml", "!README.md", "!services/"} <= set(lines)
