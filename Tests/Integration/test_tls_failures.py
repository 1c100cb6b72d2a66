"""tcp+tls when the server cannot be trusted or refuses the plugin: nothing is delivered, the plugin
log says why, and delivery resumes on its own once the cause is fixed (a file replaced in the
configuration directory, or the receiver's certificate reissued), with every queued line delivered
exactly once."""

from __future__ import annotations

import shutil

import pytest

from harness.rsyslog_tls import TLSRsyslog
from harness.syslog_ng import SyslogNG
from harness.tls_fixtures import certs_dir, numbered, pki, tls_options, tls_plugin  # noqa: F401  (fixtures)
from harness.waiting import wait_until

TAG = "tls-failure"
LINES = numbered(100, "queued")


def start_stream(plugin, open_stream, options):
    s = open_stream({**options, "tag": TAG}, on=plugin)
    s.log_lines(LINES)
    s.finish()


def wait_for_error(plugin, text: str) -> None:
    wait_until(lambda: text in plugin.stderr_text(), 20, f"{text!r} in the plugin log",
               describe=lambda: plugin.stderr_text()[-1500:])


def delivered(rx) -> list[str]:
    return [m["msg"] for m in rx.messages() if m["app_name"] == TAG]


def assert_nothing_delivered_then_everything(rx, fix) -> None:
    assert delivered(rx) == [], "a line reached a server that was not accepted"
    fix()
    wait_until(lambda: len(delivered(rx)) >= len(LINES), 30, "the queued lines after the fix",
               describe=lambda: f"{len(delivered(rx))} lines")
    rx.stop(quiet=0.3)
    assert delivered(rx) == LINES


DRIVERS = ["gtls", "ossl"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_untrusted_ca_then_the_right_ca_file(driver, pki, certs_dir, tls_plugin, open_stream, short_tmp):
    rx = TLSRsyslog(short_tmp / "rx", driver, pki.ca.cert, pki.server).start()
    try:
        options = tls_options("syslog-address", rx.tls_address, pki, certs_dir)
        shutil.copyfile(pki.stranger.cert, certs_dir / "ca.pem")  # the wrong CA under the configured name
        start_stream(tls_plugin, open_stream, options)
        # GnuTLS sends the server certificate alone, OpenSSL adds its CA: OpenSSL's verifier then
        # names the untrusted CA itself ("self-signed certificate in certificate chain").
        wait_for_error(tls_plugin, "the server's certificate is not accepted: ")
        wait_for_error(tls_plugin, f"(checked for \"127.0.0.1\" against the system CA bundle and {certs_dir}/ca.pem)")
        assert_nothing_delivered_then_everything(rx, lambda: shutil.copyfile(pki.ca.cert, certs_dir / "ca.pem"))
    finally:
        rx.stop(quiet=0.3)


# A server certificate the plugin refuses, then the server restarted with a good one.
REFUSED_CERTIFICATES = {
    "for-another-name-then-reissued": ("server_named_elsewhere", "IP address mismatch (checked for \"127.0.0.1\""),
    "expired-then-renewed": ("expired_server", "certificate has expired"),
}


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("case", REFUSED_CERTIFICATES)
def test_refused_server_certificate_then_a_good_one(driver, case, pki, certs_dir, tls_plugin, open_stream, short_tmp):
    identity, reason = REFUSED_CERTIFICATES[case]
    rx = TLSRsyslog(short_tmp / "rx", driver, pki.ca.cert, getattr(pki, identity)).start()
    try:
        start_stream(tls_plugin, open_stream, tls_options("syslog-address", rx.tls_address, pki, certs_dir))
        wait_for_error(tls_plugin, f"the server's certificate is not accepted: {reason}")
        assert_nothing_delivered_then_everything(rx, lambda: rx.restart(server=pki.server))
    finally:
        rx.stop(quiet=0.3)


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_client_certificate_missing_for_mutual_tls(driver, version, pki, certs_dir, tls_plugin, open_stream, short_tmp):
    """In TLS 1.3 the server refuses a missing certificate only after the client's handshake has
    finished: the plugin must still notice before writing, or the first batch would be lost."""
    rx = TLSRsyslog(short_tmp / "rx", driver, pki.ca.cert, pki.server, tls_version=version, client_auth=True,
                    probe_client=pki.client).start()
    try:
        start_stream(tls_plugin, open_stream, tls_options("syslog-address", rx.tls_address, pki, certs_dir))
        wait_for_error(tls_plugin, "the server asked for a client certificate and none is configured")
        # The fix on the receiver's side: it stops requiring client certificates.
        assert_nothing_delivered_then_everything(rx, lambda: rx.restart(client_auth=False))
    finally:
        rx.stop(quiet=0.3)


@pytest.mark.parametrize("driver", DRIVERS)
def test_client_certificate_from_an_untrusted_ca_then_a_trusted_one(driver, pki, certs_dir, tls_plugin, open_stream,
                                                                   short_tmp):
    rx = TLSRsyslog(short_tmp / "rx", driver, pki.ca.cert, pki.server, client_auth=True, probe_client=pki.client).start()
    try:
        options = tls_options("syslog-address", rx.tls_address, pki, certs_dir, client=True)
        pki.stranger_client.copy_to(certs_dir, "client.pem", "client.key")
        start_stream(tls_plugin, open_stream, options)
        wait_for_error(tls_plugin, f"did not accept the client certificate {certs_dir}/client.pem")
        assert_nothing_delivered_then_everything(rx, lambda: pki.client.copy_to(certs_dir, "client.pem", "client.key"))
    finally:
        rx.stop(quiet=0.3)


def test_syslog_ng_refusing_a_missing_client_certificate(pki, certs_dir, tls_plugin, open_stream, short_tmp):
    rx = SyslogNG(short_tmp / "sng", pki.ca.cert, pki.server, client_auth=True, probe_client=pki.client).start()
    try:
        start_stream(tls_plugin, open_stream, tls_options("syslog-address", rx.tls_address, pki, certs_dir))
        wait_for_error(tls_plugin, "the server asked for a client certificate and none is configured")
        assert rx.messages() == []
        pki.client.copy_to(certs_dir, "client.pem", "client.key")  # too late: the options name no client certificate
        rx.stop(quiet=0.3)
        rx.client_auth = False
        rx.start()
        rx.wait_for(len(LINES))
    finally:
        rx.stop(quiet=0.3)
    assert rx.messages() == LINES


def test_a_bad_file_fails_start_logging_naming_option_file_and_place(pki, certs_dir, tls_plugin, short_tmp):
    """StartLogging (so `docker run`) fails on a file the plugin cannot use, before any connection."""
    from harness.plugin_process import DaemonStream, make_info

    fifo_dir = short_tmp / "fifo"
    fifo_dir.mkdir()
    s = DaemonStream(tls_plugin.client(), fifo_dir, make_info({"syslog-address": "tcp+tls://127.0.0.1:6514",
                                                               "syslog-tls-ca-cert": "missing.pem"}))
    response = s.start()
    s.close()
    assert not response.ok
    assert response.err.startswith(
        f"logship: cannot use log-opt syslog-tls-ca-cert=\"missing.pem\": CA certificate file {certs_dir}/missing.pem: "
        f"No such file or directory; a relative path is read in the plugin's configuration directory {certs_dir}"), response.err
