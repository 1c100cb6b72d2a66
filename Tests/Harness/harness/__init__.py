"""Test harness for logship: plays the Docker daemon and the log receivers.

Modules:
  frames          Docker FIFO frames ([uint32 BE length][LogEntry protobuf]) built with PyPI protobuf
  plugin_process  runs the logship binary on a private socket; an HTTP client that talks like dockerd
  rsyslog         a private rsyslogd instance recording raw messages and parsed fields
  receivers       Python TCP/UDP/unix receivers that record exact bytes, startable and stoppable
  docker          run containers with the logship driver through the real Docker engine
  expect          the exact bytes logship must send, written once from the specification
  waiting         poll-until helpers (no sleep-and-hope)
  fifo_writer     the daemon's copier writing into a FIFO from a thread, timing every write
  sequence        numbered lines: losses, reorderings, replayed windows (at-least-once)
  metrics         a strict Prometheus text parser and a client for /metrics and /health
  lines           numbered lines per stream, long self-checking lines (Python and busybox awk), waits
  framings        parsers for one connection's bytes: GELF, raw lines, octet-counted and LF syslog
  procfs          a process's RSS (sampled), descriptors and pipe sizes, from /proc
  tmpfs           a small tmpfs mounted for one test (a disk that fills up), resized in place
  hostsfile       a test host name in /etc/hosts, re-pointed in place, removed afterwards
  receiver_process  what the receiver daemons (rsyslog, syslog-ng) share: stopping without loss, output
  certificates    test CAs and certificates made with the openssl command line (TLS tests)
  rsyslog_tls     rsyslogd with a TLS input (gtls or ossl driver), TLS version and client-auth choices
  rsyslog_relp    rsyslogd with an imrelp input (plain or TLS) into a ruleset that writes before it answers
  relp_client     a minimal RELP client (open, syslog, close), for readiness probes
  relp_server     a scripted RELP server: refuses, answers or stays silent as a test says
  syslog_ng       a private syslog-ng with a TLS source, run from syslog-ng-core unpacked by install-deps
  tls_receiver    StreamReceiver over TLS (Python's ssl), for plain-vs-TLS comparisons
  tls_client      the TLS client the receivers' readiness probes use
  tls_fixtures    pytest fixtures and helpers shared by the TLS tests

This directory is Python, not a Swift test target: Package.swift does not name it.
"""
