"""`make lock` / `make lock-upgrade`: writes requirements/<target>.txt from pyproject.toml with `uv pip compile`.

One lock per install target, each pinned and hashed (`pip install --require-hashes --no-deps -r`):
dev (`make test`), all (`make up`) and one per image (api, worker, gpu, ui, llm; see Dockerfile).
dev is resolved first; every other lock is resolved under dev's pins, so an image installs exactly
the versions the test suite ran with, never a newer release picked at build time.
An existing lock's pins are kept unless pyproject.toml no longer allows them; `--upgrade` moves dev
(and so everything) to the newest allowed releases.

Each lock records the hash of pyproject.toml's dependency tables (`# pyproject-deps-sha256: ...`);
tests/test_lock.py fails when it no longer matches, i.e. when pyproject.toml changed after `make lock`.
The locks are pip-tools-format requirements files: installing them needs pip only (the README's
promise); uv is needed only here, to write them. uv rather than pip-compile: pip-compile downloads every
wheel it resolves (torch and the CUDA libraries: several GB, each run), uv reads their metadata alone
(about a minute for all seven). They are resolved for the images' and CI's interpreter and platform
(CPython 3.11 on x86_64 Linux), whatever machine runs `make lock`.
Runs with the Python of the venv `make lock` makes for uv (stdlib only).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK_DIR = ROOT / "requirements"
# target -> the pyproject extra it installs. dev first: the others are resolved under its pins.
TARGETS = {"dev": "dev", "all": "all", "api": "api", "worker": "worker", "gpu": "gpu", "ui": "ui", "llm": "llm"}
HASH_LINE = "# pyproject-deps-sha256: "
# What a lock must never name: this machine's (or anyone's) extra indexes, mirrors, local paths.
FORBIDDEN = re.compile(
    r"^\s*(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host)\b|file:/|^#\s+-[cr] /", re.MULTILINE
)


def deps_hash(pyproject: Path = PYPROJECT) -> str:
    """sha256 of what the locks are resolved from: dependencies, extras, requires-python (not the wheel's
    package list or the tool settings, which change no lock)."""
    project = tomllib.loads(pyproject.read_text())["project"]
    tables = {key: project.get(key) for key in ("requires-python", "dependencies", "optional-dependencies")}
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()


def lock_path(target: str) -> Path:
    return LOCK_DIR / f"{target}.txt"


def pins(lock: Path) -> dict[str, str]:
    """name -> version of every `name==version` line (names normalised as in PEP 503)."""
    found = {}
    for match in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", lock.read_text(), flags=re.MULTILINE):
        found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


PYTHON_VERSION = "3.11"
PLATFORM = "x86_64-unknown-linux-gnu"


def default_index_env() -> dict[str, str]:
    """The environment uv runs in: what a fresh machine sees. uv reads no pip configuration; its own
    extra sources (UV_EXTRA_INDEX_URL, UV_FIND_LINKS) are dropped, like its config files (--no-config):
    a version only they hold would be locked and then missing from the default index.
    UV_INDEX_URL (a mirror of the default index) stays; the locks never name it."""
    env = {key: value for key, value in os.environ.items() if key not in ("UV_EXTRA_INDEX_URL", "UV_FIND_LINKS")}
    # uv checks TLS against the system's CA bundle (as pip does here): a TLS-intercepting proxy works.
    env.setdefault("UV_NATIVE_TLS", "1")
    return env


def compile_lock(target: str, *, upgrade: bool, constraint: Path | None) -> None:
    out = lock_path(target)
    cmd = [
        str(Path(sys.executable).with_name("uv")),
        "pip",
        "compile",
        "--quiet",
        "--no-config",
        "--generate-hashes",
        "--python-version",
        PYTHON_VERSION,
        "--python-platform",
        PLATFORM,
        "--custom-compile-command",
        "make lock",
        "--extra",
        TARGETS[target],
        "--output-file",
        str(out.relative_to(ROOT)),
    ]
    if upgrade:
        cmd.append("--upgrade")
    if constraint is not None:
        cmd += ["--constraint", str(constraint)]
    cmd.append("pyproject.toml")
    print(f"lock: {out.relative_to(ROOT)}", flush=True)
    subprocess.run(cmd, cwd=ROOT, env=default_index_env(), check=True)
    text = out.read_text()
    if FORBIDDEN.search(text):
        raise SystemExit(f"{out}: names an index, a find-links location or a local path: {FORBIDDEN.search(text)[0]!r}")
    lines = [line for line in text.splitlines() if not line.startswith(HASH_LINE)]
    header_end = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    lines.insert(header_end, HASH_LINE + deps_hash())
    out.write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upgrade", action="store_true", help="newest releases pyproject.toml allows (dev first)")
    parser.add_argument("targets", nargs="*", help=f"some of {', '.join(TARGETS)} (default: all of them)")
    args = parser.parse_args()
    targets = args.targets or list(TARGETS)
    if unknown := set(targets) - set(TARGETS):
        parser.error(f"unknown target(s) {', '.join(sorted(unknown))}: choose from {', '.join(TARGETS)}")
    if "dev" in targets or not lock_path("dev").exists():
        compile_lock("dev", upgrade=args.upgrade, constraint=None)
    for target in targets:
        if target != "dev":
            # Under dev's pins (the annotations then say `-c requirements/dev.txt`); --upgrade too, so that
            # a pin dev dropped or moved cannot survive in an image's lock.
            compile_lock(target, upgrade=True, constraint=lock_path("dev").relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
