#!/bin/sh
# Make sure Debian's ffprobe is there for the audiobook tests, which read the m4b/mp3 files back with
# it (the service itself never needs ffprobe: it runs imageio-ffmpeg's ffmpeg). Idempotent: does
# nothing when /usr/bin/ffprobe exists; installs Debian's ffmpeg package with apt only when root.
set -eu
FFPROBE=/usr/bin/ffprobe
if [ -x "$FFPROBE" ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_ffprobe: installing ffmpeg with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null; }
    [ -x "$FFPROBE" ] && exit 0
fi
echo "ensure_ffprobe: $FFPROBE is missing and could not be installed here: install it with 'apt-get install ffmpeg'" >&2
exit 1
