#!/bin/sh
# The root of every stand-in: a Debian bookworm rootfs made by debootstrap (minbase + ca-certificates),
# imported into podman as $STANDIN_BASE. The tarball is cached in $STACK_CACHE (gitignored), so a rerun
# only re-imports it (seconds); delete the cache to rebuild it from the Debian mirror (a minute or two).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
STACK_CACHE=${STACK_CACHE:-$here/../../.stack-cache}
STANDIN_BASE=${STANDIN_BASE:-localhost/vocalio-standin/debian:bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
tarball=$STACK_CACHE/debootstrap-bookworm-minbase.tar

if podman image exists "$STANDIN_BASE" && [ -f "$tarball" ]; then
    exit 0
fi
mkdir -p "$STACK_CACHE"
if [ ! -f "$tarball" ]; then
    root=$(mktemp -d "$STACK_CACHE/rootfs.XXXXXX")
    trap 'rm -rf "$root"' EXIT
    echo "stand-ins: debootstrap bookworm (minbase) from $DEBIAN_MIRROR"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$DEBIAN_MIRROR" >"$STACK_CACHE/debootstrap.log" 2>&1 \
        || { tail -20 "$STACK_CACHE/debootstrap.log" >&2; exit 1; }
    # What the Debian docker images do: no apt caches, no recommends, apt lists dropped.
    printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$root/etc/apt/apt.conf.d/90stand-in"
    # Like the Debian docker images: package scripts never start services inside a build.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
    tar --numeric-owner -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
fi
echo "stand-ins: import $tarball as $STANDIN_BASE"
podman import --quiet "$tarball" "$STANDIN_BASE" >/dev/null
