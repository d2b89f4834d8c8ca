"""Every overlay rendered once per session by the real renderer (`deploy/kubernetes/render.py`, the script
`make k8s-render` runs), as a subprocess, exactly as an operator would."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.manifests import RENDER_SCRIPT, Manifest, load_documents, render_module

# Four overlays through kubectl kustomize take about a second; the bound is for a wedged binary.
RENDER_TIMEOUT_S = 120


@pytest.fixture(scope="session")
def render_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("k8s-render")
    subprocess.run([sys.executable, str(RENDER_SCRIPT), str(out)], check=True, timeout=RENDER_TIMEOUT_S)
    return out


@pytest.fixture(scope="session")
def rendered(render_dir: Path) -> dict[str, list[Manifest]]:
    """overlay name -> its manifests."""
    names = render_module().overlay_names()
    return {name: load_documents((render_dir / f"{name}.yaml").read_text()) for name in names}
