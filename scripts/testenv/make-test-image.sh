#!/usr/bin/env bash
# Build the image the end-to-end tests run, offline: Debian's static busybox plus one symlink
# per applet, imported with `docker import` (no registry is reachable, so no `docker pull`).
# No-op when the image exists.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if docker image inspect "$LOGSHIP_TEST_IMAGE" >/dev/null 2>&1; then
    log "image $LOGSHIP_TEST_IMAGE exists"
    exit 0
fi

busybox=/bin/busybox
[[ -x $busybox ]] || die "$busybox not found; run scripts/testenv/install-deps.sh"
# The image has no libc, so a dynamically linked busybox (Debian's `busybox` package) won't run.
if ldd "$busybox" >/dev/null 2>&1; then
    die "$busybox is dynamically linked; install busybox-static"
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc"
chmod 1777 "$dir/tmp"
cp "$busybox" "$dir/bin/busybox"
# `busybox --list` includes "busybox" itself: skip it, or the self-link replaces the binary.
for applet in $("$busybox" --list); do
    [[ $applet == busybox ]] && continue
    ln -sf busybox "$dir/bin/$applet"
done
# Minimal files some applets look at (id, whoami, hostname resolution); docker mounts its own
# /etc/hosts, /etc/hostname and /etc/resolv.conf over these at run time.
echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
echo 'root:x:0:' >"$dir/etc/group"

tar -C "$dir" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$LOGSHIP_TEST_IMAGE" >/dev/null
# Prove the image works before tests depend on it.
out=$(docker run --rm --network=none --log-driver=none "$LOGSHIP_TEST_IMAGE" seq 1 3 | tr '\n' ' ')
[[ $out == "1 2 3 " ]] || die "test image does not run seq correctly (got: $out)"
log "built image $LOGSHIP_TEST_IMAGE"
