#!/usr/bin/env bash
# Start Debian's dockerd for the end-to-end tests, in the background, and wait until it answers.
# No-op when a daemon already answers (the lead or a previous run may have started one).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if docker_answers; then
    log "dockerd already answers: $(docker version --format '{{.Server.Version}}')"
    exit 0
fi

# A daemon that is still starting up: wait for it rather than start a second one, which would
# fail on the pid file and the socket.
if pid=$(pgrep -x dockerd); then
    log "dockerd (pid $pid) is running but not answering yet; waiting"
    wait_for 60 "dockerd to answer" docker_answers
    exit 0
fi

command -v dockerd >/dev/null || die "dockerd not found; run scripts/testenv/install-deps.sh"
mkdir -p "$LOGSHIP_TESTENV_STATE"
logfile="$LOGSHIP_TESTENV_STATE/dockerd.log"

# vfs: works on any filesystem (no overlayfs needed in a container or sandbox).
# No iptables, no bridge: containers run with --network=none, and the plugin uses the host
# network, so nothing needs NAT. setsid: keep it alive after this script and its session end.
log "starting dockerd, log in $logfile"
setsid dockerd --storage-driver=vfs --iptables=false --ip-masq=false --bridge=none \
    </dev/null >>"$logfile" 2>&1 &
echo $! >"$LOGSHIP_TESTENV_STATE/dockerd.pid"

if ! wait_for 60 "dockerd to answer" docker_answers; then
    tail -n 30 "$logfile" >&2 || true
    die "dockerd did not come up"
fi
log "dockerd is up: $(docker version --format '{{.Server.Version}}')"
