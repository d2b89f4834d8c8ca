"""The documentation ships with the code: a short README, no link outside the repository, and a
configuration reference that is generated from the settings classes (so it lists every variable)."""

import importlib
import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
import vocalio_cli.env_example as env_example
from vocalio_shared.settings import ENV_PREFIX, CommonSettings

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "docs" / "hooks" / "settings_reference.py"


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("settings_reference", HOOK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_lists_every_variable_of_every_settings_class() -> None:
    reference = _hook().render_reference()
    for _, module_name, class_name in env_example.SETTINGS_CLASSES:
        settings_class = getattr(importlib.import_module(module_name), class_name)
        for name, field in settings_class.model_fields.items():
            variable = f"`{ENV_PREFIX}{name.upper()}`"
            assert variable in reference, f"{class_name}.{name} is missing from the configuration reference"
            if field.description:
                assert field.description.strip().replace("|", "\\|") in reference
    # an inherited variable is listed once, under the class that declares it, not under every heir
    rows = [line.split(" | ")[0] for line in reference.splitlines() if line.startswith(f"| `{ENV_PREFIX}")]
    for name in CommonSettings.model_fields:
        assert rows.count(f"| `{ENV_PREFIX}{name.upper()}`") == 1


def test_a_listed_module_that_fails_to_import_stops_the_build_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = (*env_example.SETTINGS_CLASSES, ("Gone", "vocalio_worker.no_such_settings", "GoneSettings"))
    monkeypatch.setattr(env_example, "SETTINGS_CLASSES", broken)
    with pytest.raises(RuntimeError, match=r"'vocalio_worker\.no_such_settings'.*failed to import"):
        _hook().render_reference()


def test_readme_is_short_and_no_tracked_file_links_outside_the_repository() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200
    found = subprocess.run(
        ["git", "grep", "-n", "--fixed-strings", "../" + "shared/"], cwd=ROOT, capture_output=True, text=True
    )
    assert found.returncode == 1, f"links out of the repository:\n{found.stdout}"
