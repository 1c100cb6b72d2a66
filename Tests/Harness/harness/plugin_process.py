"""Run the logship binary on a private socket and talk to it exactly like dockerd does.

PluginProcess  starts `logship --socket PATH` (debug or release build) with a clean environment.
PluginClient   HTTP/1.1 over the unix socket, requests byte-for-byte like the daemon's (protocol doc
               §2.2): POST, Host: plugin.moby.localhost, Go's User-Agent, Content-Length, the v1.2
               Accept header, no Content-Type, body = compact JSON + "\n"; keep-alive connections.
DaemonStream   one logger instance as the daemon runs it: mkfifo, open O_RDWR, StartLogging{File, Info},
               frames written into the FIFO, StopLogging while the FIFO is still open, then close+unlink.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import frames
from .waiting import wait_until

ACCEPT = "application/vnd.docker.plugins.v1.2+json"


def go_json(obj) -> bytes:
    """Encode like Go's json.NewEncoder(...).Encode: compact, UTF-8 kept, <>& and U+2028/9 escaped, + LF."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    # These characters only occur inside JSON strings, where Go writes them as \u escapes.
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text.encode() + b"\n"


def random_id() -> str:
    """64 lowercase hex characters whose first 12 are not all digits (like stringid.GenerateRandomID)."""
    while True:
        i = secrets.token_hex(32)
        if not i[:12].isdigit():
            return i


def make_info(
    config: dict[str, str] | None = None,
    container_id: str | None = None,
    name: str = "/logship-itest",
    entrypoint: str = "sh",
    args: list[str] | None = None,
    image_id: str | None = None,
    image_name: str = "logship-test-busybox",
    created: str = "2026-11-26T16:16:21.123456789Z",
    env: list[str] | None = None,
    labels: dict[str, str] | None = None,
) -> dict:
    """The StartLogging Info object with every key, in the daemon's order (protocol doc §3.3.1)."""
    return {
        "Config": dict(sorted((config or {}).items())),  # Go sorts map keys
        "ContainerID": container_id or random_id(),
        "ContainerName": name,
        "ContainerEntrypoint": entrypoint,
        "ContainerArgs": args if args is not None else ["-c", "echo hi"],
        "ContainerImageID": image_id or "sha256:" + secrets.token_hex(32),
        "ContainerImageName": image_name,
        "ContainerCreated": created,
        "ContainerEnv": env if env is not None else ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "ContainerLabels": labels,
        "LogPath": "",
        "DaemonName": "docker",
    }


@dataclass
class Response:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    elapsed: float = 0.0

    def json(self):
        return json.loads(self.body)

    @property
    def err(self) -> str:
        """The error text the daemon would show: {"Err": ...} if present, else the raw body for non-200."""
        try:
            obj = self.json()
        except ValueError:
            return "" if self.status == 200 else self.body.decode(errors="replace")
        e = obj.get("Err") if isinstance(obj, dict) else None
        if e:
            return e
        return "" if self.status == 200 else self.body.decode(errors="replace")

    @property
    def ok(self) -> bool:
        """Success as the daemon sees it: status 200, a JSON body, and no non-empty Err."""
        if self.status != 200:
            return False
        try:
            obj = self.json()
        except ValueError:
            return False
        return not (isinstance(obj, dict) and obj.get("Err"))


class _ClosedBeforeResponse(ConnectionError):
    pass


class PluginClient:
    """A keep-alive HTTP/1.1 client on the plugin's unix socket."""

    def __init__(self, socket_path: str | os.PathLike, timeout: float = 30.0):
        self.socket_path = str(socket_path)
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._buf = b""

    def _connect(self) -> socket.socket:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.socket_path)
        self._buf = b""
        return s

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    @staticmethod
    def raw_request(method: str, body: bytes) -> bytes:
        return (
            f"POST /{method} HTTP/1.1\r\n"
            "Host: plugin.moby.localhost\r\n"
            "User-Agent: Go-http-client/1.1\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Accept: {ACCEPT}\r\n"
            "\r\n"
        ).encode() + body

    def post(self, method: str, payload=None, raw_body: bytes | None = None) -> Response:
        """POST /<method>. payload None sends an empty body (as for Capabilities); raw_body overrides."""
        body = raw_body if raw_body is not None else (b"" if payload is None else go_json(payload))
        request = self.raw_request(method.lstrip("/"), body)
        start = time.monotonic()
        for attempt in (1, 2):
            fresh = self._sock is None
            if fresh:
                self._sock = self._connect()
            try:
                self._sock.sendall(request)
                resp = self._read_response()
                break
            except (ConnectionError, _ClosedBeforeResponse):
                # An idle keep-alive connection the server had closed: retry once on a new one, like Go.
                self.close()
                if fresh or attempt == 2:
                    raise
        resp.elapsed = time.monotonic() - start
        if resp.headers.get("connection", "").lower() == "close":
            self.close()
        return resp

    # -- response parsing -------------------------------------------------------------------------
    def _recv(self) -> bytes:
        chunk = self._sock.recv(1 << 16)
        if not chunk:
            raise _ClosedBeforeResponse()
        return chunk

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self._buf:
            self._buf += self._recv()
        head, self._buf = self._buf.split(marker, 1)
        return head

    def _read_exact(self, n: int) -> bytes:
        while len(self._buf) < n:
            self._buf += self._recv()
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def _read_response(self) -> Response:
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        status_line, *header_lines = head.split("\r\n")
        version, status, *reason = status_line.split(" ", 2)
        if not version.startswith("HTTP/1."):
            raise AssertionError(f"not an HTTP/1.x response: {status_line!r}")
        headers = {}
        for h in header_lines:
            k, _, v = h.partition(":")
            headers[k.strip().lower()] = v.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int(self._read_until(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    self._read_until(b"\r\n")  # no trailers expected: the final CRLF
                    break
                body += self._read_exact(size)
                self._read_exact(2)
        elif "content-length" in headers:
            body = self._read_exact(int(headers["content-length"]))
        else:  # delimited by close
            body = self._buf
            try:
                while chunk := self._sock.recv(1 << 16):
                    body += chunk
            finally:
                self.close()
        return Response(int(status), reason[0] if reason else "", headers, body)

    # -- the daemon's calls -----------------------------------------------------------------------
    def capabilities(self) -> Response:
        return self.post("LogDriver.Capabilities")

    def start_logging(self, file: str, info: dict) -> Response:
        return self.post("LogDriver.StartLogging", {"File": file, "Info": info})

    def stop_logging(self, file: str) -> Response:
        return self.post("LogDriver.StopLogging", {"File": file})


class PluginProcess:
    """The logship binary serving the plugin protocol on a private socket."""

    def __init__(self, binary: str | os.PathLike, env: dict[str, str] | None = None, args: list[str] | None = None):
        self.binary = str(binary)
        # AF_UNIX paths are limited to 107 bytes: keep the directory short (pytest's tmp_path may not be).
        self.dir = Path(tempfile.mkdtemp(prefix="logship-", dir="/tmp"))
        self.socket_path = str(self.dir / "logship.sock")
        self.stderr_path = self.dir / "logship.stderr"
        # A clean environment: every option has a host-wide default read from the environment
        # (TAG, ENV, LABELS, ...), which a developer's shell must not leak into the tests.
        self.env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
        self.env.update({k: v for k, v in os.environ.items() if k.startswith("LOGSHIP_") and k != "LOGSHIP_SOCKET"})
        # Spool and stream records per process, so no test sees another's leftovers;
        # a restarted process (kill()/restart()) keeps them, like the managed plugin.
        self.state_dir = self.dir / "state"
        self.env["STATE_DIR"] = str(self.state_dir)
        self.env.update(env or {})
        self.args = args or []
        # A command the binary is run under, e.g. ["prlimit", "--nofile=64:64", "--"]: it must exec
        # the binary (so `pid` is the plugin's). Like `env`, it may be changed before a restart().
        self.wrapper: list[str] = []
        self.proc: subprocess.Popen | None = None
        self._clients: list[PluginClient] = []
        self._stderr_copy = ""
        self.stopped = False  # stop() was called: exiting is expected from then on

    def start(self, timeout: float = 10.0) -> "PluginProcess":
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError(f"logship binary {self.binary} not found; build it with `swift build --product logship`")
        # Appended, so the log of a restarted plugin still shows what the first run said.
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(
                [*self.wrapper, self.binary, "--socket", self.socket_path, *self.args],
                env=self.env, stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT,
            )

        def accepting():
            if self.proc.poll() is not None:
                raise RuntimeError(f"logship exited with {self.proc.returncode} at start:\n{self.stderr_text()}")
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(self.socket_path)
                return True
            except OSError:
                return False

        # Docker gives a managed plugin about 9.5 s to listen (§2.1); the same here.
        wait_until(accepting, timeout, f"logship to listen on {self.socket_path}")
        return self

    def client(self, timeout: float = 30.0) -> PluginClient:
        c = PluginClient(self.socket_path, timeout)
        self._clients.append(c)
        return c

    @property
    def pid(self) -> int:
        assert self.proc is not None, "the plugin was never started"
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return self._stderr_copy

    def kill(self) -> None:
        """SIGKILL, as when the plugin crashes: nothing is flushed. The state directory stays."""
        for c in self._clients:
            c.close()
        self._clients.clear()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self, timeout: float = 10.0) -> "PluginProcess":
        """A new process on the same socket and state directory (Docker restarts a crashed plugin),
        with `env` and `wrapper` as they are now (`docker plugin set` between disable and enable)."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("restart() needs the old process gone: call kill() or terminate() first")
        self._stderr_copy = self.stderr_text()
        return self.start(timeout)

    def terminate(self, timeout: float = 10.0) -> int | None:
        """SIGTERM and wait (plugin disable), keeping the state directory for a restart()."""
        for c in self._clients:
            c.close()
        self._clients.clear()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM (what Docker sends at disable), SIGKILL after `timeout`, then the private directory
        (socket, state, log) is removed. Returns the exit status."""
        self.stopped = True
        status = self.terminate(timeout)
        self._stderr_copy = self.stderr_text()
        shutil.rmtree(self.dir, ignore_errors=True)
        return status

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@dataclass
class DaemonStream:
    """One logger instance, driven the way dockerd drives it (protocol doc §1.1, §1.2, §4.4)."""

    client: PluginClient
    fifo_dir: Path
    info: dict
    path: str = ""
    fd: int | None = None
    responses: list[Response] = field(default_factory=list)

    def __post_init__(self):
        self.path = self.path or str(Path(self.fifo_dir) / random_id())

    @property
    def container_id(self) -> str:
        return self.info["ContainerID"]

    def start(self) -> Response:
        """mkfifo 0700, open O_RDWR (so neither side blocks or gets EPIPE), then StartLogging."""
        os.mkfifo(self.path, 0o700)
        self.fd = os.open(self.path, os.O_RDWR)
        resp = self.client.start_logging(self.path, self.info)
        self.responses.append(resp)
        return resp

    def write(self, data: bytes, timeout: float = 30.0) -> None:
        frames.write_all(self.fd, data, timeout)

    def log(self, line: bytes | str, source: str = "stdout", time_nano: int | None = None) -> None:
        """Write one output line the way the copier does (split into 16 KiB partial pieces if long)."""
        self.write(frames.line_frames(line, source, time_nano))

    def log_lines(self, lines, source: str = "stdout") -> None:
        self.write(b"".join(frames.line_frames(l, source) for l in lines))

    def stop_logging(self) -> Response:
        """StopLogging while the daemon's descriptor is still open (data may still sit in the pipe)."""
        resp = self.client.stop_logging(self.path)
        self.responses.append(resp)
        return resp

    def close(self) -> None:
        """Close the daemon's descriptor (the plugin reads EOF) and unlink the FIFO."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if os.path.exists(self.path):
            os.unlink(self.path)

    def finish(self) -> Response:
        """The daemon's container-stop sequence: StopLogging, then close and unlink."""
        resp = self.stop_logging()
        self.close()
        return resp
