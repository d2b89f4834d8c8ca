# syntax=docker/dockerfile:1
# Every Vocalio image, from one recipe: a target per service, the lock file it installs named by LOCK.
# Build from the repository root (compose.yaml passes the same target and LOCK):
#   docker build --target api        --build-arg LOCK=api    -t vocalio-api .
#   docker build --target worker     --build-arg LOCK=worker -t vocalio-worker-cpu .   # eSpeak NG, CPU
#   docker build --target worker-gpu --build-arg LOCK=gpu    -t vocalio-worker .       # F5-TTS on CUDA
#   docker build --target ui         --build-arg LOCK=ui     -t vocalio-ui .
#   docker build --target llm-bridge --build-arg LOCK=llm    -t vocalio-llm-bridge .
# Dependencies come only from requirements/$LOCK.txt (pinned, hashed: `make lock` writes them), in a
# layer that changes only with that file; the code is a separate, small layer on top.
#
# The GPU worker uses the same slim Python base as the rest: torch's wheels carry the CUDA user-space
# libraries (the nvidia-*-cu12 packages pinned in requirements/gpu.txt) and the NVIDIA Container Toolkit
# mounts the host's driver, so a CUDA base image would only add a second copy of CUDA and another Python
# (3.12 on ubuntu24.04) than the one the locks were resolved and tested with. BASE_IMAGE swaps the base
# (e.g. a mirror of the same image); it must keep Python 3.11, the locks' interpreter.
ARG BASE_IMAGE=docker.io/library/python:3.11.11-slim-bookworm

# ---- shared by every target: the non-root user, the directories it owns, the Python env --------------
FROM ${BASE_IMAGE} AS base
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 VOCALIO_LOG_FORMAT=json
RUN groupadd --system --gid 10001 vocalio \
    && useradd --system --uid 10001 --gid vocalio --home-dir /app --no-create-home vocalio \
    && install -d -o vocalio -g vocalio /app /models \
    && install -d -o vocalio -g vocalio -m 0750 /data

# ---- the locked dependencies, then the project as a wheel --------------------------------------------
FROM base AS build
ARG LOCK
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN test -n "$LOCK" || { echo "build with --build-arg LOCK=<api|worker|gpu|ui|llm>" >&2; exit 1; }
RUN python -m venv /opt/venv
COPY requirements/${LOCK}.txt /tmp/requirements.txt
# --no-deps: the lock is complete, so nothing outside it (or unhashed) can come in.
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.txt
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services/ services/
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels .

FROM base AS runtime
# The dependencies (a layer that stays cached while the lock is unchanged), then the code.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /wheels /wheels
RUN /opt/venv/bin/pip install --no-deps --no-index /wheels/*.whl && rm -rf /wheels
USER vocalio
WORKDIR /app

# ---- the services ------------------------------------------------------------------------------------
# The API (FastAPI + SQLModel + Alembic). Audio, voices and the admin key file live in /data (a volume).
FROM runtime AS api
ENV HOME=/data VOCALIO_HOST=0.0.0.0 VOCALIO_PORT=8000 VOCALIO_DATA_DIR=/data
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('VOCALIO_PORT', '8000'), timeout=4)"
CMD ["vocalio", "api"]

# The TTS worker on the CPU: Kokoro-82M (ONNX Runtime), eSpeak NG when Kokoro's files cannot be had.
# Model weights (Kokoro's here, the GPU target's F5-TTS) download once into /models, a volume.
FROM runtime AS worker
ENV HF_HOME=/models VOCALIO_KOKORO_WEIGHTS_DIR=/models/kokoro VOCALIO_ENGINE=auto \
    VOCALIO_METRICS_HOST=0.0.0.0 VOCALIO_METRICS_PORT=9100
VOLUME ["/models"]
EXPOSE 9100
# SIGTERM drains (active jobs finish, up to VOCALIO_SHUTDOWN_GRACE_S): give it a stop timeout above that.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('VOCALIO_METRICS_PORT', '9100'), timeout=4)"
CMD ["vocalio", "worker"]

# The TTS worker on a GPU (build with LOCK=gpu: torch + F5-TTS). The NVIDIA_* variables ask the
# container toolkit for the GPUs and the driver's compute libraries (what the CUDA base images set).
FROM worker AS worker-gpu
ENV VOCALIO_ENGINE=auto NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,utility
# The first start downloads the F5-TTS weights into /models.
HEALTHCHECK --interval=10s --timeout=5s --start-period=300s --retries=5 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('VOCALIO_METRICS_PORT', '9100'), timeout=4)"
CMD ["vocalio", "worker"]

# The operator dashboard (Jinja2 + htmx, no build step).
FROM runtime AS ui
ENV VOCALIO_UI_HOST=0.0.0.0 VOCALIO_UI_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('VOCALIO_UI_PORT', '8080'), timeout=4)"
CMD ["python", "-m", "vocalio_ui.server"]

# The llm_bridge (text expansion: rules, Ollama when configured).
FROM runtime AS llm-bridge
ENV VOCALIO_LLM_BRIDGE_HOST=0.0.0.0 VOCALIO_LLM_BRIDGE_PORT=8002
EXPOSE 8002
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('VOCALIO_LLM_BRIDGE_PORT', '8002'), timeout=4)"
CMD ["vocalio", "llm-bridge", "serve"]
