#!/bin/sh
# The read-along EPUB test validates the book with the W3C's epubcheck (Debian's package: a Java jar).
# Installed with apt when run as root and missing; where it cannot be, that one test is skipped (it
# says so), and the structural checks of the other overlay tests still run. Never fails `make test`.
set -u
JAR=/usr/share/java/epubcheck.jar
if [ -f "$JAR" ] && command -v java >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_epubcheck: installing epubcheck with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends epubcheck >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends epubcheck >/dev/null 2>&1; }
fi
[ -f "$JAR" ] || echo "ensure_epubcheck: epubcheck is not installed; tests/api/books/audiobook's epubcheck test will skip" >&2
exit 0
