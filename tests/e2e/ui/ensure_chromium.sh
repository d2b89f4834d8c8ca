#!/bin/sh
# Make sure Debian's Chromium is there for the dashboard's browser tests (never a browser download).
# Idempotent: does nothing when /usr/bin/chromium exists; installs with apt only when run as root.
set -eu
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: installing chromium with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    exit 0
fi
echo "ensure_chromium: $CHROMIUM is missing and this is not root: install it with 'apt-get install chromium'" >&2
exit 1
