#!/bin/sh
# Makes `podman` available for `podman-compose config` (tests/compose). Idempotent: does nothing when
# podman is on PATH; installs the Debian package when run as root with apt-get; else says what to do.
set -eu
if command -v podman >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends podman >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends podman >/dev/null; }
    command -v podman >/dev/null 2>&1 && exit 0
fi
echo "podman is not installed and could not be installed here: install it (e.g. apt-get install podman) and rerun" >&2
exit 1
