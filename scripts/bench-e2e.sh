#!/usr/bin/env bash
# End-to-end benchmark on a real Docker engine. `seq 1 N` in a busybox container through logship
# (syslog, raw TCP) and through Docker's own drivers (syslog over TCP, json-file, local, none),
# every network path into the same receiver (scripts/bench/line-sink.c), paths alternating
# (ABC.. ABC.. ABC..), medians of the rounds; then 50 containers logging at once, with the
# plugin's and dockerd's memory. Rewrites the "End to end" section of BENCHMARKS.md.
#
# Usage: see usage() below (scripts/bench-e2e.sh -h prints it).
set -euo pipefail

# The usage text lives here and only here: printing a line range of this file, as this script once
# did, breaks silently as soon as the header comment above changes length.
usage() {
    cat <<'EOF'
Usage: scripts/bench-e2e.sh [-n N] [-r ROUNDS] [-q] [-i] [-o FILE] [-h]
  -n N       lines per container run (default 1000000); the 50-container runs use 50 x N/50
  -r ROUNDS  rounds (default 3)
  -q         quick smoke run: N=200000, 1 round, section printed to stdout (unless -o)
  -i         rebuild and reinstall the plugin first (default: install it only if missing)
  -o FILE    markdown file whose e2e section is rewritten, or - for stdout (default BENCHMARKS.md)
  -h         print this and exit
Env: PLUGIN_NAME  the plugin copy to measure (default logship-bench; installed with
                  scripts/install.sh, so the `logship` plugin others use is never touched)
     BENCH_E2E_PATHS  the one-container paths to run, space-separated (default: all but
                  logship-syslog-ratelimit, which scripts/bench-lanes.sh --e2e runs)
     BENCH_E2E_SWARM  0 to skip the 50-container runs
     BENCH_E2E_KEEP  a directory to keep the raw measurements (TSV) in
Needs a running dockerd (scripts/testenv/start-dockerd.sh) and gcc. Takes 2-4 minutes (-q: 1).
Use a dockerd nobody else needs meanwhile: the 50 containers exiting at once can deadlock a
dockerd 20.10 without moby/moby#46693 (Debian's 20.10.24 is one; moby/moby#46661), after which
no container starts or stops until dockerd is restarted.
EOF
}

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/testenv/lib.sh
source "$repo/scripts/testenv/lib.sh"
plugin=${PLUGIN_NAME:-logship-bench}
command_line="scripts/bench-e2e.sh${*:+ $*}"
n=1000000 rounds=3 quick=0 reinstall=0 out=
while getopts 'n:r:qio:h' opt; do
    case $opt in
        n) n=$OPTARG ;;
        r) rounds=$OPTARG ;;
        q) quick=1 ;;
        i) reinstall=1 ;;
        o) out=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
if ((quick)); then n=200000 rounds=1; fi
# A smoke run must not overwrite the real figures unless asked to.
[[ -n $out ]] || { ((quick)) && out=- || out=$repo/BENCHMARKS.md; }
if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 50)); then die "-n wants a number >= 50"; fi
swarm_size=50
swarm_lines=$((n / swarm_size))

# Every path, in the order each round runs them. *-nocache adds cache-disabled=true: Docker keeps
# its own local copy of the log ("dual logging", for `docker logs`) for every driver that cannot
# read logs back, logship and Docker's syslog included; these rows show what that copy costs.
# "empty" runs `true` with --log-driver none: what starting and removing a container costs by
# itself, which every other row includes and the report subtracts for its "net" columns.
# logship-syslog-ratelimit has a rate limit that never triggers (what checking it costs).
read -r -a paths <<<"${BENCH_E2E_PATHS:-logship-syslog logship-raw logship-syslog-nocache docker-syslog docker-syslog-nocache json-file local none empty}"
is_network() { [[ $1 == logship-* || $1 == docker-syslog* ]]; }
is_logship() { [[ $1 == logship-* ]]; }
# path_args PATH: sets driver_args to the `docker run` options of that path.
path_args() {
    local sys=(--log-opt "syslog-address=tcp://127.0.0.1:$port")
    case $1 in
        logship-syslog) driver_args=(--log-driver "$plugin" "${sys[@]}") ;;
        logship-raw) driver_args=(--log-driver "$plugin" --log-opt "tcp-address=tcp://127.0.0.1:$port" --log-opt tcp-format=raw) ;;
        logship-syslog-nocache) driver_args=(--log-driver "$plugin" "${sys[@]}" --log-opt cache-disabled=true) ;;
        logship-syslog-ratelimit) driver_args=(--log-driver "$plugin" "${sys[@]}" --log-opt rate-limit=10000000 --log-opt rate-burst=100000000) ;;
        docker-syslog) driver_args=(--log-driver syslog "${sys[@]}") ;;
        docker-syslog-nocache) driver_args=(--log-driver syslog "${sys[@]}" --log-opt cache-disabled=true) ;;
        json-file | local | none) driver_args=(--log-driver "$1") ;;
        empty) driver_args=(--log-driver none) ;;
        *) die "unknown path $1" ;;
    esac
}

# --- prerequisites -------------------------------------------------------------------------
docker_answers || die "no Docker daemon answers; start one with scripts/testenv/start-dockerd.sh"
command -v gcc >/dev/null || die "gcc not found (the receiver is compiled at each run)"
bash "$repo/scripts/testenv/make-test-image.sh"   # no-op when the image exists
image=$LOGSHIP_TEST_IMAGE

work=$(mktemp -d /tmp/logship-bench-e2e.XXXXXX)
run_label=logship-bench-e2e=$$   # on every container we start, so cleanup finds them all
sink_pid='' sampler_pid=''
client_pids=()
cleanup() {
    set +e   # best effort: a process that is already gone must not stop the rest
    local -a ids
    [[ -n $sampler_pid ]] && kill "$sampler_pid" 2>/dev/null
    ((${#client_pids[@]})) && kill "${client_pids[@]}" 2>/dev/null
    mapfile -t ids < <(docker ps -aq --filter "label=$run_label" 2>/dev/null)
    ((${#ids[@]})) && docker rm -f "${ids[@]}" >/dev/null 2>&1
    [[ -n $sink_pid ]] && kill "$sink_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # so that cleanup runs on Ctrl-C or kill too

# Install into a private plugin directory: plugin/build may be in use by someone else's install.
install_s=0
if ((reinstall)) || ! docker plugin inspect "$plugin" >/dev/null 2>&1; then
    log "installing plugin $plugin"
    install_s=$SECONDS
    PLUGIN_NAME=$plugin LOGSHIP_PLUGIN_DIR=$work/plugin bash "$repo/scripts/install.sh"
    install_s=$((SECONDS - install_s))   # reported apart: a build can take minutes
elif [[ $(docker plugin inspect -f '{{.Enabled}}' "$plugin") != true ]]; then
    docker plugin enable "$plugin" >/dev/null
fi
plugin_id=$(docker plugin inspect -f '{{.Id}}' "$plugin")

# --- processes and their CPU/memory ---------------------------------------------------------
dockerd_pid=$(cat /var/run/docker.pid 2>/dev/null || pgrep -xo dockerd) || die "cannot find dockerd's pid"
# The plugin runs as /usr/bin/logship under a containerd-shim started with "-id <plugin id>";
# other logship plugins (and their shims) may run too, so match on that id, or on the cgroup
# named after it.
find_plugin_pid() {
    local p ppid
    for p in $(pgrep -f '^/usr/bin/logship'); do
        ppid=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null) || continue
        if grep -qF -- "$plugin_id" "/proc/$ppid/cmdline" 2>/dev/null ||
            grep -qF -- "$plugin_id" "/proc/$p/cgroup" 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
plugin_pid=$(find_plugin_pid) || die "plugin $plugin is enabled but its process was not found"
# ticks PID: user+system CPU of the process (all its threads) in clock ticks, from /proc/PID/stat.
# Fields after the ")" that ends the command name start at field 3, so utime (14) is the 12th.
ticks() {
    local line rest
    read -r line <"/proc/$1/stat" || { echo -1; return; }
    rest=${line##*) }
    # shellcheck disable=SC2086  # split into the stat fields on purpose
    set -- $rest
    echo $((${12} + ${13}))
}
rss_kib() {
    local k v _
    while read -r k v _; do [[ $k == VmRSS: ]] && { echo "$v"; return; }; done <"/proc/$1/status"
    echo 0
}
now_us() { echo "${EPOCHREALTIME/./}"; }
# busy_ticks: CPU ticks the whole machine has spent not idle since boot (/proc/stat "cpu" line).
busy_ticks() {
    local user nice system rest
    read -r _ user nice system _ _ rest </proc/stat   # idle and iowait are not "busy"
    # shellcheck disable=SC2086  # split into irq, softirq, steal on purpose
    set -- $rest
    echo $((user + nice + system + $1 + $2 + ${3:-0}))
}
# wait_quiet: this machine is shared (other builds, tests, dockerd still removing the previous
# container), so before each measured run wait until it uses under a fifth of a core: up to
# 10 s, or 2 s while the last wait was in vain (a long fuzzing run next door would otherwise
# add 10 s to every run). Runs that had to start anyway are counted and shown in the report.
noisy_runs=0 quiet_tries=20
wait_quiet() {
    local i a limit=$(($(getconf CLK_TCK) / 10))   # ticks per 0.5 s at 20 % of one core
    for ((i = 0; i < quiet_tries; i++)); do
        a=$(busy_ticks)
        sleep 0.5
        if (($(busy_ticks) - a <= limit)); then quiet_tries=20; return 0; fi
    done
    noisy_runs=$((noisy_runs + 1)) quiet_tries=4
    log "warning: something else keeps the machine busy; measuring anyway"
}
secs() { printf '%d.%02d' $(($1 / 1000)) $(($1 % 1000 / 10)); }   # ms -> seconds, for the log

# --- the receiver ----------------------------------------------------------------------------
gcc -O3 -o "$work/line-sink" "$repo/scripts/bench/line-sink.c"
coproc SINK { exec "$work/line-sink" 2>"$work/line-sink.log"; }
# shellcheck disable=SC2153  # SINK_PID is set by `coproc SINK`
sink_pid=$SINK_PID
# Copies: bash unsets SINK when the coprocess exits, and a read from an unset fd would spin.
sink_in=${SINK[1]} sink_out=${SINK[0]}
sink_died() {
    local rc=0
    wait "$sink_pid" 2>/dev/null || rc=$?
    die "the receiver (line-sink) exited with status $rc: $(cat "$work/line-sink.log" 2>/dev/null)"
}
read -r -t 5 word port <&"$sink_out" && [[ $word == port ]] || sink_died
reached_us=
# sink_next TIMEOUT: read one line of the sink into sink_line (noting "reached" when it comes);
# fails on a timeout, dies if the receiver is gone.
sink_next() {
    local rc=0
    read -r -t "$1" sink_line <&"$sink_out" || rc=$?
    ((rc <= 128)) || return 1   # timed out
    ((rc == 0)) || sink_died
    if [[ $sink_line == reached\ * ]]; then reached_us=$((${sink_line#reached } / 1000)); fi
    return 0
}
# sink_ask COMMAND WORD: send a command, return when the reply starting with WORD came (in
# sink_line); "reached" lines that come first are noted on the way.
sink_ask() {
    printf '%s\n' "$1" >&"$sink_in" || sink_died
    until [[ $sink_line == "$2"* ]]; do sink_next 5 || die "the receiver did not answer '$1'"; done
}
sink_expect() {
    sink_line=
    sink_ask "expect $1" ok
    reached_us=
}
sink_count() {   # sets got_lines, got_bytes
    sink_line=
    sink_ask count 'count '
    read -r _ got_lines got_bytes _ <<<"$sink_line"
}
# wait_delivery: until the sink has reached its target, or has not grown for 2 s (lines lost).
wait_delivery() {
    local last=-1 still=0
    while [[ -z $reached_us ]]; do
        sink_next 0.5 && continue
        sink_count
        if ((got_lines == last)); then
            still=$((still + 1))
            ((still < 4)) || return 1
        else
            still=0 last=$got_lines
        fi
    done
}

# --- one container, one path -----------------------------------------------------------------
runs=$work/runs.tsv
printf 'path\tround\tlines\texit_ms\tdelivered_ms\treceived\tbytes\tdockerd_ticks\tplugin_ticks\tsink_ticks\n' >"$runs"
# run_one PATH ROUND LINES: ROUND 0 is the warm-up and is not recorded.
run_one() {
    local path=$1 round=$2 lines=$3 d0 p0 s0 t0 t1 d1 p1 s1 delivered received='' bytes='' pt=''
    local cmd=(seq 1 "$lines")
    [[ $path == empty ]] && cmd=(true) lines=0
    path_args "$path"
    ((round == 0)) || wait_quiet
    is_network "$path" && sink_expect "$lines"
    d0=$(ticks "$dockerd_pid") p0=$(ticks "$plugin_pid") s0=$(ticks "$sink_pid")
    t0=$(now_us)
    docker run --rm --network=none --label "$run_label" "${driver_args[@]}" "$image" "${cmd[@]}" >/dev/null ||
        die "docker run failed on path $path"
    t1=$(now_us)
    delivered=$t1
    if is_network "$path"; then
        if wait_delivery; then delivered=$reached_us; else delivered=; fi
    fi
    d1=$(ticks "$dockerd_pid") p1=$(ticks "$plugin_pid") s1=$(ticks "$sink_pid")
    if is_network "$path"; then
        sleep 1   # settle: count what arrives late (or twice)
        sink_count
        received=$got_lines bytes=$got_bytes
        ((round > 0)) || ((received > 0)) || die "warm-up: nothing reached the receiver on path $path"
    fi
    ((round > 0)) || return 0
    is_logship "$path" && pt=$((p1 - p0))
    [[ -n $delivered ]] && delivered=$(((delivered - t0) / 1000))   # ms
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$path" "$round" "$lines" \
        "$(((t1 - t0) / 1000))" "$delivered" "$received" "$bytes" "$((d1 - d0))" "$pt" "$((s1 - s0))" >>"$runs"
    log "$(printf '%-24s round %s: exit %s s, delivered %s, received %s' "$path" "$round" \
        "$(secs $(((t1 - t0) / 1000)))" "$([[ -n $delivered ]] && echo "$(secs "$delivered") s" || echo never)" \
        "${received:-n/a}")"
}

# --- 50 containers at once -------------------------------------------------------------------
swarm=$work/swarm.tsv
printf 'path\tcontainers\tlines_each\tstart_ms\tburst_ms\treceived\tdockerd_ticks\tplugin_ticks\tsink_ticks\tplugin_rss_idle\tplugin_rss_peak\tplugin_rss_after\tdockerd_rss_idle\tdockerd_rss_peak\tdockerd_rss_after\n' >"$swarm"
# run_swarm PATH: start 50 containers that each wait for one line from a FIFO in a shared
# read-only directory, then write the 50 lines, so all 50 log at the same moment; container
# start-up (seconds for 50 on vfs) is measured apart from the burst. A FIFO rather than polling
# for a file: 50 shells polling every 10 ms take a whole core. The script holds the FIFO open
# read-write until the end, so a container that reaches its `read` late still gets its line.
run_swarm() {
    local path=$1 total=$((swarm_size * swarm_lines)) go=$work/go-$1 i up t_start t_go t_end gofd
    local d0 p0 s0 d1 p1 s1 pri dri burst ppeak dpeak
    path_args "$path"
    mkdir -p "$go"
    mkfifo "$go/go"
    sink_expect "$total"
    pri=$(rss_kib "$plugin_pid") dri=$(rss_kib "$dockerd_pid")
    (while :; do echo "$(rss_kib "$plugin_pid") $(rss_kib "$dockerd_pid")"; sleep 0.1; done) >"$work/rss-$path" &
    sampler_pid=$!
    t_start=$(now_us)
    client_pids=()
    for ((i = 0; i < swarm_size; i++)); do
        docker run --rm --network=none --label "$run_label" -v "$go:/go:ro" "${driver_args[@]}" "$image" \
            sh -c "read -r _ </go/go; exec seq 1 $swarm_lines" >/dev/null &
        client_pids+=($!)
    done
    up=0
    for ((i = 0; i < 600 && up < swarm_size; i++)); do
        up=$(docker ps -q --filter "label=$run_label" --filter status=running | wc -l)
        ((up >= swarm_size)) || sleep 0.2
    done
    ((up >= swarm_size)) || die "only $up of $swarm_size containers started on path $path"
    wait_quiet   # let the 50 start-ups settle
    d0=$(ticks "$dockerd_pid") p0=$(ticks "$plugin_pid") s0=$(ticks "$sink_pid")
    t_go=$(now_us)
    exec {gofd}<>"$go/go"
    printf '\n%.0s' $(seq "$swarm_size") >&"$gofd"
    for i in "${client_pids[@]}"; do wait "$i" || die "a docker run failed on path $path"; done
    client_pids=()
    exec {gofd}>&-
    if wait_delivery; then t_end=$reached_us; else t_end=$(now_us); fi
    d1=$(ticks "$dockerd_pid") p1=$(ticks "$plugin_pid") s1=$(ticks "$sink_pid")
    sleep 1
    sink_count
    kill "$sampler_pid"; wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=
    ppeak=$(awk 'BEGIN{m=0} $1>m{m=$1} END{print m}' "$work/rss-$path")
    dpeak=$(awk 'BEGIN{m=0} $2>m{m=$2} END{print m}' "$work/rss-$path")
    burst=$(((t_end - t_go) / 1000))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$path" "$swarm_size" "$swarm_lines" \
        "$(((t_go - t_start) / 1000))" "$burst" "$got_lines" "$((d1 - d0))" "$((p1 - p0))" "$((s1 - s0))" \
        "$pri" "$ppeak" "$(rss_kib "$plugin_pid")" "$dri" "$dpeak" "$(rss_kib "$dockerd_pid")" >>"$swarm"
    log "$(printf '%-24s %s x %s lines: started in %s ms, burst %s ms, received %s of %s' "$path" \
        "$swarm_size" "$swarm_lines" "$(((t_go - t_start) / 1000))" "$burst" "$got_lines" "$total")"
}

# --- the benchmark ---------------------------------------------------------------------------
others=$(docker ps -q | wc -l)
((others == 0)) || log "warning: $others other containers are running; they share the CPU and dockerd"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
log "receiver on 127.0.0.1:$port; plugin $plugin pid $plugin_pid; dockerd pid $dockerd_pid; N=$n, $rounds round(s)"

log "warm-up: every path once with 10000 lines (not recorded)"
for path in "${paths[@]}"; do run_one "$path" 0 10000; done
for ((round = 1; round <= rounds; round++)); do
    for path in "${paths[@]}"; do run_one "$path" "$round" "$n"; done
done
if [[ ${BENCH_E2E_SWARM:-1} != 0 ]]; then
    for path in logship-syslog docker-syslog; do run_swarm "$path"; done
fi
[[ $(find_plugin_pid) == "$plugin_pid" ]] || log "warning: the plugin process changed during the run (crash?)"

# --- the report ------------------------------------------------------------------------------
meta=$work/meta.tsv
binary=$(docker info -f '{{.DockerRootDir}}')/plugins/$plugin_id/rootfs/usr/bin/logship
{
    printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'nproc\t%s\n' "$(nproc)"
    printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    printf 'mem\t%s\n' "$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    printf 'kernel\t%s\n' "$(uname -r)"
    printf 'docker\t%s\n' "$(docker version -f '{{.Server.Version}}')"
    printf 'storage\t%s\n' "$(docker info -f '{{.Driver}}, cgroup driver {{.CgroupDriver}}')"
    printf 'commit\t%s\n' "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    printf 'dirty\t%s\n' "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null | wc -l)"
    printf 'binary_sha\t%s\n' "$(sha256sum "$binary" 2>/dev/null | cut -c1-12)"
    printf 'build_sha\t%s\n' "$(sha256sum "$repo/.build/release/logship" 2>/dev/null | cut -c1-12)"
    printf 'plugin\t%s\n' "$plugin"
    printf 'clk_tck\t%s\n' "$(getconf CLK_TCK)"
    printf 'n\t%s\n' "$n"
    printf 'rounds\t%s\n' "$rounds"
    printf 'image\t%s\n' "$image"
    printf 'load_start\t%s\n' "$load_start"
    printf 'load_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'others\t%s\n' "$others"
    printf 'noisy_runs\t%s\n' "$noisy_runs"
    printf 'duration_s\t%s\n' "$((SECONDS - install_s))"
    printf 'install_s\t%s\n' "$install_s"
    printf 'command\t%s\n' "$command_line"
} >"$meta"
section=$work/section.md
# BENCH_E2E_KEEP=DIR keeps the raw measurements, to re-render with e2e-report.py alone.
[[ -z ${BENCH_E2E_KEEP:-} ]] || { mkdir -p "$BENCH_E2E_KEEP" && cp "$meta" "$runs" "$swarm" "$BENCH_E2E_KEEP/"; }
python3 "$repo/scripts/bench/e2e-report.py" "$meta" "$runs" "$swarm" >"$section"
if [[ $out == - ]]; then
    cat "$section"
else
    python3 "$repo/scripts/bench/splice-section.py" "$out" e2e <"$section"
    log "wrote the e2e section of $out"
fi
log "done in $SECONDS s"
