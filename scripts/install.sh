#!/usr/bin/env bash
# Build logship, assemble the plugin directory and install it as a managed Docker plugin.
# Usage: scripts/install.sh [KEY=VALUE ...]
#   Each KEY=VALUE becomes `docker plugin set` before the plugin is enabled, e.g.
#   scripts/install.sh SYSLOG_ADDRESS=tcp://10.0.0.5:514
# Env:  PLUGIN_NAME     plugin name (default logship)
#       LOGSHIP_BINARY  use this binary instead of building one (CI builds it once)
# Idempotent: an existing plugin of that name is disabled, removed and replaced, unless a
# container still uses it (then nothing is changed and the containers are named).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
name=${PLUGIN_NAME:-logship}
plugin_dir=${LOGSHIP_PLUGIN_DIR:-$repo/plugin/build}
export LOGSHIP_PLUGIN_DIR=$plugin_dir

log() { printf '[install] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for kv in "$@"; do
    [[ $kv == *=* ]] || die "argument '$kv' is not KEY=VALUE"
done
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 ||
    die "no Docker daemon answers (scripts/testenv/start-dockerd.sh starts one)"

# Build and assemble first: a failed build must not leave the host without its old plugin.
if [[ -n ${LOGSHIP_BINARY:-} ]]; then
    binary=$LOGSHIP_BINARY
else
    log "building release binary"
    (cd "$repo" && swift build -c release --static-swift-stdlib --product logship)
    binary=$repo/.build/release/logship
fi
"$repo/plugin/build-rootfs.sh" "$binary"

# Containers (running or stopped, not removed) whose log driver is this plugin; Docker refuses
# to disable a plugin while any of them exists.
users_of_plugin() {
    local id driver
    for id in $(docker ps -aq); do
        driver=$(docker inspect -f '{{.HostConfig.LogConfig.Type}}' "$id" 2>/dev/null) || continue
        if [[ $driver == "$name" || $driver == "$name:latest" ]]; then
            docker inspect -f '{{.Name}} ({{.State.Status}})' "$id" | sed 's|^/||'
        fi
    done
}

if docker plugin inspect "$name" >/dev/null 2>&1; then
    log "replacing existing plugin $name"
    if [[ $(docker plugin inspect -f '{{.Enabled}}' "$name") == true ]]; then
        if ! err=$(docker plugin disable "$name" 2>&1); then
            if [[ $err == *"in use"* ]]; then
                users=$(users_of_plugin)
                log "plugin $name is in use, so it was left as it is. Containers using it:"
                printf '%s\n' "${users:-(none listed; a 'docker logs' may be reading a stopped container)}" | sed 's/^/  /' >&2
                log "remove them (docker rm -f NAME...) and run this script again"
                exit 1
            fi
            die "docker plugin disable $name: $err"
        fi
    fi
    docker plugin rm "$name" >/dev/null
fi

docker plugin create "$name" "$plugin_dir" >/dev/null
for kv in "$@"; do
    log "docker plugin set $name $kv"
    docker plugin set "$name" "$kv"
done
docker plugin enable "$name" >/dev/null
log "installed and enabled:"
docker plugin ls --filter "enabled=true" | awk -v n="$name" 'NR == 1 || $2 == n || $2 == n":latest"' >&2
