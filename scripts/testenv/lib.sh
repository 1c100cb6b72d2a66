# Shared bits for the test-environment scripts; source it, don't run it.
# Everything these scripts start or build keeps its state here, so one `rm -rf` resets it.
LOGSHIP_TESTENV_STATE="${LOGSHIP_TESTENV_STATE:-/tmp/logship-testenv}"
LOGSHIP_TEST_IMAGE="${LOGSHIP_TEST_IMAGE:-logship-test-busybox}"

# dockerd, rsyslogd and friends live in sbin, which a non-login PATH may lack.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# True when a Docker daemon answers on the default socket. `docker version` needs the
# server to reply, which plain `docker --version` does not.
docker_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND every 0.2 s until it succeeds.
wait_for() {
    local seconds=$1 what=$2; shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        if ((SECONDS >= deadline)); then
            log "timed out after ${seconds}s waiting for: $what"
            return 1
        fi
        sleep 0.2
    done
}
