"""tcp+tls through the installed plugin: certificate files come from a host directory mounted into
the plugin (`docker plugin set <plugin> certs.source=DIR` while it is disabled), options name them
relative to it, and a container's 200,000 lines reach rsyslog's OpenSSL-driver TLS input complete."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness import docker as d
from harness.certificates import CertificateSet
from harness.rsyslog_tls import TLSRsyslog
from harness.tls_fixtures import wait_until_disconnected
from harness.waiting import wait_until

N = 200_000


def mount_source(name: str, mount: str) -> str:
    [entry] = [m for m in d.plugin_inspect(name)["Settings"]["Mounts"] if m["Name"] == mount]
    return entry["Source"]


@contextmanager
def certs_mounted_from(directory: Path, name: str = d.PLUGIN):
    """The plugin's `certs` mount pointed at `directory` for the duration (disable, set, enable),
    then back to what it was."""
    before = mount_source(name, "certs")

    def point_at(source: str) -> None:
        d.plugin_disable(name)
        try:
            d.docker("plugin", "set", name, f"certs.source={source}")
        finally:
            d.docker("plugin", "enable", name)

    point_at(str(directory))
    try:
        yield
    finally:
        point_at(before)
    assert mount_source(name, "certs") == before


@pytest.fixture(scope="module")
def pki():
    directory = Path(tempfile.mkdtemp(prefix="logship-e2e-pki-"))
    yield CertificateSet.make(directory)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def host_certs_dir():
    """A host directory for the plugin's certs mount (world-readable, as dockerd bind-mounts it)."""
    directory = Path(tempfile.mkdtemp(prefix="logship-e2e-certs-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def test_the_manifest_mounts_the_hosts_etc_read_only_by_default():
    """The default source must exist on every host, or `docker plugin enable` fails there."""
    [certs] = [m for m in d.plugin_inspect()["Config"]["Mounts"] if m["Name"] == "certs"]
    assert (certs["Source"], certs["Destination"], certs["Options"]) == ("/etc", "/certs", ["rbind", "ro"])
    assert "source" in certs["Settable"]


@pytest.mark.slow
def test_200000_lines_over_tls_with_certificates_from_the_mounted_host_directory(pki, host_certs_dir, short_tmp):
    shutil.copyfile(pki.ca.cert, host_certs_dir / "ca.pem")
    rx = TLSRsyslog(short_tmp / "rx", "ossl", pki.ca.cert, pki.server).start()
    try:
        with certs_mounted_from(host_certs_dir):
            run = d.run_container(["seq", "1", str(N)], {"syslog-address": rx.tls_address, "syslog-tls-ca-cert": "ca.pem"},
                                  capture=False, timeout=600)
            assert run.returncode == 0, run.stderr
            last = f" - {N}\x1f".encode()  # the raw message's end, then the field separator
            wait_until(lambda: last in rx.output_bytes()[-8192:], 120, f"line {N} at rsyslog", interval=0.25)
            wait_until_disconnected(rx.tls_port)
    finally:
        rx.stop(quiet=0.5)
    messages = [m for m in rx.messages() if m["app_name"] == run.tag]
    assert [m["msg"] for m in messages] == [str(i) for i in range(1, N + 1)]
    assert rx.unclean_closes() == []


def test_an_unusable_certificate_file_fails_docker_run_saying_where_it_was_looked_for(host_certs_dir):
    with certs_mounted_from(host_certs_dir):
        run = d.run_container(["echo", "never runs"], {"syslog-address": "tcp+tls://127.0.0.1:6514",
                                                       "syslog-tls-ca-cert": "missing.pem"})
    assert run.returncode != 0
    assert ('cannot use log-opt syslog-tls-ca-cert="missing.pem": CA certificate file /certs/missing.pem: '
            "No such file or directory; a relative path is read in the plugin's certificate directory /certs, "
            "which is the host directory set with `docker plugin set logship certs.source=DIR` (default /etc)") in run.stderr, run.stderr
