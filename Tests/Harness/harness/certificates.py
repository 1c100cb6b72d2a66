"""Test certificates made with the `openssl` command line: a CA and the certificates it signs.

Every key is EC P-256. Server certificates name "localhost" and 127.0.0.1 unless told otherwise.
An expired certificate is made without faking the clock: `openssl x509 -days -1` sets notAfter a day
before notBefore (now), so any verifier sees "certificate has expired".
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

_serials = itertools.count(2)


def _openssl(*args: str) -> None:
    p = subprocess.run(["openssl", *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{p.stderr}")


@dataclass(frozen=True)
class Identity:
    """A certificate and its private key (PEM files)."""

    cert: Path
    key: Path

    def copy_to(self, directory: Path, cert_name: str, key_name: str) -> None:
        """Put the pair into `directory` under the names the options use (replacing older files)."""
        shutil.copyfile(self.cert, directory / cert_name)
        shutil.copyfile(self.key, directory / key_name)


class CertificateAuthority:
    def __init__(self, directory: Path, name: str):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.cert = self.directory / f"{name}-ca.pem"
        self.key = self.directory / f"{name}-ca.key"
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", str(self.key), "-out", str(self.cert), "-subj", f"/CN={name} test CA", "-days", "30",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def issue(self, name: str, sans: str = "DNS:localhost,IP:127.0.0.1", client: bool = False,
              expired: bool = False) -> Identity:
        key = self.directory / f"{name}.key"
        csr = self.directory / f"{name}.csr"
        cert = self.directory / f"{name}.pem"
        ext = self.directory / f"{name}.ext"
        ext.write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature\n"
            f"extendedKeyUsage={'clientAuth' if client else 'serverAuth'}\n"
            f"subjectAltName={sans}\n"
        )
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", str(key),
                 "-out", str(csr), "-subj", f"/CN={name}")
        _openssl("x509", "-req", "-in", str(csr), "-CA", str(self.cert), "-CAkey", str(self.key),
                 "-set_serial", str(next(_serials)), "-days", "-1" if expired else "30", "-extfile", str(ext),
                 "-out", str(cert))
        return Identity(cert, key)


@dataclass
class CertificateSet:
    """What the TLS tests need, made once per module: a trusted CA with a server certificate, a
    client certificate, an expired server certificate and a server certificate without 127.0.0.1;
    and a second, untrusted CA with its own client certificate."""

    ca: CertificateAuthority
    server: Identity
    client: Identity
    expired_server: Identity
    server_named_elsewhere: Identity
    stranger: CertificateAuthority
    stranger_client: Identity

    @classmethod
    def make(cls, directory: Path) -> "CertificateSet":
        ca = CertificateAuthority(directory, "trusted")
        stranger = CertificateAuthority(directory, "stranger")
        return cls(
            ca=ca,
            server=ca.issue("server"),
            client=ca.issue("client", sans="DNS:client.example", client=True),
            expired_server=ca.issue("expired-server", expired=True),
            server_named_elsewhere=ca.issue("elsewhere-server", sans="DNS:logs.example"),
            stranger=stranger,
            stranger_client=stranger.issue("stranger-client", sans="DNS:client.example", client=True),
        )
