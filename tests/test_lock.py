"""The lock files under requirements/ agree with pyproject.toml: `make lock` ran after its last dependency
change, every package an extra names is pinned (within its range) in that extra's lock, every pin is
hashed, the per-image locks hold dev's versions (what the suite ran with), and no lock names an index.
"""

import importlib.util
import re
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _load_lock_script() -> ModuleType:
    # requirements/lock.py is a script (run by `make lock`), not a package: load it from its path.
    spec = importlib.util.spec_from_file_location("vocalio_lock_script", ROOT / "requirements" / "lock.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lock = _load_lock_script()
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _requirements(extra: str) -> list[Requirement]:
    """What installing `vocalio[extra]` asks for: the base dependencies and the extra, self-references expanded."""
    seen: set[str] = set()
    found: list[Requirement] = []

    def add(names: list[str]) -> None:
        for text in names:
            requirement = Requirement(text)
            if canonicalize_name(requirement.name) == "vocalio":
                for inner in sorted(requirement.extras - seen):
                    seen.add(inner)
                    add(PROJECT["optional-dependencies"][inner])
            else:
                found.append(requirement)

    add(PROJECT["dependencies"])
    seen.add(extra)
    add(PROJECT["optional-dependencies"][extra])
    return found


def _entries(text: str) -> list[str]:
    """Each requirement of a lock as one line (pip-compile continues a requirement's hashes with `\\`)."""
    joined = re.sub(r"\s*\\\n\s*", " ", text)
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("target", lock.TARGETS)
def test_the_lock_was_made_from_the_current_pyproject(target: str) -> None:
    text = lock.lock_path(target).read_text()
    recorded = [line.removeprefix(lock.HASH_LINE) for line in text.splitlines() if line.startswith(lock.HASH_LINE)]
    assert recorded == [lock.deps_hash()], (
        f"requirements/{target}.txt is older than pyproject.toml's dependencies: run `make lock`"
    )


@pytest.mark.parametrize("target", lock.TARGETS)
def test_every_package_the_extra_names_is_pinned_within_its_range(target: str) -> None:
    pins = lock.pins(lock.lock_path(target))
    for requirement in _requirements(lock.TARGETS[target]):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} (extra {target}) is missing from requirements/{target}.txt: `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements/{target}.txt pins {name}=={pins[name]}, outside {requirement}: `make lock`"
        )


@pytest.mark.parametrize("target", lock.TARGETS)
def test_every_entry_is_an_exact_pin_with_hashes_and_no_index_is_named(target: str) -> None:
    text = lock.lock_path(target).read_text()
    assert not lock.FORBIDDEN.search(text), "a lock names no index, find-links location or local path"
    entries = _entries(text)
    assert entries
    for entry in entries:
        assert re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==\S+ .*--hash=sha256:[0-9a-f]{64}", entry), entry[:120]


@pytest.mark.parametrize("target", [target for target in lock.TARGETS if target != "dev"])
def test_each_lock_holds_the_versions_the_dev_lock_tested(target: str) -> None:
    dev = lock.pins(lock.lock_path("dev"))
    pins = lock.pins(lock.lock_path(target))
    differing = {name: (version, dev.get(name)) for name, version in pins.items() if dev.get(name) != version}
    assert not differing, f"requirements/{target}.txt differs from dev.txt (ours, dev's): {differing}"


def test_the_hash_follows_the_dependency_tables_only(tmp_path: Path) -> None:
    text = (ROOT / "pyproject.toml").read_text()
    copy = tmp_path / "pyproject.toml"
    copy.write_text(text.replace('version = "0.1.0"', 'version = "9.9.9"'))
    assert lock.deps_hash(copy) == lock.deps_hash()  # a release bump changes no lock
    copy.write_text(text.replace('"structlog>=24.1"', '"structlog>=25.1"'))
    assert lock.deps_hash(copy) != lock.deps_hash()


def test_images_and_make_install_from_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("dev", "all"):
        assert f"$(VENV)/.installed-{target}: requirements/{target}.txt" in makefile  # a new lock reinstalls
        assert f"--require-hashes --no-deps -r requirements/{target}.txt" in makefile
    assert "requirements/${LOCK}.txt" in (ROOT / "Dockerfile").read_text()
