#!/usr/bin/env bash
# logship's whole test suite, in order, stopping at the first phase that fails:
#   unit         swift build, swift test
#   integration  the debug binary against real rsyslog and Python receivers (no Docker)
#   fuzz         each libFuzzer target (Fuzz/) for FUZZ_SECONDS (default 10) on a copy of the corpus;
#                with `all` it runs beside the integration phase and its log follows that phase's
#   e2e          a real Docker engine: deps, dockerd, a local registry, test image, scripts/install.sh,
#                containers
# Usage: scripts/test.sh [unit|integration|fuzz|e2e|all]   (default all)
# Env:   PLUGIN_NAME (default logship), PYTEST_ARGS (extra pytest arguments, e.g. "-k json -x")
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
command -v swift >/dev/null || PATH=/opt/swift/usr/bin:$PATH

phase() { printf '\n=== %s ===\n' "$*"; }

# pytest with the suite's ini; PYTEST_ARGS is split on spaces on purpose.
run_pytest() {
    # shellcheck disable=SC2086
    python3 -m pytest -c Tests/pytest.ini ${PYTEST_ARGS:-} "$@"
}

unit() {
    phase "unit: swift build"
    swift build
    phase "unit: swift test"
    swift test
}

integration() {
    phase "integration: dependencies"
    bash scripts/testenv/install-deps.sh
    phase "integration: debug build"
    swift build --product logship
    local bin
    bin="$(swift build --show-bin-path)/logship"
    phase "integration: pytest Tests/Integration ($bin)"
    LOGSHIP_BINARY=$bin run_pytest Tests/Integration
}

fuzz() {
    phase "fuzz: ${FUZZ_SECONDS:-10}s per target"
    bash scripts/fuzz.sh "${FUZZ_SECONDS:-10}"
}

e2e() {
    phase "e2e: environment"
    bash scripts/testenv/install-deps.sh
    bash scripts/testenv/start-dockerd.sh
    bash scripts/testenv/start-registry.sh   # the upgrade test pushes plugin versions to it
    bash scripts/testenv/make-test-image.sh
    phase "e2e: scripts/install.sh"
    bash scripts/install.sh
    phase "e2e: pytest Tests/EndToEnd"
    run_pytest Tests/EndToEnd
}

started=$SECONDS
case "${1:-all}" in
    unit) unit ;;
    integration) integration ;;
    fuzz) fuzz ;;
    e2e) e2e ;;
    all)
        unit
        # The fuzzers need one core for about two minutes and the integration phase mostly
        # waits on receivers and timers: side by side they keep the whole run short. The
        # fuzz log is shown after the integration phase (or when the run stops early); a
        # failure of either fails the run.
        fuzz_log=$(mktemp)
        fuzz >"$fuzz_log" 2>&1 &
        fuzz_pid=$!
        trap 'kill "$fuzz_pid" 2>/dev/null || true; cat "$fuzz_log"; rm -f "$fuzz_log"' EXIT
        integration
        wait "$fuzz_pid"
        trap - EXIT
        cat "$fuzz_log"
        rm -f "$fuzz_log"
        e2e
        ;;
    *) echo "usage: $0 [unit|integration|fuzz|e2e|all]" >&2; exit 2 ;;
esac
phase "${1:-all}: passed in $((SECONDS - started))s"
