#!/usr/bin/env bash
# Fleet benchmark on a real Docker engine: many containers (500 by default) on one host, half on
# route `a`, half on route `b` (label logship.route), each printing numbered lines; in the middle
# routes.conf is rewritten to move `b` to another receiver, then the plugin is killed (SIGKILL) and
# Docker restarts it. Reports lines delivered and lost (must be 0), the plugin's RSS, threads and
# descriptors, and how long the route change took to reach the containers. Rewrites the "fleet"
# section of BENCHMARKS.md. The measuring is scripts/bench/fleet.py.
#
# Usage: see usage() below (scripts/bench-fleet.sh -h prints it).
set -euo pipefail

usage() {
    cat <<'TEXT'
Usage: scripts/bench-fleet.sh [-n CONTAINERS] [-t SECONDS] [-b BATCH] [-p SECONDS] [-i] [-o FILE] [-h]
  -n CONTAINERS  containers (default 500)
  -t SECONDS     how often each container prints a line (default 0.25)
  -b BATCH       containers started, stopped and removed at a time (default 10)
  -p SECONDS     pause between batches (default 1)
  -i             rebuild and reinstall the plugin first (default: install it only if missing)
  -o FILE        markdown file whose fleet section is rewritten, or - for stdout (default BENCHMARKS.md)
  -h             print this and exit
Env: PLUGIN_NAME     the plugin copy to measure (default logship-fleet, installed with scripts/install.sh,
                     so the plugin others use is never touched)
     LOGSHIP_BINARY  install this binary instead of building one
Needs a running dockerd (scripts/testenv/start-dockerd.sh), root, and memory for the containers'
shims (about 10 MB each). Takes 10-15 minutes for 500 containers. Not part of the test suite. Run it
on a dockerd nobody else is busy with: it starts and stops containers in batches because a dockerd
20.10 without moby/moby#46693 deadlocks on bursts of ~50 (moby/moby#46661).
TEXT
}

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/testenv/lib.sh
source "$repo/scripts/testenv/lib.sh"
plugin=${PLUGIN_NAME:-logship-fleet}
command_line="scripts/bench-fleet.sh${*:+ $*}"
containers=500 interval=0.25 batch=10 pause=1 reinstall=0 out=$repo/BENCHMARKS.md
while getopts 'n:t:b:p:io:h' opt; do
    case $opt in
        n) containers=$OPTARG ;;
        t) interval=$OPTARG ;;
        b) batch=$OPTARG ;;
        p) pause=$OPTARG ;;
        i) reinstall=1 ;;
        o) out=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
[[ $containers =~ ^[0-9]+$ ]] && ((containers >= 2)) || die "-n wants a number >= 2"

docker_answers || die "no Docker daemon answers; start one with scripts/testenv/start-dockerd.sh"
bash "$repo/scripts/testenv/make-test-image.sh"   # no-op when the image exists

work=$(mktemp -d /tmp/logship-bench-fleet.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/config"
chmod 0755 "$work" "$work/config"

if ((reinstall)) || ! docker plugin inspect "$plugin" >/dev/null 2>&1; then
    log "installing plugin $plugin"
    # The host's /etc/logship as its lasting config mount (fleet.py points the mount at $work/config
    # only while it runs): a source deleted with $work would keep the plugin from being enabled again.
    PLUGIN_NAME=$plugin LOGSHIP_PLUGIN_DIR=$work/plugin bash "$repo/scripts/install.sh"
elif [[ $(docker plugin inspect -f '{{.Enabled}}' "$plugin") != true ]]; then
    docker plugin enable "$plugin" >/dev/null
fi
others=$(docker ps -q | wc -l)
((others == 0)) || log "warning: $others other containers are running; they share the CPU and dockerd"

python3 "$repo/scripts/bench/fleet.py" --plugin "$plugin" --config-dir "$work/config" --out "$work/section.md" \
    --containers "$containers" --interval "$interval" --batch "$batch" --pause "$pause" \
    --label "logship-bench-fleet=$$" --command "$command_line" || status=$?
if [[ -s $work/section.md ]]; then
    if [[ $out == - ]]; then
        cat "$work/section.md"
    else
        python3 "$repo/scripts/bench/splice-section.py" "$out" fleet <"$work/section.md"
        log "wrote the fleet section of $out"
    fi
fi
exit "${status:-0}"
