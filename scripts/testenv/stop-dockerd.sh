#!/usr/bin/env bash
# Stop the dockerd that owns /var/run/docker.pid (dockerd's default pid file; override with
# DOCKERD_PIDFILE) and wait until it has exited. No-op when none is running.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

pidfile=${DOCKERD_PIDFILE:-/var/run/docker.pid}
pid=$(cat "$pidfile" 2>/dev/null || true)
if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
    log "dockerd is not running"
    exit 0
fi

# SIGTERM lets dockerd stop its containers and plugins (and its own containerd) cleanly.
log "stopping dockerd (pid $pid)"
kill -TERM "$pid"
pid_gone() { ! kill -0 "$pid" 2>/dev/null; }
if ! wait_for 60 "dockerd (pid $pid) to exit" pid_gone; then
    die "dockerd (pid $pid) still running after 60s; check $LOGSHIP_TESTENV_STATE/dockerd.log"
fi
rm -f "$LOGSHIP_TESTENV_STATE/dockerd.pid"
log "dockerd stopped"
