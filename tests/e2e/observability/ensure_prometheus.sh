#!/bin/sh
# Makes `prometheus` and `promtool` available for tests/e2e/observability. Idempotent: does nothing when
# both are on PATH; installs the Debian package when run as root with apt-get; else says what to do.
# The package's own service is not started (no init system in CI; the tests start their own).
set -eu
if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
    command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 && exit 0
fi
echo "prometheus/promtool are not installed and could not be installed here:" \
     "install them (Debian: apt-get install prometheus) and rerun" >&2
exit 1
