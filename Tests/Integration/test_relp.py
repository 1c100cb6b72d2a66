"""relp:// and relp+tls:// into rsyslog's imrelp (Debian's rsyslog-relp), the binary played as the
daemon. The receiver's ruleset writes each message before it is acknowledged (a Direct queue,
omfile asyncWriting off: `harness.rsyslog_relp`), so an acknowledged message is a stored one, and:

- lines arrive complete and in order;
- with rsyslog killed (SIGKILL twice) and stopped (SIGTERM) mid-stream, restarted each time, RELP
  loses nothing; the same schedule over tcp:// into the same rsyslog, at the same time, loses what
  sat in rsyslog's buffers (reported next to RELP's zero; not asserted, it depends on timing);
  RELP's duplicates (what the receiver stored but whose answer was lost) are counted and reported;
- relp+tls checks the server's certificate, presents a client certificate to imrelp's
  `tls.authMode`, and delivers nothing to a server it cannot trust while the stream keeps running;
- a message the receiver refuses (rsp 500, from a scripted server) is kept, counted and sent again
  after a pause, and nothing counts as delivered before its 200; a receiver that answers nothing
  makes /health say so.
"""

from __future__ import annotations

import shutil
import signal
import time

import pytest

from harness import frames
from harness.metrics import destination_totals
from harness.relp_server import ScriptedRELPServer
from harness.rsyslog_relp import RELPTLS, RELPRsyslog, wait_for_numbers
from harness.rsyslog_relp import numbers as numbers_of
from harness.sequence import analyze
from harness.tls_fixtures import certs_dir, pki, tls_options, tls_plugin  # noqa: F401  (fixtures)
from harness.waiting import wait_until, wait_until_stable


def lines_of(rx: RELPRsyslog, tag: str) -> list[str]:
    return [m["msg"] for m in rx.messages() if m["app_name"] == tag]


def burst(first: int, count: int) -> bytes:
    return b"".join(frames.frame(frames.handmade_entry(b"%07d" % i, time_nano=time.time_ns()))
                    for i in range(first, first + count))


def test_seq_20000_complete_and_in_order(metered, stream_on, short_tmp):
    n = 20_000
    rx = RELPRsyslog(short_tmp / "rx").start()
    try:
        p, m = metered()
        s = stream_on(p, {"syslog-address": rx.relp_address, "tag": "relp-seq"})
        s.write(burst(1, n))
        s.finish()
        wait_for_numbers(rx, "relp-seq", n)
        totals = wait_until(lambda: (t := destination_totals(m.metrics(), rx.relp_address))["pending_messages"] == 0 and t,
                            10, "nothing pending")
    finally:
        rx.stop(quiet=0.3)
    assert numbers_of(rx, "relp-seq") == list(range(1, n + 1))
    # Over RELP "sent" means acknowledged; nothing was resent or refused on a healthy session.
    assert (totals["sent_messages_total"], totals["acknowledged_messages_total"], totals["in_flight_messages"],
            totals["resent_messages_total"], totals["refused_messages_total"]) == (n, n, 0, 0, 0), totals
    assert m.metrics()["logship_destination_acknowledged_messages_total"].value(destination=rx.relp_address,
                                                                                framing="syslog-relp") == n


def test_a_missing_port_fails_start_logging(plugin, stream_on):
    s = stream_on(plugin, {"syslog-address": "relp://127.0.0.1"}, expect_ok=False)
    assert "the port is missing (relp://host:port): RELP has no default port" in s.responses[0].err


@pytest.mark.slow
def test_receiver_killed_and_stopped_relp_loses_nothing_tcp_loses_what_rsyslog_held(metered, stream_on, short_tmp):
    """200,000 lines in 20 bursts of 10,000 a second apart, on two streams at once, one over relp://
    and one over tcp://, into one rsyslog; it is killed (SIGKILL) after bursts 5 and 10 and stopped
    (SIGTERM) after burst 15, each time while the burst is being processed, and restarted a second
    later. RELP must deliver every line in order (duplicates only as replayed windows: at most one
    per outage, what was in flight when the session broke); TCP's loss is reported."""
    n, per_burst = 200_000, 10_000
    faults = {5: signal.SIGKILL, 10: signal.SIGKILL, 15: signal.SIGTERM}
    rx = RELPRsyslog(short_tmp / "rx").start()
    p, m = metered()
    try:
        relp = stream_on(p, {"syslog-address": rx.relp_address, "tag": "relp-kill"})
        tcp = stream_on(p, {"syslog-address": rx.tcp_address, "tag": "tcp-kill"})
        in_flight_at_faults = []
        for b in range(1, n // per_burst + 1):
            began = time.monotonic()
            data = burst((b - 1) * per_burst + 1, per_burst)
            # RELP's burst first: it takes rsyslog a few hundred ms, TCP's some tens, and the fault must
            # find both in progress (with TCP first and 0.05 s to the fault, an idle machine had rsyslog
            # through the TCP burst already, and TCP lost nothing).
            relp.write(data)
            tcp.write(data)
            if b in faults:
                time.sleep(0.01)  # into the burst: both senders are writing and rsyslog processing
                in_flight_at_faults.append(destination_totals(m.metrics(), rx.relp_address).get("in_flight_messages"))
                rx.signal_and_wait(faults[b])
                time.sleep(1)  # the outage itself
                rx.start()
            time.sleep(max(0.0, 1 - (time.monotonic() - began)))
        relp.finish()
        tcp.finish()
        wait_for_numbers(rx, "relp-kill", n, timeout=120)
        wait_until(lambda: destination_totals(m.metrics(), rx.tcp_address)["pending_messages"] == 0, 30, "TCP to send everything")
        wait_until_stable(lambda: len(rx.output_bytes()), 1.0, 30, "rsyslog's output")
        relp_totals = destination_totals(m.metrics(), rx.relp_address)
        tcp_totals = destination_totals(m.metrics(), rx.tcp_address)
    finally:
        rx.stop(quiet=0.3)
    relp_report = analyze(numbers_of(rx, "relp-kill"), 1, n)
    tcp_report = analyze(numbers_of(rx, "tcp-kill"), 1, n)
    print(f"\n[rsyslog SIGKILL, SIGKILL, SIGTERM; {n} lines each]\n"
          f"  relp:// lost {relp_report.missing_count}, duplicates {relp_report.duplicates} in {len(relp_report.windows)} "
          f"replayed windows; in flight at the faults {in_flight_at_faults}; resent {relp_totals['resent_messages_total']}, "
          f"acknowledged {relp_totals['acknowledged_messages_total']}, connects {relp_totals['connects_total']}\n"
          f"  tcp://  lost {tcp_report.missing_count} (counted as sent by logship: {tcp_totals['sent_messages_total']}), "
          f"duplicates {tcp_report.duplicates}; {tcp_report.summary()}")
    relp_report.assert_complete(max_windows=len(faults))
    assert relp_totals["acknowledged_messages_total"] == n and relp_totals["pending_messages"] == 0, relp_totals
    # Every duplicate is a resend: the receiver stored a message whose answer the outage swallowed.
    assert relp_report.duplicates <= relp_totals["resent_messages_total"], (relp_report.summary(), relp_totals)


@pytest.mark.parametrize("auth", [None, "certvalid", "name"], ids=["server-auth", "mutual-certvalid", "mutual-name"])
def test_relp_over_tls(auth, pki, certs_dir, tls_plugin, stream_on, short_tmp):
    """The server's certificate is checked against syslog-tls-ca-cert; with tls.authMode rsyslog
    checks the client's (any the CA signed, or one named in tls.permittedPeer)."""
    tls = RELPTLS(pki.ca.cert, pki.server, auth_mode=auth, permitted_peer="client.example" if auth == "name" else None,
                  probe_client=pki.client)
    rx = RELPRsyslog(short_tmp / "rx", tls=tls).start()
    n = 5_000
    try:
        options = tls_options("syslog-address", rx.relp_address, pki, certs_dir, client=auth is not None)
        s = stream_on(tls_plugin, {**options, "tag": "relp-tls"})
        s.write(burst(1, n))
        s.finish()
        wait_for_numbers(rx, "relp-tls", n)
    finally:
        rx.stop(quiet=0.3)
    assert numbers_of(rx, "relp-tls") == list(range(1, n + 1))
    assert "relp+tls://127.0.0.1:" in tls_plugin.stderr_text() and " connected to relp+tls://" in tls_plugin.stderr_text()


def test_relp_over_tls_to_an_untrusted_server_delivers_nothing(pki, certs_dir, tls_plugin, stream_on, short_tmp):
    """A CA that did not sign the server's certificate: the session is never opened, nothing is
    delivered, the plugin says why, and the stream keeps being read (the container never blocks)."""
    rx = RELPRsyslog(short_tmp / "rx", tls=RELPTLS(pki.ca.cert, pki.server)).start()
    try:
        options = tls_options("syslog-address", rx.relp_address, pki, certs_dir)
        shutil.copyfile(pki.stranger.cert, certs_dir / "ca.pem")
        s = stream_on(tls_plugin, {**options, "tag": "relp-untrusted"})
        s.write(burst(1, 3_000), timeout=10)  # more than the FIFO holds: it is being read
        wait_until(lambda: "the server's certificate is not accepted" in tls_plugin.stderr_text(), 20,
                   "the refusal in the plugin log", describe=lambda: tls_plugin.stderr_text()[-1500:])
        s.write(burst(3_001, 3_000), timeout=10)
        s.finish()
        time.sleep(1)  # retries go on meanwhile: none may deliver anything
        assert lines_of(rx, "relp-untrusted") == []
    finally:
        rx.stop(quiet=0.3)
    assert tls_plugin.alive()


def test_a_refused_message_is_sent_again_later_and_nothing_counts_before_its_200(metered, stream_on):
    """A receiver that answers the third message with `rsp 500` three times, then 200: the message
    is kept, sent again after growing pauses (backoff), counted as refused, and until its 200
    neither it nor anything after it counts as delivered."""
    attempts: list[float] = []

    def answer(index: int, message: bytes) -> str:
        if message.endswith(b" line 3"):
            attempts.append(time.monotonic())
            if len(attempts) <= 3:
                return "500 disk full"
        return "200 OK"

    with ScriptedRELPServer(answer) as server:
        p, m = metered()
        s = stream_on(p, {"syslog-address": server.address, "syslog-relp-window": "1", "tag": "refused"})
        destination = f"{server.address}?window=1"  # a window other than the default is part of the name
        s.log_lines([f"line {i}" for i in range(1, 6)])
        s.finish()
        while len(attempts) < 4:
            totals = destination_totals(m.metrics(), destination)
            # Before the 200 for line 3: lines 1 and 2 at most are delivered, the rest pending (as
            # many as the reader has taken in yet: under load it may not have read all five).
            assert totals.get("acknowledged_messages_total", 0) <= 2 and totals.get("sent_messages_total", 0) <= 2, totals
            assert totals.get("pending_messages", 0) >= totals.get("received_messages_total", 0) - 2, totals
            assert time.monotonic() - (attempts[0] if attempts else time.monotonic()) < 20, "line 3 was not sent again"
            time.sleep(0.02)
        totals = wait_until(lambda: (t := destination_totals(m.metrics(), destination))["pending_messages"] == 0 and t,
                            10, "everything delivered")
        messages = server.messages()
    gaps = [b - a for a, b in zip(attempts, attempts[1:])]
    print(f"\n[rsp 500] line 3 sent {len(attempts)} times, {', '.join(f'{g:.2f}' for g in gaps)} s apart; {totals}")
    assert sum(x.endswith(b" line 3") for x in messages) == 4
    assert messages[-1].endswith(b" line 5")
    assert (totals["acknowledged_messages_total"], totals["sent_messages_total"], totals["refused_messages_total"]) == (5, 5, 3), totals
    assert totals["resent_messages_total"] >= 3, totals
    # A pause before each new attempt (backoff from 0.1 s), not an immediate retry loop.
    assert all(g >= 0.05 for g in gaps), gaps
    refusals = [l for l in p.stderr_text().splitlines() if "the receiver refused a message: 500 disk full" in l]
    assert 1 <= len(refusals) <= 2, refusals  # rate-limited: at most one line per 10 s


@pytest.mark.slow
def test_a_receiver_that_answers_nothing_counts_as_not_connected(metered, stream_on):
    """A session that is open but gets no answers is no connection: /health turns degraded after
    5 s, the connected gauge reads 0, and the messages stay pending, in flight."""
    with ScriptedRELPServer(lambda index, message: None) as server:
        p, m = metered()
        s = stream_on(p, {"syslog-address": server.address, "tag": "mute"})
        s.log_lines([f"line {i}" for i in range(1, 11)])
        s.finish()
        wait_until(lambda: len(server.messages()) == 10, 10, "the messages at the server")
        status, health = wait_until(lambda: (h := m.health())[0] == 503 and h, 15, "/health to say degraded")
        fams = m.metrics()
    totals = destination_totals(fams, server.address)
    print(f"\n[no answers] /health {status}: {health['problems']}; {totals}")
    assert any("no answer from the receiver for" in problem and "10 messages waiting" in problem for problem in health["problems"]), health
    [entry] = [d for d in health["destinations"] if d["destination"] == server.address]
    assert entry["connected"] is False and entry["in_flight"] == 10 and entry["acknowledged"] == 0, entry
    assert fams["logship_destination_connected"].value(destination=server.address) == 0
    assert (totals["in_flight_messages"], totals["pending_messages"], totals["sent_messages_total"]) == (10, 10, 0), totals
