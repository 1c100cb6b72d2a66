#!/usr/bin/env python3
"""Writes the hand-made seed inputs, Corpus/<target>/seed-*, for the fuzz targets.

Seeds are what a fuzzer cannot easily invent: Docker's exact frames and requests
(docker-log-plugin-protocol.md §2.2, §3.3.1, §5.4, §5.6), and the shapes of input
each parser has a separate path for. Files found by fuzzing sit next to them,
named by their SHA-1; `scripts/fuzz.sh --merge` keeps every seed and adds only
found inputs that reach new code. Standard library only: the frames come from
Tests/Harness/harness/frames.py's hand encoder, which needs no protobuf.
Run: python3 Fuzz/make_seeds.py [OUTPUT_DIR]   (OUTPUT_DIR defaults to Corpus/ here:
another one, to compare with it)
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WIRE_CORPUS = os.path.join(ROOT, "Tests", "LogshipWireTests", "Corpus")
sys.path.insert(0, os.path.join(ROOT, "Tests", "Harness"))

from harness.frames import field, frame, handmade_entry, varint  # noqa: E402  (the path above)

ID = b"0123456789abcdef" * 4
# Where the seeds go: Corpus/ here, or the directory given (to compare with Corpus/).
CORPUS = os.path.join(HERE, "Corpus")


def write(target, name, data):
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def clear_seeds(target):
    directory = os.path.join(CORPUS, target)
    if os.path.isdir(directory):
        for name in os.listdir(directory):
            if name.startswith("seed-"):
                os.remove(os.path.join(directory, name))


# --- fuzz-frames: FIFO streams ------------------------------------------------
# LogEntry bodies are written by hand (harness.frames.handmade_entry, varint, field):
# Docker's field order, every field given written.

def docker_pieces(text, source=b"stdout", ident=ID):
    """Entries as Docker's copier makes them for `text` (§5.6): 16 KiB pieces."""
    out = b""
    for line in text.split(b"\n")[:-1]:
        pieces = [line[i:i + 16384] for i in range(0, len(line), 16384)]
        if len(pieces) <= 1 and len(line) < 16384:
            out += frame(handmade_entry(line, source))
            continue
        if len(line) % 16384 == 0:
            pieces.append(b"")
        for ordinal, piece in enumerate(pieces, 1):
            out += frame(handmade_entry(piece, source, partial_id=ident, ordinal=ordinal, last=ordinal == len(pieces)))
    return out


def frames_seeds():
    target = "fuzz-frames"
    clear_seeds(target)
    vectors = sorted(n for n in os.listdir(WIRE_CORPUS) if n.startswith("logentry-frame-") and n.endswith(".bin"))
    all_vectors = b""
    for name in vectors:
        with open(os.path.join(WIRE_CORPUS, name), "rb") as f:
            framed = frame(f.read())
        write(target, "docker-" + name, framed)
        all_vectors += framed
    write(target, "docker-vectors-then-half-a-frame", all_vectors + all_vectors[:9])

    # stream.bin (frames from Google's encoder, incl. odd-but-valid encodings), cut at
    # frame boundaries into seeds of at most 16 KiB, the last one ending mid-frame.
    with open(os.path.join(WIRE_CORPUS, "stream.bin"), "rb") as f:
        stream = f.read()
    offset, chunk, index = 0, b"", 0
    while offset + 4 <= len(stream) and index < 8:
        length = struct.unpack(">I", stream[offset:offset + 4])[0]
        one = stream[offset:offset + 4 + length]
        if chunk and len(chunk) + len(one) > 16384:
            write(target, "encoder-stream-%d" % index, chunk)
            chunk, index = b"", index + 1
        chunk += one
        offset += len(one)
    write(target, "encoder-stream-cut-mid-frame", stream[:5000])

    write(target, "a-blank-b-cr", docker_pieces(b"a\n\nb\r\n"))
    write(target, "16k-line-then-newline", docker_pieces(b"x" * 16384 + b"\n"))
    write(target, "40000-line-then-z", docker_pieces(b"y" * 40000 + b"\nz\n"))
    unterminated = b"".join(frame(handmade_entry(b"q" * 5000, partial_id=ID, ordinal=n)) for n in (1, 2))
    write(target, "unterminated-at-eof", unterminated)
    write(target, "stdout-stderr-interleaved",
          frame(handmade_entry(b"out1-", b"stdout", partial_id=b"A" * 64))
          + frame(handmade_entry(b"err1-", b"stderr", partial_id=b"B" * 64))
          + frame(handmade_entry(b"whole", b"stdout"))
          + frame(handmade_entry(b"err2", b"stderr", partial_id=b"B" * 64, ordinal=2, last=True))
          + frame(handmade_entry(b"out2", b"stdout", partial_id=b"A" * 64, ordinal=2, last=True)))
    # Daemons 18.05-18.09: `partial` without metadata; the next whole entry ends the line.
    legacy = field(1, 2, b"stdout") + field(3, 2, b"ab") + field(4, 0, varint(1))
    write(target, "legacy-partial-without-metadata", frame(legacy) + frame(legacy) + frame(handmade_entry(b"ef")) + frame(handmade_entry(b"gh")))
    write(target, "65-lines-in-flight",
          b"".join(frame(handmade_entry(b"p%d" % n, partial_id=b"id%d" % n)) for n in range(65)))
    odd = (field(3, 2, b"line first") + field(6, 2, field(1, 2, b"k") + field(2, 2, b"v"))
           + field(9, 1, b"\0" * 8) + field(10, 5, b"\0" * 4) + field(11, 0, varint(300))
           + field(1, 2, b"stderr") + field(2, 0, varint(-5))
           + field(4, 0, varint(1)) + field(5, 2, field(3, 0, varint(-1))) + field(5, 2, field(1, 0, varint(1))))
    write(target, "unknown-fields-negative-varints-merged-metadata", frame(odd))
    write(target, "blank-line-entry", frame(field(1, 2, b"stdout") + field(2, 0, varint(1))))
    write(target, "empty-frame", frame(b""))
    write(target, "error-frame-too-large", frame(handmade_entry(b"before")) + struct.pack(">I", (1 << 20) + 1) + b"junk")
    write(target, "error-wrong-wire-type", frame(handmade_entry(b"before")) + frame(field(3, 0, varint(1))))
    write(target, "error-group-wire-type", frame(b"\x0b\x0c"))
    write(target, "error-field-overruns", frame(b"\x1a\x7fshort"))
    write(target, "error-varint-too-long", frame(b"\x10" + b"\xff" * 11))


# --- fuzz-http: bytes on the plugin socket ----------------------------------------

CAPABILITIES = (b"POST /LogDriver.Capabilities HTTP/1.1\r\nHost: plugin.moby.localhost\r\nUser-Agent: Go-http-client/1.1\r\n"
                b"Content-Length: 0\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n\r\n")
STOP = (b"POST /LogDriver.StopLogging HTTP/1.1\r\nHost: plugin.moby.localhost\r\nUser-Agent: Go-http-client/1.1\r\n"
        b"Content-Length: 35\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n\r\n{\"File\":\"/run/docker/logging/abc\"}\n")

START_BODY = (
    '{"File":"/run/docker/logging/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",'
    '"Info":{"Config":{"cache-disabled":"false","max-buffer-size":"4m","mode":"non-blocking","tag":"{{.Name}}"},'
    '"ContainerID":"7d6ac83a89a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6","ContainerName":"/testlog",'
    '"ContainerEntrypoint":"sh","ContainerArgs":["-c","echo \\u003chi\\u003e \\u0026 bye"],'
    '"ContainerImageID":"sha256:ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12","ContainerImageName":"busybox",'
    '"ContainerCreated":"2024-05-01T12:00:00.123456789Z",'
    '"ContainerEnv":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],'
    '"ContainerLabels":null,"LogPath":"","DaemonName":"docker"}}\n').encode()


def daemon_request(path, body):
    return (b"POST /LogDriver.%s HTTP/1.1\r\nHost: plugin.moby.localhost\r\nUser-Agent: Go-http-client/1.1\r\n"
            b"Content-Length: %d\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n\r\n" % (path.encode(), len(body))) + body


def http_seeds():
    target = "fuzz-http"
    clear_seeds(target)
    write(target, "daemon-capabilities", CAPABILITIES)
    write(target, "daemon-stoplogging", STOP)
    write(target, "daemon-startlogging", daemon_request("StartLogging", START_BODY))
    write(target, "daemon-keepalive-three-requests", CAPABILITIES + daemon_request("StartLogging", START_BODY) + STOP)
    write(target, "chunked-with-extension-and-trailer",
          b"POST /LogDriver.StopLogging HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
          b"5;name=value\r\n{\"Fil\r\n1e\r\ne\":\"/run/docker/logging/abc\"}\n\r\n0\r\nX-Trailer: t\r\n\r\n" + CAPABILITIES)
    # Chunk-size lines have a limit of their own (4 KiB): one just under it.
    write(target, "chunk-extension-near-line-limit",
          b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;" + b"e" * 4090 + b"\r\nX\r\n0\r\n\r\n")
    write(target, "chunked-bare-lf-and-upper-hex",
          b"POST /x HTTP/1.1\nTransfer-Encoding: Chunked\n\nA\n0123456789\n0\n\n")
    write(target, "http10-keepalive-then-close",
          b"GET /Plugin.Activate HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
          b"POST /LogDriver.Capabilities HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
    write(target, "leading-blank-lines-and-ows", b"\r\n\n\r\nPOST /a HTTP/1.1\r\nContent-Length:  \t3 \t\r\n\r\nabc")
    write(target, "repeated-equal-content-length", b"POST /a HTTP/1.1\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc")
    write(target, "error-conflicting-content-length", b"POST /a HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")
    write(target, "error-cl-and-te", b"POST /a HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    write(target, "error-te-gzip-501", b"POST /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
    write(target, "error-obs-fold", b"POST /a HTTP/1.1\r\nHost: a\r\n b\r\n\r\n")
    write(target, "error-http2-505", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    write(target, "error-bare-cr", b"POST /a HTTP/1.1\rHost: a\r\n\r\n")
    write(target, "error-body-too-large-413", b"POST /a HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n")
    write(target, "error-chunk-too-large-413", b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n")
    write(target, "error-chunk-data-overrun", b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n")
    write(target, "error-headers-too-large-431", b"POST /a HTTP/1.1\r\nX: " + b"a" * 17000 + b"\r\n\r\n")
    write(target, "partial-head", CAPABILITIES[:60])
    write(target, "partial-body", STOP[:-10])


# --- fuzz-json and fuzz-start-logging: request bodies -------------------------------

def json_seeds():
    target = "fuzz-json"
    clear_seeds(target)
    write(target, "startlogging-body", START_BODY)
    write(target, "stoplogging-body", b'{"File":"/run/docker/logging/abc"}\n')
    write(target, "capabilities-response", b'{"Cap":{"ReadLogs":true}}')
    write(target, "readlogs-body", b'{"Info":{"ContainerID":"abc"},"Config":{"Since":"0001-01-01T00:00:00Z","Tail":-1,"Follow":false}}')
    write(target, "scalars", b' [null, true, false, 0, -0, 1.5e+10, -2E-3, 123456789012345678901234567890, "", {}] ')
    write(target, "escapes", b'"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u001f \\u00e9 \\u20ac \\ud83d\\ude00 \\u003c"')
    write(target, "lone-surrogates", b'["\\ud800", "\\udc00x", "\\ud800\\u0041", "\\ud800\\ud800\\udc00"]')
    write(target, "raw-utf8-and-invalid", b'"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 | \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82 \xff"')
    write(target, "case-variant-and-duplicate-keys", b'{"File":"a","file":"b","FILE":"c","File":"d","e\\u0301":1,"\xc3\xa9":2}')
    write(target, "nesting-64", b"[" * 64 + b"]" * 64)
    write(target, "error-nesting-65", b"[" * 65 + b"]" * 65)
    write(target, "error-trailing-data", b'{"a":1} x')
    write(target, "error-leading-zero", b"[01]")
    write(target, "error-control-in-string", b'"a\x01b"')
    write(target, "log-line-binary", bytes(range(256)))


def start_body(config, labels=None, env=None, name="/testlog", args=("-c", "echo hi")):
    info = {
        "Config": config,
        "ContainerID": "7d6ac83a89a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6",
        "ContainerName": name, "ContainerEntrypoint": "sh", "ContainerArgs": list(args),
        "ContainerImageID": "sha256:ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12",
        "ContainerImageName": "busybox", "ContainerCreated": "2024-05-01T12:00:00.123456789Z",
        "ContainerEnv": env, "ContainerLabels": labels, "LogPath": "", "DaemonName": "docker",
    }
    body = {"File": "/run/docker/logging/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "Info": info}
    return (json.dumps(body, separators=(",", ":")) + "\n").encode()


def start_logging_seeds():
    target = "fuzz-start-logging"
    clear_seeds(target)
    write(target, "daemon-exact", START_BODY)
    labels = {"com.example.team": "core", "app": "shop", "multi": "line1\nline2"}
    env = ["PATH=/bin", "APP_MODE=prod", "NOVALUE", "EMPTY=", "CERT=-----BEGIN-----\nabc\n-----END-----"]
    udp = {"syslog-address": "udp://logs.example:514"}
    cases = {
        "udp-defaults": udp,
        "tcp-rfc3164-octet": {"syslog-address": "tcp://10.0.0.1", "syslog-format": "rfc3164", "syslog-framing": "octet-counted"},
        "unix-local3-unix-format": {"syslog-address": "unix:///dev/log", "syslog-facility": "local3", "syslog-format": "unix"},
        "unixgram-facility-number": {"syslog-address": "unixgram:///run/syslog.sock", "syslog-facility": "23", "syslog-format": "rfc5424"},
        "ipv6-address": {"syslog-address": "tcp://[::1]:6514", "tcp-address": "tcp://[fe80::1%eth0]:5000"},
        "tcp-json": {"tcp-address": "tcp://vector:9000", "tcp-format": "json", "labels": "app,com.example.team"},
        "tcp-gelf-attributes": {"tcp-address": "tcp://graylog:12201", "tcp-format": "gelf", "labels-regex": "^com\\.", "env": "APP_MODE,EMPTY"},
        "tcp-raw": {"tcp-address": "tcp://collector:7000", "tcp-format": "raw"},
        "multiline-pattern-octet": {"syslog-address": "tcp://a:1", "multiline-pattern": "(?i)^\\d{4}-\\d{2}", "multiline-timeout": "250ms",
                                    "multiline-max-lines": "50", "level-from": "auto", "parse-json": "true"},
        "multiline-presets-gelf": {"tcp-address": "tcp://graylog:12201", "tcp-format": "gelf", "multiline-preset": "java,python,go",
                                   "level-from": "json"},
        "multiline-datetime-json": {"tcp-address": "tcp://b:2", "multiline-datetime-format": "%Y-%m-%d %H:%M:%S", "level-from": "prefix"},
        "error-multiline-raw": {"tcp-address": "tcp://collector:7000", "tcp-format": "raw", "multiline-preset": "java"},
        "both-destinations-sd": {"syslog-address": "tcp://a:1", "tcp-address": "tcp://b:2", "syslog-sd-id": "meta@1",
                                 "labels": "multi", "env-regex": "^(APP|CERT)"},
        "tag-pipeline-functions": dict(udp, tag='{{.Name | upper}}/{{truncate .FullID 4}}/{{join (split .ImageName "b") "-"}}'),
        "tag-index-json-pad": dict(udp, tag='{{index .ContainerLabels "app"}} {{json .ContainerArgs}} {{pad .Name 1 2}} {{len .ContainerEnv}}'),
        "tag-title-lower-created": dict(udp, tag='{{title "hello world"}}{{lower .ImageName}}{{.ContainerCreated}}{{.ContainerLabels.app}}'),
        "tag-json-maps-and-index": dict(udp, tag='{{json .ContainerLabels}} {{json .Config}} {{.Config}} {{index .ContainerArgs 1}}'),
        "error-tag-index-out-of-range": dict(udp, tag='{{index .ContainerArgs 5}}'),
        "tag-trim-comment-hostname": dict(udp, tag="a  {{- .Name -}}  b{{/* c */}}{{.Hostname}}{{.DaemonName}}{{.Command}}"),
        "max-line-size-and-docker-options": dict(udp, **{"max-line-size": "64k", "mode": "non-blocking", "max-buffer-size": "4m",
                                                         "cache-disabled": "true", "max-size": "10m"}),
        "none-addresses": {"syslog-address": "none", "tcp-address": "none"},
        "fail-over-lists": {"syslog-address": "tcp://a:514, tcp://b,unix:///dev/log", "tcp-address": "tcp://v1:9000,tcp://v2:9000"},
        "error-mixed-transports-in-list": {"syslog-address": "udp://a,tcp://b"},
        "error-address-twice-in-list": {"syslog-address": "tcp://a:514,tcp://a"},
        "error-empty-address-in-list": {"tcp-address": "tcp://a:1,,tcp://b:2"},
        "tls-addresses": {"syslog-address": "tcp+tls://a:6514", "tcp-address": "tcp+tls://b:1"},
        "tls-all-options": {"syslog-address": "tcp+tls://logs:6514,tcp+tls://[::1]:6514", "syslog-tls-ca-cert": "ca.pem",
                            "syslog-tls-cert": "/certs/client.pem", "syslog-tls-key": "client.key",
                            "syslog-tls-skip-verify": "false", "syslog-tls-server-name": "logs.example"},
        "tls-tcp-skip-verify": {"tcp-address": "tcp+tls://graylog:12201", "tcp-format": "gelf", "tcp-tls-skip-verify": "1"},
        "error-tls-option-without-tls-address": {"syslog-address": "udp://h", "syslog-tls-ca-cert": "ca.pem"},
        "error-tls-cert-without-key": {"syslog-address": "tcp+tls://h", "syslog-tls-cert": "c.pem"},
        "error-tls-skip-verify-not-a-boolean": {"tcp-address": "tcp+tls://h:1", "tcp-tls-skip-verify": "maybe"},
        "error-unknown-option": dict(udp, **{"syslog-tls-ca-cert": "/x"}),
        "error-bad-regex": dict(udp, **{"labels-regex": "(unclosed"}),
        "error-bad-template": dict(udp, tag="{{.Nope}}"),
        "error-bad-address": {"syslog-address": "http://x"},
        "error-max-line-size": dict(udp, **{"max-line-size": "100"}),
        "error-no-destination": {"tag": "{{.ID}}"},
    }
    for name, config in cases.items():
        write(target, name, start_body(config, labels=labels, env=env))
    # Keys equal to a prefix of another up to Unicode normalization: Swift's String <
    # has no order for them, so anything sorted with it followed dictionary layout.
    write(target, "labels-differing-only-in-normalization",
          start_body(dict(udp, **{"labels-regex": ".", "tag": "{{json .ContainerLabels}} {{.ContainerLabels}}"}),
                     labels={"a": "0", "b": "1", "e\u0301": "2", "\u00e9a": "3"}))
    write(target, "null-maps-and-odd-types",
          b'{"File":"f","Info":{"Config":{"syslog-address":"udp://h","tag":7},"ContainerArgs":null,'
          b'"ContainerEnv":[1,"A=b"],"ContainerLabels":{"k":null}}}')


# --- fuzz-spool: a spool written through the API, then damaged -----------------------
# The input is choices, one byte each (two for a choice among more than 256), read by
# Fuzz/Sources/fuzz-spool: records, segment size, flags (1 restart, 2 an "LSR1" segment,
# 4 acknowledge), per record its message count and lengths; then damage operations:
# 0 flip bits of a segment byte, 1 flip a bit of a record's header or lengths, 2 cut a
# segment, 3 cut inside a record, 4 a torn copy of a record at a segment's end, 5 zeros
# at a segment's end, 6 lose a segment, 7 set the cursor, 8 cut the cursor file.

# --- fuzz-patterns: multi-line patterns, datetime formats, joiner input ---------------
def pattern_seeds():
    target = "fuzz-patterns"
    clear_seeds(target)
    lines = [b"2026-11-26 16:16:21 started", b"\tat com.example.App.main(App.java:12)", b"  File \"a.py\", line 1",
             b"ERROR x", b"", b"\xc3\xa9t\xc3\xa9", b"abc", b"aaab"]
    patterns = {
        "date-prefix": r"^\d{4}-\d{2}-\d{2}", "bracket": r"^\[", "non-space": r"^\S", "alternation": r"^(INFO|WARN|ERROR) ",
        "unanchored": r"Exception", "icase": r"(?i)^error", "classes": r"^[[:upper:]][^\s\]-]+$", "counted": r"^a{2,3}b?c*",
        "escapes": r"^\x41\t\Q.*\E\bx\B", "named-group": r"^(?P<ts>\d+)-(?:x|y)", "lazy": r"^a+?b*?", "utf8": r"^é+",
        "lookahead": r"^(?=x)", "empty-branch": r"a|",
    }
    for name, pattern in patterns.items():
        write(target, "pattern-" + name, b"\0" + pattern.encode() + b"\0" + b"\0".join(lines))
    formats = {"iso": "%Y-%m-%d %H:%M:%S", "syslog": "%b %e %T", "clf": "[%d/%b/%Y:%H:%M:%S %z]", "fraction": "%FT%T.%f%z",
               "names": "%a, %d %B %Y %I:%M %p %Z", "bad": "%Q"}
    for name, fmt in formats.items():
        write(target, "datetime-" + name, b"\1" + fmt.encode() + b"\0" + b"\0".join(lines))
    java = [b"2026-11-26 ERROR x", b"java.lang.IllegalStateException: boom", b"\tat a.B.c(B.java:1)", b"Caused by: x",
            b"\t... 5 more", b"next"]
    python = [b"Traceback (most recent call last):", b"  File \"a.py\", line 1", b"ValueError: x", b"",
              b"During handling of the above exception, another exception occurred:", b"", b"Traceback (most recent call last):",
              b"  x", b"KeyError: y", b"", b"after"]
    go = [b"panic: boom", b"", b"goroutine 1 [running]:", b"main.main()", b"\t/a.go:1 +0x1", b"", b"exit"]
    write(target, "joiner-all-presets", b"\2" + b"\x07\x05\x40\x03" + b"\0" + b"\0".join(java + python + go))
    write(target, "joiner-tight-limits", b"\2" + b"\x07\x00\x01\x02" + b"\0" + b"\0".join(java + python))


def spool(records=6, segment=16, flags=0, restart=None, ack=None, legacy=None, ops=b""):
    out = bytes([records - 1, segment, flags])
    if restart is not None:
        out += bytes([restart])
    for i in range(records):
        out += bytes([1, 5 + i, 9])  # two messages per record
    if ack is not None:
        out += bytes(ack)
    if legacy is not None:
        out += bytes([legacy])
    return out + ops


def spool_seeds():
    target = "fuzz-spool"
    clear_seeds(target)
    write(target, "clean", spool())
    write(target, "restart-acknowledge-legacy", spool(records=8, flags=7, restart=4, ack=(2, 1), legacy=0))
    write(target, "cut-inside-a-record", spool(ops=bytes([3, 5, 10])))
    write(target, "zeros-after-the-end", spool(ops=bytes([5, 0, 200])))
    write(target, "lengths-swapped-by-two-bits", spool(ops=bytes([1, 1, 16, 0, 1, 1, 20, 0])))
    write(target, "cursor-past-its-records-messages", spool(flags=4, ack=(2, 1), ops=bytes([7, 0, 1, 5])))
    write(target, "cursor-inside-a-record", spool(ops=bytes([7, 3, 2, 7])))
    write(target, "cursor-beyond-int-max", spool(ops=bytes([7, 0, 3, 1, 0])))
    write(target, "cursor-file-torn", spool(flags=4, ack=(3, 0), ops=bytes([8, 11])))
    write(target, "segment-lost", spool(records=12, ops=bytes([6, 1])))
    write(target, "torn-copy-at-the-end", spool(ops=bytes([4, 0, 2, 30])))
    write(target, "legacy-lengths-flipped", spool(flags=2, legacy=0, ops=bytes([1, 0, 16, 1])))


def relp_seeds():
    """What a RELP server (rsyslog's imrelp, librelp 1.11) sends back, as captured, and the shapes
    the client has a path for: refusals, hints, the end of a session, broken frames."""
    target = "fuzz-relp"
    clear_seeds(target)
    open_ok = b"1 rsp 93 200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n"
    ok = b"".join(b"%d rsp 6 200 OK\n" % t for t in range(2, 14))
    write(target, "imrelp-session", open_ok + ok + b"14 rsp 0\n0 serverclose 0\n")
    write(target, "imrelp-open-only", open_ok)
    write(target, "refused-third", open_ok + b"2 rsp 6 200 OK\n3 rsp 6 200 OK\n4 rsp 20 500 command disabled\n")
    write(target, "serverclose-midway", open_ok + b"2 rsp 6 200 OK\n0 serverclose 0\n")
    write(target, "hint-between-answers", open_ok + b"2 rsp 6 200 OK\n0 hint 2 hi\n3 rsp 6 200 OK\n")
    write(target, "open-refused", b"1 rsp 44 500 required command not supported by client\n")
    write(target, "open-without-syslog", b"1 rsp 40 200 OK\nrelp_version=0\ncommands=eventlog\n")
    write(target, "answer-out-of-order", open_ok + b"3 rsp 6 200 OK\n")
    write(target, "answer-without-lf", open_ok + b"2 rsp 6 200 OK!")
    write(target, "status-not-three-digits", open_ok + b"2 rsp 2 OK\n")
    write(target, "data-length-too-long", open_ok + b"2 rsp 1234567890 x\n")
    write(target, "wrapped-transaction-numbers", b"999999999 rsp 6 200 OK\n1 rsp 6 200 OK\n")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        CORPUS = sys.argv[1]
    frames_seeds()
    http_seeds()
    json_seeds()
    start_logging_seeds()
    pattern_seeds()
    spool_seeds()
    relp_seeds()
    for target in sorted(os.listdir(CORPUS)):
        directory = os.path.join(CORPUS, target)
        print("%-20s %3d files" % (target, len(os.listdir(directory))))
