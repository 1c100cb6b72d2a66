#!/usr/bin/env bash
# Build logship, assemble the plugin directory and install it as a managed Docker plugin.
# Usage: scripts/install.sh [KEY=VALUE ...]
#   Each KEY=VALUE becomes `docker plugin set` before the plugin is enabled, e.g.
#   scripts/install.sh SYSLOG_ADDRESS=tcp://10.0.0.5:514
# Env:  PLUGIN_NAME          plugin name (default logship)
#       HOST_CONFIG_DIR      host directory mounted read-only as the plugin's configuration directory
#                            (routes.conf, certificate files); created 0755 if missing (default /etc/logship)
#       SOCKETS_DIR          host directory mounted read-only at /sockets for unix:// destinations
#                            (default /run/systemd/journal if it exists, journald's dev-log, else /dev
#                            for /dev/log); never one that holds Docker's API socket docker.sock
#       LOGSHIP_BINARY       use this binary instead of building one (CI builds it once)
#       LOGSHIP_PLUGIN_DIR   where to assemble the plugin directory (default plugin/build)
#       LOGSHIP_CONFIG_JSON  the manifest to install (default config.json; see plugin/build-rootfs.sh)
# Least privilege: the manifest's defaults (the host's /etc and /dev, read-only) are what a plain
# `docker plugin install` needs to work on any host; as installed here, the plugin sees only these
# two directories of the host.
# Idempotent: an existing plugin of that name is disabled, removed and replaced, unless a
# container still uses it (then nothing is changed and the containers are named).
#
# The old plugin is removed only once the new one has been shown to work: the new build is first
# created, configured and enabled under a trial name. Anything that fails up to then (a manifest
# Docker refuses, a setting it does not know, a value the plugin rejects at start) leaves the old
# plugin installed, enabled and untouched.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
name=${PLUGIN_NAME:-logship}
plugin_dir=${LOGSHIP_PLUGIN_DIR:-$repo/plugin/build}
export LOGSHIP_PLUGIN_DIR=$plugin_dir
# Docker cannot rename a plugin, so the trial copy is a plugin of its own, removed again on exit.
# Appending to the whole name keeps it a valid reference whatever PLUGIN_NAME is (logship,
# logship:1.0, registry:5000/ops/logship); the PID keeps two concurrent runs apart.
trial=$name-install-trial-$$

log() { printf '[install] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for kv in "$@"; do
    [[ $kv == *=* ]] || die "argument '$kv' is not KEY=VALUE"
done
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 ||
    die "no Docker daemon answers (scripts/testenv/start-dockerd.sh starts one)"

# The two host directories the plugin may see (mounts `config` and `sockets` in config.json).
host_config_dir=${HOST_CONFIG_DIR:-/etc/logship}
if [[ -z ${SOCKETS_DIR:-} ]]; then
    if [[ -d /run/systemd/journal ]]; then SOCKETS_DIR=/run/systemd/journal; else SOCKETS_DIR=/dev; fi
fi
[[ $host_config_dir == /* && $SOCKETS_DIR == /* ]] || die "HOST_CONFIG_DIR and SOCKETS_DIR must be absolute paths"
[[ -d $SOCKETS_DIR ]] || die "SOCKETS_DIR=$SOCKETS_DIR is not a directory (Docker refuses to enable a plugin whose mount source is missing)"
# connect(2) works through a read-only mount, so a directory holding Docker's API socket would let
# the plugin drive the Docker engine; refuse it rather than hand that out.
if [[ -e $SOCKETS_DIR/docker.sock ]]; then
    die "SOCKETS_DIR=$SOCKETS_DIR holds docker.sock (Docker's API socket); choose a directory with only the log sockets the plugin needs, e.g. SOCKETS_DIR=/run/systemd/journal or a directory of its own for rsyslog's socket"
fi
if [[ ! -d $host_config_dir ]]; then
    log "creating $host_config_dir (routes.conf and certificate files go there)"
    install -d -m 0755 "$host_config_dir"
fi
# Mount sources first, so that KEY=VALUE arguments (set in order) can still override CONFIG_DIR.
placement=("config.source=$host_config_dir" "CONFIG_DIR=/config" "sockets.source=$SOCKETS_DIR")
set -- "${placement[@]}" "$@"

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

# create_configured_enabled NAME [KEY=VALUE...]: create NAME from the plugin directory, apply the
# settings and enable it; on failure, say what failed and return 1 (NAME may then exist, disabled).
create_configured_enabled() {
    local target=$1 kv err
    shift
    if ! err=$(docker plugin create "$target" "$plugin_dir" 2>&1 >/dev/null); then
        log "docker plugin create $target $plugin_dir failed: $err"
        return 1
    fi
    for kv in "$@"; do
        log "docker plugin set $target $kv"
        if ! err=$(docker plugin set "$target" "$kv" 2>&1); then
            log "docker plugin set $target $kv failed: $err"
            return 1
        fi
    done
    if ! err=$(docker plugin enable "$target" 2>&1 >/dev/null); then
        log "docker plugin enable $target failed: $err"
        # Docker only says it could not reach the plugin; why it did not start (a setting it refused)
        # is the plugin's own log line, which dockerd copies into its log.
        log "  the plugin's own reason, if it started at all, is in the Docker daemon's log (plugin=<its id>)"
        return 1
    fi
}

remove_trial() {
    # -f: enabled or not. Also run on every exit, so that no failure leaves the trial behind.
    if docker plugin inspect "$trial" >/dev/null 2>&1; then
        docker plugin rm -f "$trial" >/dev/null 2>&1 || log "warning: could not remove the trial plugin $trial"
    fi
}
trap remove_trial EXIT

# The trial gets the settings too, so that a name Docker does not know, or a value the plugin
# refuses when it starts, fails here. Except METRICS_ADDRESS: the old plugin may be listening on
# that port right now, and the trial, which shares the host's network, could not bind it; the
# trial runs with it blank (the final plugin gets it as given).
trial_settings=("$@")
for kv in "$@"; do
    [[ $kv != METRICS_ADDRESS=* ]] || trial_settings+=("METRICS_ADDRESS=")
done
log "trying the new build as plugin $trial"
if ! create_configured_enabled "$trial" ${trial_settings[@]+"${trial_settings[@]}"}; then
    if docker plugin inspect "$name" >/dev/null 2>&1; then
        die "the new build did not install (above); plugin $name was left as it is"
    fi
    die "the new build did not install (above); nothing was installed as $name"
fi
remove_trial

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
        was_enabled=1
    else
        was_enabled=0
    fi
    if ! err=$(docker plugin rm "$name" 2>&1); then
        # Still there: put it back as it was before giving up.
        if ((was_enabled)); then
            docker plugin enable "$name" >/dev/null || log "warning: could not enable $name again"
        fi
        die "docker plugin rm $name: $err"
    fi
fi

# From here until the enable below the host has no plugin called $name. Every step of this
# sequence has just succeeded on the trial, from the same directory with the same settings, so what
# can still fail is the environment: a full disk, a daemon restarting, a METRICS_ADDRESS port that
# something else holds. The old plugin is then not re-created: `docker plugin rm` has already
# deleted its spool and stream records, so a copy would bring back only its older code, and copying
# an installed plugin out of Docker needs Docker's data root, which a remote DOCKER_HOST does not
# give. The plugin directory stays where it is, and the message says how to finish.
if ! create_configured_enabled "$name" "$@"; then
    log "error: plugin $name is not installed and enabled; the old one was already removed."
    log "  the plugin directory $plugin_dir is kept: fix the cause above, then run this script again, or:"
    log "  docker plugin rm -f $name; docker plugin create $name $plugin_dir;" \
        "docker plugin set $name KEY=VALUE...; docker plugin enable $name"
    exit 1
fi
log "installed and enabled:"
docker plugin ls --filter "enabled=true" | awk -v n="$name" 'NR == 1 || $2 == n || $2 == n":latest"' >&2
