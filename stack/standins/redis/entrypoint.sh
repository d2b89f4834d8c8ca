#!/bin/sh
# What the official redis image's entrypoint does: `redis-server ...` runs as the redis user, owns
# /data, and (with no config file that sets it) runs with protected mode off, so other containers
# can connect; compose adds --requirepass where Redis is reachable from another host.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
if [ "$1" = redis-server ]; then
    protected=1
    config=
    if [ -f "${2:-}" ]; then
        config=$2
        if grep -q '^protected-mode' "$config"; then protected=; fi
    fi
    if [ "$protected" ]; then
        shift
        [ -z "$config" ] || shift
        set -- --protected-mode no "$@"
        [ -z "$config" ] || set -- "$config" "$@"
        set -- redis-server "$@"
    fi
fi
exec "$@"
