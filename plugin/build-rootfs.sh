#!/usr/bin/env bash
# Assemble the managed-plugin directory that `docker plugin create` takes, offline:
#   plugin/build/config.json   the manifest (copied from the top-level config.json)
#   plugin/build/rootfs/       the release binary, the shared libraries it loads, and the
#                              empty mount points Docker needs.
# Usage: plugin/build-rootfs.sh [BINARY]   (default .build/release/logship)
# Env:   LOGSHIP_CONFIG_JSON  manifest to copy (default: config.json at the repository top)
#        LOGSHIP_PLUGIN_DIR   output directory (default: plugin/build)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$repo/.build/release/logship}
config=${LOGSHIP_CONFIG_JSON:-$repo/config.json}
out=${LOGSHIP_PLUGIN_DIR:-$repo/plugin/build}
rootfs=$out/rootfs

log() { printf '[build-rootfs] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -x $binary ]] || die "binary $binary not found; build it with: swift build -c release --static-swift-stdlib --product logship"
[[ -f $config ]] || die "manifest $config not found"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$config" || die "$config is not valid JSON"

# Start from nothing so a library dropped from the link line doesn't linger in the image. The
# directory comes from the environment, and `rm -rf` of a mistyped one (empty, /, a home directory)
# would delete whatever it names; so remove only what has the shape this script gives its output:
# a directory holding nothing but config.json and rootfs (or nothing at all), or nothing yet.
[[ -n $out ]] || die "the output directory (LOGSHIP_PLUGIN_DIR) is empty"
[[ $(realpath -m -- "$out") != / ]] || die "refusing to use / as the output directory"
if [[ -e $out || -L $out ]]; then
    [[ -d $out && ! -L $out ]] || die "$out exists and is not a directory (or is a symlink); refusing to replace it"
    # The first entry other than config.json and rootfs, dotfiles included.
    stranger=$(find "$out" -mindepth 1 -maxdepth 1 ! -name config.json ! -name rootfs -print -quit)
    [[ -z $stranger ]] ||
        die "$out holds $stranger, so it is not a directory this script made (only config.json and rootfs); refusing to delete it"
fi
rm -rf -- "$out"
mkdir -p "$rootfs"
cp "$config" "$out/config.json"

# Mount points: /run/docker/plugins is where Docker mounts the socket directory.
# /run/docker/logging is the manifest's propagatedMount: Docker bind-mounts a directory it keeps
# beside the rootfs (<docker root>/plugins/<id>/propagated-mount) over it, and the daemon creates
# the FIFOs in that host directory (moby's ScopedPath re-scopes paths under the propagated mount).
# STATE_DIR defaults to /run/docker/logging/logship-state, in the same mount, so FIFOs, stream
# records and spool all outlive `docker plugin upgrade`, which replaces this rootfs. The directory
# stays empty here: the mount hides whatever the rootfs has at that path, mode included.
# /config receives the manifest's `config` mount (routes.conf, TLS certificate files), /sockets its
# `sockets` mount (the host's unix sockets for unix:// destinations); /proc /sys /dev /tmp are
# mounted by the runtime.
for d in run/docker/plugins run/docker/logging config sockets etc tmp proc sys dev usr/bin; do
    mkdir -p "$rootfs/$d"
done
chmod 1777 "$rootfs/tmp"
# With network type host, Docker bind-mounts the host's /etc/hosts and /etc/resolv.conf over
# these; a bind mount needs an existing file as its target.
: >"$rootfs/etc/hosts"
: >"$rootfs/etc/resolv.conf"

install -m 0755 "$binary" "$rootfs/usr/bin/logship"

# Every shared library the dynamic loader will map, at the same path as on this host (the
# binary's PT_INTERP names /lib64/ld-linux-x86-64.so.2, and the loader searches /lib/<triplet>).
# `cp -L` copies the file a symlink points to, so the rootfs needs no /usr-merge symlinks.
# ldd prints "name => /path (addr)" for libraries and "/path (addr)" for the loader.
ldd_out=$(ldd "$binary" 2>&1) || true  # ldd exits 1 for a static binary
# A library the loader cannot find shows up as "=> not found": refuse to ship that.
if grep -q 'not found' <<<"$ldd_out"; then
    die "ldd reports missing libraries: $(grep 'not found' <<<"$ldd_out" | tr '\n' ' ')"
fi
libs=$(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$ldd_out" | sort -u)
if [[ -z $libs ]] && ! grep -q 'not a dynamic executable' <<<"$ldd_out"; then
    die "ldd found no libraries for $binary: $ldd_out"  # only a fully static binary needs none
fi
for lib in $libs; do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
done

# The system CA bundle, which tcp+tls destinations trust besides their own CA file (Debian's
# ca-certificates package; scripts/testenv/install-deps.sh installs it). OpenSSL itself
# (libssl, libcrypto) came with the libraries above.
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    mkdir -p "$rootfs/etc/ssl/certs"
    cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
else
    log "warning: no /etc/ssl/certs/ca-certificates.crt on this host (apt-get install ca-certificates):"
    log "  tcp+tls destinations of this build trust only the CA files their options name"
fi

log "assembled $out ($(du -sh "$rootfs" | cut -f1)):"
(cd "$rootfs" && find . -type f | sort | sed 's/^\./  /') >&2
