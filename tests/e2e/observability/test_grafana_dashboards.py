"""Grafana provisioning, and every dashboard panel's PromQL run against a real Prometheus scraping real services.

Grafana itself cannot be installed here, so the test does what Grafana would: a real `prometheus` scrapes a
real API process (after a little traffic) and a real llm_bridge (through its bearer token, as in compose)
every second, then each panel's query, with Grafana's variables replaced, goes to /api/v1/query.
"""

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from vocalio_cli.embedded_redis import free_port

from tests.e2e.observability.prom_tools import GRAFANA_DIR, require_binary
from tests.support.processes import ApiProcess, ServiceProcess

DATASOURCE_UID = "vocalio-prometheus"
DASHBOARDS = sorted((GRAFANA_DIR / "dashboards").glob("*.json"))
# Panels that must show data on a stack with an API and no job finished yet.
CORE_PANELS = {"Queue depth by lane", "Jobs by status", "HTTP request rate by route", "Workers by state", "API up"}
GRAFANA_VARIABLES = {
    "$__rate_interval": "30s",
    "$__interval": "5s",
    "$__range": "1m",
    "$instance": ".*",
}
BRIDGE_TOKEN = "bridge-token-for-prometheus-0123"


def _panels() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            yield path.name, panel


def _concrete(expr: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    assert "$" not in expr, f"a Grafana variable the test does not know: {expr}"
    return expr


# ---- provisioning files --------------------------------------------------------------------------


def test_the_datasource_is_provisioned_with_a_fixed_uid() -> None:
    provisioned = yaml.safe_load((GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml").read_text())
    (datasource,) = provisioned["datasources"]
    assert datasource["uid"] == DATASOURCE_UID and datasource["type"] == "prometheus"
    assert datasource["url"] == "${VOCALIO_PROMETHEUS_URL}"  # set in compose: http://prometheus:9090


def test_dashboards_are_provisioned_from_the_mounted_folder() -> None:
    provisioned = yaml.safe_load((GRAFANA_DIR / "provisioning" / "dashboards" / "vocalio.yml").read_text())
    (provider,) = provisioned["providers"]
    assert provider["options"]["path"] == "/etc/grafana/dashboards"  # compose mounts grafana/dashboards there
    compose = yaml.safe_load((GRAFANA_DIR.parent / "compose.yaml").read_text())
    assert "./grafana/dashboards:/etc/grafana/dashboards:ro,z" in compose["services"]["grafana"]["volumes"]


def test_the_four_dashboards_exist_with_unique_uids_and_the_fixed_datasource() -> None:
    titles, uids = set(), set()
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        titles.add(dashboard["title"])
        uids.add(dashboard["uid"])
        panel_ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(panel_ids) == len(set(panel_ids)), path.name
        for panel in dashboard["panels"]:
            assert panel["targets"], f"{path.name}: {panel['title']} has no query"
            for target in [panel, *panel["targets"]]:
                assert target["datasource"] == {"type": "prometheus", "uid": DATASOURCE_UID}, panel["title"]
    assert titles == {
        "Vocalio — Overview",
        "Vocalio — Workers & GPU",
        "Vocalio — Jobs & latency",
        "Vocalio — LLM bridge",
    }
    assert len(uids) == len(DASHBOARDS)


def test_core_panels_exist() -> None:
    assert {panel["title"] for _, panel in _panels()} >= CORE_PANELS


# ---- every panel against a real Prometheus -------------------------------------------------------


def _wait_for(check: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (httpx.HTTPError, ValueError):  # not listening yet, or 503 while starting
            pass
        time.sleep(0.25)
    raise TimeoutError(f"gave up waiting for {what}")


@pytest.fixture
def scraped_prometheus(redis_url: str, tmp_path: Path) -> Iterator[str]:
    prometheus = require_binary("prometheus")
    api = ApiProcess(tmp_path / "api", redis_url)
    api.data_dir.mkdir()
    api.start(timeout_s=60)
    bridge_port = free_port()
    bridge = ServiceProcess(
        "llm_bridge",
        [sys.executable, "-m", "vocalio_llm_bridge.server"],
        {
            "VOCALIO_LLM_BRIDGE_HOST": "127.0.0.1",
            "VOCALIO_LLM_BRIDGE_PORT": str(bridge_port),
            "VOCALIO_LLM_BRIDGE_TOKEN": BRIDGE_TOKEN,
            "VOCALIO_REDIS_URL": redis_url,
            "VOCALIO_OLLAMA_URL": "",
        },
        f"http://127.0.0.1:{bridge_port}/health",
        tmp_path,
    )
    prometheus_process: subprocess.Popen[bytes] | None = None
    try:
        bridge.start(timeout_s=60)
        headers = {"Authorization": f"Bearer {api.admin_key}"}
        for index in range(3):  # a little traffic: queued jobs in two lanes, reads, a 404
            answer = httpx.post(
                f"{api.base_url}/api/v1/jobs",
                headers=headers,
                json={"text": f"Hola número {index}.", "priority": "high" if index else "bulk"},
                timeout=10,
            )
            assert answer.status_code == 202, answer.text
            httpx.get(f"{api.base_url}/api/v1/jobs/{answer.json()['id']}", headers=headers, timeout=10)
        httpx.get(f"{api.base_url}/api/v1/jobs/nope", headers=headers, timeout=10)

        token_file = tmp_path / "llm_bridge_token"
        token_file.write_text(BRIDGE_TOKEN)
        config = yaml.safe_load((GRAFANA_DIR.parent / "prometheus" / "prometheus.yml").read_text())
        jobs = {job["job_name"]: job for job in config["scrape_configs"]}
        bridge_job = jobs["llm_bridge"] | {
            "authorization": {"type": "Bearer", "credentials_file": str(token_file)},
            "static_configs": [{"targets": [f"127.0.0.1:{bridge_port}"]}],
        }
        api_job = jobs["api"] | {"static_configs": [{"targets": [f"127.0.0.1:{api.port}"]}]}
        test_config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [api_job, bridge_job],
        }
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(test_config))
        port = free_port()
        log = (tmp_path / "prometheus.log").open("wb")
        prometheus_process = subprocess.Popen(
            [
                prometheus,
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"

        def scraped_three_times() -> bool:
            answer = httpx.get(f"{url}/api/v1/query", params={"query": "count_over_time(up[1m]) >= 3 and up == 1"})
            return len(answer.json()["data"]["result"]) == 2

        try:
            _wait_for(scraped_three_times, 60, "three successful scrapes of the API and the llm_bridge")
        except TimeoutError:
            targets = httpx.get(f"{url}/api/v1/targets").text if prometheus_process.poll() is None else ""
            raise AssertionError(f"{targets}\n{(tmp_path / 'prometheus.log').read_text()[-3000:]}") from None
        yield url
    finally:
        if prometheus_process is not None:
            prometheus_process.terminate()
            prometheus_process.wait(15)
        bridge.stop()
        api.stop()


def test_every_panel_query_runs_and_core_panels_show_data(scraped_prometheus: str) -> None:
    failures, empty_core = [], []
    ran = 0
    for dashboard, panel in _panels():
        for target in panel["targets"]:
            expr = _concrete(target["expr"])
            answer = httpx.get(f"{scraped_prometheus}/api/v1/query", params={"query": expr}, timeout=10).json()
            ran += 1
            if answer["status"] != "success":
                failures.append(f"{dashboard} / {panel['title']}: {expr}: {answer.get('error')}")
            elif panel["title"] in CORE_PANELS and not answer["data"]["result"]:
                empty_core.append(f"{dashboard} / {panel['title']}: {expr}")
    assert not failures, "\n".join(failures)
    assert not empty_core, "core panels without data:\n" + "\n".join(empty_core)
    assert ran >= 40
    # the llm_bridge's /metrics was scraped through the bearer token, as prometheus.yml does it in compose
    answer = httpx.get(f"{scraped_prometheus}/api/v1/query", params={"query": 'up{job="llm_bridge"}'}).json()
    assert [sample["value"][1] for sample in answer["data"]["result"]] == ["1"]


def test_grafana_variables_in_dashboards_are_all_known() -> None:
    for _, panel in _panels():
        for target in panel["targets"]:
            for variable in re.findall(r"\$\w+", target["expr"]):
                assert variable in GRAFANA_VARIABLES, f"{panel['title']}: {variable}"
