"""Fixtures and helpers shared by the TLS integration tests (import them into a test module).

pki         the module's certificates (certificates.CertificateSet), made once per module
certs_dir   a fresh directory standing in for the plugin's configuration directory (the `config` mount)
tls_plugin  the logship binary with CONFIG_DIR pointing at certs_dir, so options name files
            relative to it exactly as they do inside the managed plugin
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from . import frames
from .certificates import CertificateSet
from .waiting import wait_until


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> CertificateSet:
    return CertificateSet.make(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def certs_dir(short_tmp) -> Path:
    d = short_tmp / "certs"
    d.mkdir()
    return d


@pytest.fixture
def tls_plugin(start_plugin, certs_dir):
    return start_plugin(env={"CONFIG_DIR": str(certs_dir)})


def tls_options(address_option: str, address: str, pki: CertificateSet, certs_dir: Path, client: bool = False) -> dict[str, str]:
    """Options for a TLS destination trusting the test CA (copied into the certs directory as
    ca.pem) and, with client=True, presenting the client certificate (client.pem, client.key)."""
    prefix = address_option.removesuffix("-address")
    shutil.copyfile(pki.ca.cert, certs_dir / "ca.pem")
    options = {address_option: address, f"{prefix}-tls-ca-cert": "ca.pem"}
    if client:
        pki.client.copy_to(certs_dir, "client.pem", "client.key")
        options |= {f"{prefix}-tls-cert": "client.pem", f"{prefix}-tls-key": "client.key"}
    return options


def numbered(n: int, prefix: str = "line") -> list[str]:
    return [f"{prefix} {i:06d}" for i in range(n)]


@lru_cache(maxsize=8)
def frames_for(n: int, prefix: str = "line") -> bytes:
    """The FIFO frames of numbered(n, prefix), built once per run (protobuf encoding of 200,000
    entries takes seconds; every test that streams the same lines reuses the bytes)."""
    return b"".join(frames.line_frames(line) for line in numbered(n, prefix))


def established_connections(port: int) -> int:
    """TCP connections to 127.0.0.1:port in state ESTABLISHED (from `ss`), client sides only."""
    out = subprocess.run(["ss", "-Htn", "state", "established", f"( dport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    return len(out.splitlines())


def wait_until_disconnected(port: int, timeout: float = 20.0) -> None:
    """Wait until nothing is connected to `port`: the plugin closed its connection (a destination
    nobody uses any more is retired, and its connection closed, within about a second)."""
    wait_until(lambda: established_connections(port) == 0, timeout, f"the connection to port {port} to close",
               interval=0.1, describe=lambda: f"{established_connections(port)} connections")


def connect_count(plugin) -> int:
    """How many connections the plugin's senders opened (one "connected to" log line each)."""
    return plugin.stderr_text().count(" connected to ")
