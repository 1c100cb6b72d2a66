"""tcp+tls through the installed plugin: certificate files come from the host directory mounted into
the plugin as its configuration directory (`docker plugin set <plugin> config.source=DIR CONFIG_DIR=/config`
while it is disabled; scripts/install.sh does it for /etc/logship), options name them relative to it,
and a container's 200,000 lines reach rsyslog's OpenSSL-driver TLS input complete."""

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


@contextmanager
def config_mounted_from(directory: Path, name: str = d.PLUGIN):
    """The plugin's `config` mount pointed at `directory`, and CONFIG_DIR at the mount itself, for
    the duration (disable, set, enable), then back to what they were."""
    with d.plugin_mounts({"config": str(directory)}, name, CONFIG_DIR="/config"):
        yield


@pytest.fixture(scope="module")
def pki():
    directory = Path(tempfile.mkdtemp(prefix="logship-e2e-pki-"))
    yield CertificateSet.make(directory)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def host_certs_dir():
    """A host directory for the plugin's config mount (world-readable, as dockerd bind-mounts it)."""
    directory = Path(tempfile.mkdtemp(prefix="logship-e2e-certs-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.slow
def test_200000_lines_over_tls_with_certificates_from_the_mounted_host_directory(pki, host_certs_dir, short_tmp):
    shutil.copyfile(pki.ca.cert, host_certs_dir / "ca.pem")
    rx = TLSRsyslog(short_tmp / "rx", "ossl", pki.ca.cert, pki.server).start()
    try:
        with config_mounted_from(host_certs_dir):
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
    with config_mounted_from(host_certs_dir):
        run = d.run_container(["echo", "never runs"], {"syslog-address": "tcp+tls://127.0.0.1:6514",
                                                       "syslog-tls-ca-cert": "missing.pem"})
    assert run.returncode != 0
    assert ('cannot use log-opt syslog-tls-ca-cert="missing.pem": CA certificate file /config/missing.pem: '
            "No such file or directory; a relative path is read in the plugin's configuration directory /config (CONFIG_DIR), "
            "in the host directory mounted at /config (`docker plugin set logship config.source=DIR`; "
            "scripts/install.sh mounts /etc/logship)") in run.stderr, run.stderr
