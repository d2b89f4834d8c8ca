#!/bin/sh
# Builds a local stand-in for each public base image the CPU stack uses, tagged with the public name
# (there is no registry to pull from here): stand-ins/<name>/Containerfile, FROM the debootstrap rootfs
# (base.sh). The public name is the Containerfile's `org.vocalio.stand-in` label. A real image already
# present under that name (one without the label) is left alone and used as it is.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
STANDIN_BASE=${STANDIN_BASE:-localhost/vocalio-standin/debian:bookworm}
export STANDIN_BASE
sh "$here/base.sh"
for dir in "$here"/*/; do
    name=$(basename "$dir")
    [ -f "$dir/Containerfile" ] || continue
    tag=$(sed -n 's/^LABEL org.vocalio.stand-in="\(.*\)"$/\1/p' "$dir/Containerfile")
    [ -n "$tag" ] || { echo "stand-ins: $dir/Containerfile has no org.vocalio.stand-in label" >&2; exit 1; }
    if podman image exists "$tag"; then
        label=$(podman image inspect --format '{{ index .Labels "org.vocalio.stand-in" }}' "$tag" 2>/dev/null || true)
        if [ -z "$label" ] || [ "$label" = "<no value>" ]; then
            echo "stand-ins: $tag is a real image here: using it"
            continue
        fi
    fi
    echo "stand-ins: $name -> $tag"
    log=$(mktemp)
    if ! podman build --pull=never --network host --build-arg "STANDIN_BASE=$STANDIN_BASE" -t "$tag" "$dir" >"$log" 2>&1; then
        tail -30 "$log" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
done
