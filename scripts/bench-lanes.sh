#!/usr/bin/env bash
# What fair sharing and rate limits cost (issue 12): the pipeline benchmark of this checkout beside
# the same benchmark built from BASE (default: the commit before lanes, 12e3c35 on main), and this
# checkout with a rate limit that never triggers, alternating within each round so drift on a
# shared machine hits every variant alike. Heap allocations per entry (valgrind) for each too.
# Regenerates the "Fair sharing and rate limits: overhead" section of BENCHMARKS.md.
# With --e2e PLUGIN, also the end-to-end figures with and without a rate limit that never triggers,
# through that installed plugin (scripts/bench-e2e.sh, one container at a time, no 50-container run).
# Usage: scripts/bench-lanes.sh [--base REF] [--entries N] [--rounds R] [--e2e PLUGIN [--e2e-lines N]]
#        (defaults 12e3c35, 1000000, 5; e2e 1000000 lines, 3 rounds)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
command -v swift >/dev/null || PATH=/opt/swift/usr/bin:$PATH

base_ref=12e3c35
entries=1000000
rounds=5
e2e_plugin=
e2e_lines=1000000
while [[ $# -gt 0 ]]; do
    case $1 in
        --base) base_ref=$2; shift 2 ;;
        --entries) entries=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --e2e) e2e_plugin=$2; shift 2 ;;
        --e2e-lines) e2e_lines=$2; shift 2 ;;
        *) echo "usage: $0 [--base REF] [--entries N] [--rounds R] [--e2e PLUGIN [--e2e-lines N]]" >&2; exit 2 ;;
    esac
done

# The base is built from a plain export of its tree: no worktree, nothing of this checkout touched.
base_dir=${TMPDIR:-/tmp}/logship-bench-base-$(git rev-parse --short "$base_ref")
if [[ ! -x $base_dir/.build/release/logship-bench ]]; then
    rm -rf "$base_dir" && mkdir -p "$base_dir"
    git archive "$base_ref" | tar -x -C "$base_dir"
    (cd "$base_dir" && swift build -c release --product logship-bench >&2)
fi
base_bench=$base_dir/.build/release/logship-bench
swift build -c release --product logship-bench >&2
bench=$(swift build -c release --show-bin-path)/logship-bench

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((r = 1; r <= rounds; r++)); do
    echo "round $r of $rounds" >&2
    "$base_bench" --entries "$entries" --rounds 1 --sizes 100 --formats rfc5424micro,json | sed 's/^/base\t/' >>"$out"
    "$bench" --entries "$entries" --rounds 1 --sizes 100 --formats rfc5424micro,rfc5424micro+rate-limit,json,json+rate-limit \
        | sed 's/^/lanes\t/' >>"$out"
done

allocations() {  # BINARY FORMAT ENTRIES
    valgrind --tool=memcheck --leak-check=no "$1" --rounds 1 --entries "$3" --sizes 100 --formats "$2" 2>&1 \
        | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}
alloc_rows=""
if command -v valgrind >/dev/null; then
    for variant in "base rfc5424micro" "lanes rfc5424micro" "lanes rfc5424micro+rate-limit"; do
        set -- $variant
        binary=$bench; [[ $1 == base ]] && binary=$base_bench
        small=$(allocations "$binary" "$2" 100000)
        large=$(allocations "$binary" "$2" 500000)
        per=$(python3 -c "print(f'{($large - $small) / 400000:.4f}')")
        alloc_rows+="| $1 | $2 | $small | $large | $per |"$'\n'
    done
else
    alloc_rows="| (valgrind not installed) | | | | |"$'\n'
fi

table=$(python3 - "$out" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    build, size, path, wall, ns, *_ = line.rstrip("\n").split("\t")
    if path == "copy floor":
        continue
    rows.setdefault((build, path), []).append((float(wall.replace(",", "")), float(ns.replace(",", ""))))
def med(key, i):
    return statistics.median(v[i] for v in rows[key])
print("| path | base ns/entry (CPU) | lanes ns/entry (CPU) | lanes / base | + rate limit, not triggered: ns/entry | rate limit / off | base entries/s (wall) | lanes entries/s (wall) | + rate limit entries/s (wall) |")
print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
for fmt in ("rfc5424micro", "json"):
    b, l, rl = ("base", fmt), ("lanes", fmt), ("lanes", fmt + "+rate-limit")
    print(f"| {fmt} | {med(b, 1):.1f} | {med(l, 1):.1f} | {med(l, 1) / med(b, 1):.3f} | {med(rl, 1):.1f} | "
          f"{med(rl, 1) / med(l, 1):.3f} | {med(b, 0):,.0f} | {med(l, 0):,.0f} | {med(rl, 0):,.0f} |")
PY
)

e2e_text=""
if [[ -n $e2e_plugin ]]; then
    e2e_out=$(BENCH_E2E_PATHS="logship-syslog logship-syslog-ratelimit empty" BENCH_E2E_SWARM=0 PLUGIN_NAME=$e2e_plugin \
        "$repo/scripts/bench-e2e.sh" -n "$e2e_lines" -r 3 -o -)
    e2e_text=$(python3 - "$e2e_out" <<'PY'
import sys
lines = sys.argv[1].splitlines()
# The one-container table only: from its heading to the first blank line after it.
start = next(i for i, l in enumerate(lines) if l.startswith("| Path"))
end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
table = lines[start:end]
meta = [l for l in lines if l.startswith("- **")]
rates = {}
for l in table:
    cells = [c.strip() for c in l.strip("|").split("|")]
    if cells[0].startswith("logship") and len(cells) >= 10:
        rates[cells[0]] = (float(cells[1].replace(",", "")), float(cells[9]))
off = next(v for k, v in rates.items() if "rate-limit" not in k)
on = next(v for k, v in rates.items() if "rate-limit" in k)
print("\n".join(meta))
print()
print("\n".join(table))
print()
print(f"Rate limit on (not triggered) / off: lines/s {on[0] / off[0]:.3f}, plugin CPU per line {on[1] / off[1]:.3f}.")
PY
)
    e2e_text="End to end (\`scripts/bench-e2e.sh\` through plugin \`$e2e_plugin\`, \`seq 1 $e2e_lines\`, medians of 3 rounds, the two paths alternating):

$e2e_text"
fi

section=$(cat <<MD
Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r);
$(swift --version 2>&1 | head -1); logship $(git rev-parse --short HEAD) against base $(git rev-parse --short "$base_ref"); $(date -u +%Y-%m-%d).
Command: \`scripts/bench-lanes.sh --base $base_ref --entries $entries --rounds $rounds${e2e_plugin:+ --e2e $e2e_plugin --e2e-lines $e2e_lines}\` (medians of $rounds rounds, the
builds alternating within each round; 100-byte lines, with the spool, one container).

*Base* is the pipeline before fair sharing (one queue and spool per destination); *lanes* is this
checkout (a lane per container: its own spool directory and memory chunks, the arrival order kept as
runs of lane numbers); *+ rate limit* is the same with \`rate-limit=10000000 rate-burst=100000000\`,
a limit checked on every line that never triggers. "ns/entry (CPU)" is the CPU time of the thread that
decodes, reassembles, formats and enqueues; the issue's bound is 1.10 for both ratios.

$table

Heap allocations (valgrind, including the benchmark's own set-up; lanes and rate limit must add none per entry):

| build | path | allocations, 100k entries | allocations, 500k entries | per entry (difference / 400k) |
|---|---|---|---|---|
$alloc_rows
$e2e_text
MD
)

python3 - "$section" <<'PY'
import re, sys
path = "BENCHMARKS.md"
text = open(path).read()
block = "<!-- lanes:begin -->\n" + sys.argv[1].rstrip("\n") + "\n<!-- lanes:end -->"
if "<!-- lanes:begin -->" in text:
    text = re.sub(r"<!-- lanes:begin -->.*?<!-- lanes:end -->", lambda _: block, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n## Fair sharing and rate limits: overhead\n\n" + block + "\n"
open(path, "w").write(text)
PY
echo "BENCHMARKS.md: lanes section updated" >&2
