#!/usr/bin/env bash
# TLS next to plain TCP, same run, same receivers: the release binary played as the daemon streams
# LINES lines (default 1,000,000) to rsyslog (plain imtcp vs the OpenSSL-driver TLS input) and to
# Python sinks (plain vs TLS), each checked for zero loss, ROUNDS times (default 3), and prints the
# lines/s of every run (Tests/Integration/test_tls_throughput.py does the work).
# Usage: scripts/bench-tls.sh [LINES] [ROUNDS]     Needs: scripts/testenv/install-deps.sh
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
command -v swift >/dev/null || PATH=/opt/swift/usr/bin:$PATH
lines=${1:-1000000}
rounds=${2:-3}

swift build -c release --product logship >&2
binary=$(swift build -c release --show-bin-path)/logship
for round in $(seq 1 "$rounds"); do
    echo "--- round $round of $rounds: $lines lines per run ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
    LOGSHIP_BINARY=$binary LOGSHIP_TLS_BENCH_LINES=$lines \
        python3 -m pytest -c Tests/pytest.ini -q -s Tests/Integration/test_tls_throughput.py 2>&1 |
        grep -E 'lines/s|passed|failed|Error'
done
