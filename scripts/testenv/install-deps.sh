#!/usr/bin/env bash
# Install what the integration and end-to-end tests need on a bare Debian 12 machine (as root).
# Fast no-op when everything is already there, so scripts/test.sh can call it every time.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Debian packages: the Docker engine (20.10, run with vfs), rsyslog as the reference receiver,
# a static busybox to build the test image offline, openssl/libssl-dev for TLS work, and the
# small process tools the scripts use (ip, pgrep, fuser). python3-pip only if pip is missing.
packages=(docker.io rsyslog busybox-static openssl libssl-dev ca-certificates iproute2 procps psmisc)
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
# rsyslog's two TLS network stream drivers (GnuTLS and OpenSSL), the TLS tests' main receivers.
packages+=(rsyslog-gnutls rsyslog-openssl)
# rsyslog's RELP input (imrelp, with librelp): the receiver of the relp:// and relp+tls:// tests.
packages+=(rsyslog-relp)
# Docker's registry (distribution 2.x): the upgrade test pushes two versions of the plugin to a
# private instance on loopback (scripts/testenv/start-registry.sh), since `docker plugin upgrade`
# only takes a plugin from a registry.
packages+=(docker-registry)
# Prometheus: the metrics test scrapes the plugin with a private instance on loopback and runs
# every panel of contrib/grafana-dashboard.json against it.
packages+=(prometheus)

missing=()
for p in "${packages[@]}"; do
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" == installed ]] || missing+=("$p")
done

if ((${#missing[@]})); then
    ((EUID == 0)) || die "need root to install: ${missing[*]}"
    log "installing: ${missing[*]}"
    # Keep package scripts from starting the system's own dockerd/rsyslogd/docker-registry/prometheus: the
    # tests start private instances with their own flags (and, for the registry, its own port). Only add a policy-rc.d if none exists.
    policy=/usr/sbin/policy-rc.d
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    log "Debian packages: all present"
fi

# Python: pytest runs the suites; protobuf (from PyPI) builds the FIFO frames.
# PIP_BREAK_SYSTEM_PACKAGES lets pip install into Debian's own python3 (PEP 668); a pyenv or
# venv python ignores it.
py_missing=()
python3 -c 'import google.protobuf' 2>/dev/null || py_missing+=(protobuf)
python3 -c 'import pytest' 2>/dev/null || py_missing+=(pytest)
if ((${#py_missing[@]})); then
    log "pip installing: ${py_missing[*]}"
    PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q "${py_missing[@]}"
else
    log "Python packages: all present"
fi

# syslog-ng, the TLS tests' other receiver. Debian's syslog-ng-core conflicts with the rsyslog
# package, so it is not installed: the package and the libraries it needs that a base system lacks
# are unpacked into a directory of their own, and Tests/Harness/harness/syslog_ng.py runs the binary
# from there with LD_LIBRARY_PATH pointing into it.
syslog_ng_root=$LOGSHIP_TESTENV_STATE/syslog-ng
if [[ ! -x $syslog_ng_root/usr/sbin/syslog-ng ]]; then
    log "unpacking syslog-ng-core into $syslog_ng_root"
    download=$(mktemp -d)
    chmod 0755 "$download"  # apt's download sandbox user must be able to write there
    syslog_ng_debs=(syslog-ng-core libivykis0 libnet1 libpcre3 libwrap0 libjson-c5)
    if ! (cd "$download" && apt-get download -qq "${syslog_ng_debs[@]}" 2>/dev/null); then
        ((EUID == 0)) || die "need root to refresh the package lists for: apt-get download ${syslog_ng_debs[*]}"
        apt-get update -qq
        (cd "$download" && apt-get download -qq "${syslog_ng_debs[@]}")
    fi
    rm -rf "$syslog_ng_root.partial" && mkdir -p "$syslog_ng_root.partial"
    for deb in "$download"/*.deb; do dpkg -x "$deb" "$syslog_ng_root.partial"; done
    rm -rf "$download"
    r=$syslog_ng_root.partial
    missing_libs=$(LD_LIBRARY_PATH=$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu:$r/usr/lib/syslog-ng \
        ldd "$r/usr/sbin/syslog-ng" "$r"/usr/lib/syslog-ng/3.*/libafsocket.so | grep 'not found' || true)
    [[ -z $missing_libs ]] || die "unpacked syslog-ng lacks libraries: $missing_libs"
    mv "$r" "$syslog_ng_root"
else
    log "syslog-ng: unpacked in $syslog_ng_root"
fi
