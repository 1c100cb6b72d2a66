#!/usr/bin/env bash
# RELP next to plain TCP, same run, same rsyslog: the release binary played as the daemon streams
# LINES numbered lines (default 500,000) per run over tcp:// and over relp:// with a few windows into
# one rsyslog (an imtcp and an imrelp input into one ruleset), once with the ruleset README's receiver
# recipe asks for (write before answering) and once with rsyslog's defaults; paths alternate within
# each of ROUNDS rounds (default 3). Rewrites the "relp" section of BENCHMARKS.md (scripts/bench/relp-bench.py
# does the work; raw runs on stderr).
# Usage: scripts/bench-relp.sh [LINES] [ROUNDS]     Needs: scripts/testenv/install-deps.sh (rsyslog-relp)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
command -v swift >/dev/null || PATH=/opt/swift/usr/bin:$PATH
lines=${1:-500000}
rounds=${2:-3}

swift build -c release --product logship >&2
binary=$(swift build -c release --show-bin-path)/logship
section=$(mktemp)
trap 'rm -f "$section"' EXIT
python3 scripts/bench/relp-bench.py --binary "$binary" --lines "$lines" --rounds "$rounds" \
    --command "scripts/bench-relp.sh${*:+ $*}" >"$section"
python3 scripts/bench/splice-section.py BENCHMARKS.md relp <"$section"
cat "$section"
