#!/usr/bin/env bash
# Start a private Docker registry (Debian's docker-registry, distribution 2.x) on 127.0.0.1:5000,
# in the background, and wait until it answers. The upgrade test pushes two versions of the plugin
# there: `docker plugin upgrade` only takes a plugin from a registry.
# No-op when a registry already answers on that address (a previous run, another engineer's).
#
# dockerd needs no configuration for it: Docker treats registries on 127.0.0.0/8 as insecure
# (plain HTTP) by default, which covers both "127.0.0.1:5000" and "localhost:5000" in references.
#
# Env: LOGSHIP_REGISTRY_ADDRESS (default 127.0.0.1:5000)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

address=${LOGSHIP_REGISTRY_ADDRESS:-127.0.0.1:5000}
dir=$LOGSHIP_TESTENV_STATE/registry

# /v2/ is the API's base endpoint: 200 from a registry without auth (401 with auth, which ours has
# not). curl is not on a bare Debian, python3 is.
registry_answers() {
    python3 - "$address" <<'EOF' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(f"http://{sys.argv[1]}/v2/", timeout=2).read()
EOF
}

if registry_answers; then
    log "a registry already answers on $address"
    exit 0
fi

command -v docker-registry >/dev/null || die "docker-registry not found; run scripts/testenv/install-deps.sh"
mkdir -p "$dir/storage"

# Our own config, not the package's /etc/docker/registry/config.yml: that one listens on every
# interface (:5000) and asks for htpasswd auth. Loopback only, no auth, storage in our state dir.
cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: $address
EOF

log "starting docker-registry on $address, log in $dir/registry.log"
# setsid: keep it alive after this script and its session end (like start-dockerd.sh's dockerd).
setsid docker-registry serve "$dir/config.yml" </dev/null >>"$dir/registry.log" 2>&1 &
pid=$!
echo "$pid" >"$dir/registry.pid"

registry_up_or_dead() { registry_answers || ! kill -0 "$pid" 2>/dev/null; }
wait_for 30 "docker-registry to answer on $address" registry_up_or_dead || true
if ! registry_answers; then
    tail -n 20 "$dir/registry.log" >&2 || true
    die "docker-registry did not come up on $address"
fi
log "docker-registry is up on $address (pid $pid)"
