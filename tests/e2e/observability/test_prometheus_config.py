"""Prometheus files: `promtool check config`, `check rules` and `test rules` pass, and every alert is tested."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.observability.prom_tools import PROMETHEUS_DIR, require_binary

CONFIGS = ["prometheus.yml", "prometheus-services-host.yml"]
REQUIRED_ALERTS = {
    "VocalioWorkerDown",
    "VocalioNoLiveWorker",
    "VocalioBacklogGrowing",
    "VocalioJobFailureRateHigh",
    "VocalioGpuOutOfMemory",
    "VocalioJobLatencyP95High",
    "VocalioApiLatencyP95High",
    "VocalioWebhookDeliveriesFailing",
}


@pytest.fixture(scope="module")
def promtool() -> str:
    return require_binary("promtool")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _alerts() -> dict[str, dict[str, Any]]:
    alerts = {}
    for rules_file in sorted((PROMETHEUS_DIR / "rules").glob("*.yml")):
        for group in _load(rules_file)["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    alerts[rule["alert"]] = rule
    return alerts


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("config", CONFIGS)
def test_promtool_check_config_passes(promtool: str, tmp_path: Path, config: str) -> None:
    """On a copy whose token file exists: compose's entrypoint writes /prometheus/llm_bridge_token at start."""
    copy = tmp_path / "prometheus"
    shutil.copytree(PROMETHEUS_DIR, copy)
    token_file = tmp_path / "llm_bridge_token"
    token_file.write_text("token")
    text = (copy / config).read_text()
    assert "/prometheus/llm_bridge_token" in text
    (copy / config).write_text(text.replace("/prometheus/llm_bridge_token", str(token_file)))
    result = _run([promtool, "check", "config", config], copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_promtool_check_rules_passes(promtool: str) -> None:
    files = sorted(str(path) for path in (PROMETHEUS_DIR / "rules").glob("*.yml"))
    result = _run([promtool, "check", "rules", *files], PROMETHEUS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_test_rules_passes(promtool: str) -> None:
    files = sorted(str(path) for path in (PROMETHEUS_DIR / "tests").glob("*.yml"))
    assert files
    result = _run([promtool, "test", "rules", *files], PROMETHEUS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_firing_and_a_quiet_unit_test() -> None:
    alerts = _alerts()
    assert set(alerts) >= REQUIRED_ALERTS
    fires: set[str] = set()
    quiet: set[str] = set()
    for test_file in (PROMETHEUS_DIR / "tests").glob("*.yml"):
        for case in _load(test_file)["tests"]:
            for check in case.get("alert_rule_test", []):
                (fires if check.get("exp_alerts") else quiet).add(check["alertname"])
    assert set(alerts) <= fires, f"alerts never tested firing: {set(alerts) - fires}"
    assert set(alerts) <= quiet, f"alerts never tested staying quiet: {set(alerts) - quiet}"
    for name, rule in alerts.items():
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], name


def test_both_configs_scrape_the_same_jobs_and_workers_by_discovery() -> None:
    single, split = (_load(PROMETHEUS_DIR / name) for name in CONFIGS)
    jobs = {job["job_name"]: job for job in single["scrape_configs"]}
    split_jobs = {job["job_name"]: job for job in split["scrape_configs"]}
    assert set(jobs) == set(split_jobs) == {"api", "worker", "llm_bridge", "prometheus", "grafana"}
    for name in jobs.keys() - {"worker"}:
        assert jobs[name] == split_jobs[name], name
    assert single["rule_files"] == split["rule_files"] == ["rules/*.yml"]
    # every replica of `--scale worker=N`, not one: DNS service discovery on the compose service name
    assert jobs["worker"]["dns_sd_configs"] == [
        {"names": ["worker"], "type": "A", "port": 9100, "refresh_interval": "15s"}
    ]
    assert split_jobs["worker"]["file_sd_configs"][0]["files"] == ["targets/*.yml"]
    assert jobs["llm_bridge"]["authorization"]["credentials_file"] == "/prometheus/llm_bridge_token"


def test_the_models_host_targets_example_is_a_valid_file_sd_list() -> None:
    example = _load(PROMETHEUS_DIR / "targets" / "models-host.yml.example")
    assert example[0]["targets"] and all(":" in target for target in example[0]["targets"])
    assert not list((PROMETHEUS_DIR / "targets").glob("*.yml")), "targets/*.yml are per-deployment files"
