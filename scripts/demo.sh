#!/usr/bin/env bash
# See logship work in a minute: a throwaway receiver on loopback, one container logging through
# the plugin to it as syslog (RFC 5424) and as JSON lines, and what arrived. Cleans up after itself.
# Needs a running Docker engine (scripts/testenv/start-dockerd.sh); installs the plugin if missing.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/testenv/lib.sh"
name=${PLUGIN_NAME:-logship}

docker_answers || die "no Docker daemon answers; start one (scripts/testenv/start-dockerd.sh)"
if ! docker plugin inspect "$name" >/dev/null 2>&1; then
    log "plugin $name is not installed: installing it"
    bash "$repo/scripts/install.sh"
elif [[ $(docker plugin inspect -f '{{.Enabled}}' "$name") != true ]]; then
    docker plugin enable "$name" >/dev/null
fi
bash "$repo/scripts/testenv/make-test-image.sh"

work=$(mktemp -d)
receiver_pid=
container=logship-demo-$$
cleanup() {
    docker rm -f "$container" >/dev/null 2>&1 || true
    [[ -n $receiver_pid ]] && kill "$receiver_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The receiver: two loopback TCP ports (syslog, JSON), everything received appended to a file
# per port. It prints its ports once it listens, so no guessing when it is ready.
python3 -u - "$work" >"$work/ports" <<'PY' &
import socket, sys, threading
work = sys.argv[1]
def serve(listener, path):
    while True:
        conn, _ = listener.accept()
        def pump(c=conn):
            with open(path, "ab", buffering=0) as out:
                while data := c.recv(65536):
                    out.write(data)
        threading.Thread(target=pump, daemon=True).start()
ports = []
for kind in ("syslog", "json"):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    ports.append(str(s.getsockname()[1]))
    threading.Thread(target=serve, args=(s, f"{work}/{kind}.out"), daemon=True).start()
print(" ".join(ports))
threading.Event().wait()
PY
receiver_pid=$!
have_ports() { [[ -s $work/ports ]]; }
wait_for 10 "the receiver to listen" have_ports
read -r syslog_port json_port <"$work/ports"

log "running a container with --log-driver $name (syslog to :$syslog_port, JSON to :$json_port)"
docker run --rm --name "$container" --network=none --log-driver "$name" \
    --log-opt syslog-address="tcp://127.0.0.1:$syslog_port" \
    --log-opt tcp-address="tcp://127.0.0.1:$json_port" \
    --log-opt tag='{{.Name}}' \
    --label app=demo --log-opt labels=app \
    "$LOGSHIP_TEST_IMAGE" sh -c 'echo "hello from a container"; echo "this line went to stderr" >&2; seq 1 3'

# 5 lines were printed: wait until both files have 5 (or give up after 20 s and show what came).
lines_in() { [[ -f $1 ]] && wc -l <"$1" || echo 0; }
all_arrived() { (($(lines_in "$work/syslog.out") >= 5 && $(lines_in "$work/json.out") >= 5)); }
wait_for 20 "5 lines at each receiver" all_arrived || true

echo
echo "--- syslog receiver got (RFC 5424, tcp://127.0.0.1:$syslog_port) ---"
cat "$work/syslog.out" 2>/dev/null || echo "(nothing)"
echo "--- JSON receiver got (tcp://127.0.0.1:$json_port) ---"
cat "$work/json.out" 2>/dev/null || echo "(nothing)"
all_arrived || die "not everything arrived; see the plugin's log in the dockerd log"
