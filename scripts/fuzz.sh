#!/usr/bin/env bash
# Fuzzes logship's parsers of untrusted input with libFuzzer (see Fuzz/README.md).
#   scripts/fuzz.sh [SECONDS]           each target for SECONDS (default 30) on a copy of
#                                       Fuzz/Corpus; exits non-zero on any crash, timeout,
#                                       leak or out-of-memory, printing how to replay it
#   scripts/fuzz.sh --merge [SECONDS]   the same, then minimises Fuzz/Corpus/<target> to the
#                                       seeds plus the fewest inputs that reach every edge
# Env: FUZZ_TARGETS   targets to run, space-separated (default: all six)
#      FUZZ_WORK      where runs write (default: a new directory under $TMPDIR)
# Needs only what logship builds with: libFuzzer and ASan ship with the toolchain's clang.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
command -v swift >/dev/null || PATH=/opt/swift/usr/bin:$PATH

merge=false
if [ "${1:-}" = "--merge" ]; then merge=true; shift; fi
seconds=${1:-30}
case "$seconds" in ''|*[!0-9]*) echo "usage: $0 [--merge] [SECONDS_PER_TARGET]" >&2; exit 2 ;; esac
read -r -a targets <<<"${FUZZ_TARGETS:-fuzz-frames fuzz-http fuzz-json fuzz-start-logging fuzz-patterns fuzz-spool fuzz-relp}"

# Longest input per target: a FIFO read holds a few frames of up to ~16.5 KB each; a
# request head is at most 16 KiB; request bodies are small.
max_len() {
    case "$1" in
        fuzz-frames) echo 70000 ;;
        fuzz-http) echo 20000 ;;
        # Choices of one byte or two: a spool of up to 20 records, 32 damage operations.
        fuzz-spool) echo 512 ;;
        # A RELP server's answers: the open answer and a batch's worth of short ones.
        fuzz-relp) echo 4096 ;;
        *) echo 16384 ;;
    esac
}

# Both spellings are needed (Swift 6.3): SwiftPM's --sanitize=fuzzer makes it leave
# `main` to libFuzzer (otherwise it links `main` to the module's missing entry point),
# and -Xswiftc -sanitize=fuzzer,address is what reaches the compiler intact (SwiftPM's
# --sanitize=fuzzer --sanitize=address arrive as two flags, the last one wins, and the
# binary runs with no ASan checks and no coverage registered).
#
# -enable-testing lets fuzz-spool `@testable import LogshipDelivery`, as its unit tests do,
# instead of widening the spool's access for it: the spool is internal to the queue, and
# its tests and this target are the only code that reaches past the queue to it.
build_flags=(--package-path Fuzz --scratch-path Fuzz/.build -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
             -Xswiftc -enable-testing)
# A toolchain without the libFuzzer runtime would only fail at the first link, obscurely.
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
if [ -d "$toolchain/lib/clang" ] && ! compgen -G "$toolchain/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a" >/dev/null; then
    echo "fuzz: no libFuzzer runtime under $toolchain/lib/clang; a Swift toolchain from swift.org has one" >&2
    exit 2
fi
echo "=== fuzz: building Fuzz/ (release, fuzzer + address sanitizers)"
swift build "${build_flags[@]}"
bin=$(swift build "${build_flags[@]}" --show-bin-path)

work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/logship-fuzz.XXXXXX")}
mkdir -p "$work"
# Swift's own crash backtracer races ASan's report and can hang the run; the
# sanitizer's stack trace is the one wanted here. Leak checking stays on.
export SWIFT_BACKTRACE=enable=no
# Dictionary order is otherwise seeded per process: a finding that depends on it
# would not replay.
export SWIFT_DETERMINISTIC_HASHING=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# Prints "execs/s, coverage, corpus" from a run's log.
summary() {
    local last execs
    last=$(grep -E '^#[0-9]+.*cov: ' "$1" | tail -1 || true)
    execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$1" | tail -1)
    printf '%s execs/s, %s\n' "${execs:-?}" "$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' <<<"$last" || echo 'no coverage line')"
}

failed=()
for target in "${targets[@]}"; do
    [ -d "Fuzz/Corpus/$target" ] || { echo "fuzz: unknown target $target" >&2; exit 2; }
    dir="$work/$target"
    rm -rf "$dir"
    mkdir -p "$dir/artifacts"
    cp -R "Fuzz/Corpus/$target" "$dir/corpus"
    # Shared by the run and the merge.
    flags=(-max_len="$(max_len "$target")" -timeout=5 -rss_limit_mb=2048 -dict="$repo/Fuzz/Dictionaries/$target.dict")
    echo "=== fuzz: $target for ${seconds}s (log: $dir/log)"
    if "$bin/$target" "${flags[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1 \
        && [ -z "$(ls -A "$dir/artifacts")" ]; then
        echo "    ok: $(summary "$dir/log")"
    else
        failed+=("$target")
        grep -E 'ERROR|Fatal error|SUMMARY' "$dir/log" | head -20 | sed 's/^/    /'
        [ -n "$(ls -A "$dir/artifacts")" ] || tail -15 "$dir/log" | sed 's/^/    /'  # failed to start
        for artifact in "$dir"/artifacts/*; do
            [ -e "$artifact" ] || continue
            echo "    reproducer: $artifact"
            echo "    replay:     cd $repo && swift build ${build_flags[*]} && SWIFT_BACKTRACE=enable=no SWIFT_DETERMINISTIC_HASHING=1 $bin/$target $artifact"
        done
        continue
    fi
    if $merge; then
        # Seeds always stay; of the rest, a smallest set of inputs that reaches every
        # edge nothing else reaches. Hit counts are left out (-use_counters=0): keeping
        # an input per count bucket would multiply the files for little, and each run
        # regrows them from this set in seconds.
        merged="$dir/merged"
        mkdir -p "$merged"
        cp "Fuzz/Corpus/$target"/seed-* "$merged/"
        "$bin/$target" "${flags[@]}" -use_counters=0 -set_cover_merge=1 "$merged" "Fuzz/Corpus/$target" "$dir/corpus" \
            >"$dir/merge.log" 2>&1
        find "Fuzz/Corpus/$target" -type f ! -name 'seed-*' -delete
        find "$merged" -type f ! -name 'seed-*' -exec cp {} "Fuzz/Corpus/$target/" \;
        echo "    merged: Fuzz/Corpus/$target now $(find "Fuzz/Corpus/$target" -type f | wc -l) files, $(du -sh --apparent-size "Fuzz/Corpus/$target" | cut -f1)"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "=== fuzz: FAILED: ${failed[*]} (runs kept in $work)" >&2
    exit 1
fi
[ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"
echo "=== fuzz: all targets passed"
