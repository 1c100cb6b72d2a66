"""Run containers through the real Docker engine with the logship driver.

Every container gets a unique name and is removed afterwards, whatever happened: Docker refuses to
disable the plugin (and so to reinstall or reconfigure it) while a container using it exists.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .waiting import wait_until

PLUGIN = os.environ.get("LOGSHIP_PLUGIN") or os.environ.get("PLUGIN_NAME") or "logship"
IMAGE = os.environ.get("LOGSHIP_TEST_IMAGE", "logship-test-busybox")
# Test containers are named PREFIX + random hex, and the e2e fixtures remove every container whose
# name contains PREFIX (leftovers keep a plugin "in use"). Two runs that share one dockerd (two
# engineers, two worktrees) must each set their own, or each removes the other's containers.
NAME_PREFIX = os.environ.get("LOGSHIP_TEST_NAME_PREFIX") or "logship-test-"


def docker(*args: str, timeout: float = 120, check: bool = True, capture: bool = True) -> subprocess.CompletedProcess:
    """Run the docker CLI; stdout as bytes, stderr as text."""
    p = subprocess.run(
        ["docker", *args],
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=timeout,
    )
    p.stderr = p.stderr.decode(errors="replace")
    if check and p.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
    return p


def hostname() -> str:
    """The host's name as the plugin reports it (the plugin inherits the host's UTS name)."""
    return socket.gethostname()


def image_id(image: str = IMAGE) -> str:
    return docker("image", "inspect", "-f", "{{.Id}}", image).stdout.decode().strip()


def unique_name() -> str:
    return NAME_PREFIX + uuid.uuid4().hex[:10]


def log_opt_args(log_opts: dict[str, str]) -> list[str]:
    out = []
    for k, v in log_opts.items():
        out += ["--log-opt", f"{k}={v}"]
    return out


@dataclass
class RunResult:
    returncode: int
    stdout: bytes
    stderr: str
    name: str
    container_id: str | None  # None when the container was never created
    started: float  # time.time() just before `docker run`
    finished: float  # time.time() just after it returned

    @property
    def tag(self) -> str:
        """The default tag {{.ID}}: the first 12 characters of the container id."""
        assert self.container_id, f"container was not created: {self.stderr}"
        return self.container_id[:12]


def run_container(
    cmd: list[str],
    log_opts: dict[str, str] | None = None,
    *,
    driver: str = PLUGIN,
    image: str = IMAGE,
    docker_args: list[str] | tuple = (),
    timeout: float = 300,
    capture: bool = True,
) -> RunResult:
    """`docker run --rm --network=none --log-driver DRIVER --log-opt ... IMAGE CMD`, attached, to completion."""
    name = unique_name()
    with tempfile.TemporaryDirectory(prefix="logship-run-") as tmp:
        cidfile = Path(tmp) / "cid"  # docker writes it at create time; it must not exist before
        args = ["run", "--rm", "--name", name, "--network=none", "--cidfile", str(cidfile),
                "--log-driver", driver, *log_opt_args(log_opts or {}), *docker_args, image, *cmd]
        started = time.time()
        try:
            p = docker(*args, timeout=timeout, check=False, capture=capture)
        finally:
            finished = time.time()
            # A failed start (bad log-opt) can leave a Created container behind, even with --rm.
            remove(name)
        cid = cidfile.read_text().strip() if cidfile.exists() else None
    return RunResult(p.returncode, p.stdout or b"", p.stderr, name, cid or None, started, finished)


def remove(name: str) -> None:
    docker("rm", "-f", name, check=False, capture=False)


@contextmanager
def detached_container(cmd: list[str], log_opts: dict[str, str] | None = None, *, driver: str = PLUGIN,
                       image: str = IMAGE, docker_args: list[str] | tuple = ()):
    """A container started with `docker run -d` (no --rm, so `docker logs` works after it exits).
    Yields (name, container_id); always removed at the end."""
    name = unique_name()
    try:
        p = docker("run", "-d", "--name", name, "--network=none", "--log-driver", driver,
                   *log_opt_args(log_opts or {}), *docker_args, image, *cmd)
        yield name, p.stdout.decode().strip()
    finally:
        remove(name)


def wait_exited(name: str, timeout: float = 60) -> int:
    """Block until the container exits; return its exit code."""
    p = docker("wait", name, timeout=timeout)
    return int(p.stdout.decode().strip())


def leftover_test_containers() -> list[str]:
    p = docker("ps", "-a", "--filter", f"name={NAME_PREFIX}", "--format", "{{.Names}}")
    return p.stdout.decode().split()


# -- the plugin itself --------------------------------------------------------------------------
def plugin_inspect(name: str = PLUGIN) -> dict | None:
    p = docker("plugin", "inspect", name, check=False)
    if p.returncode != 0:
        return None
    return json.loads(p.stdout)[0]


def plugin_env(name: str = PLUGIN) -> dict[str, str]:
    """The plugin's current settings env (what `docker plugin set` changes), as a dict."""
    info = plugin_inspect(name)
    assert info, f"plugin {name} is not installed"
    return dict(e.split("=", 1) for e in info["Settings"]["Env"])


def plugin_disable(name: str = PLUGIN, timeout: float = 30) -> None:
    """Disable, retrying while Docker still counts a logger as using it (a container just removed
    may still be closing its logger)."""

    def attempt():
        p = docker("plugin", "disable", name, check=False)
        if p.returncode == 0:
            return True
        if "in use" in p.stderr:
            return False
        raise AssertionError(f"docker plugin disable {name}: {p.stderr.strip()}")

    wait_until(attempt, timeout, f"plugin {name} to be disabled (it stayed in use)", interval=0.5)


@contextmanager
def plugin_settings(name: str = PLUGIN, **env: str):
    """Temporarily `docker plugin set NAME K=V ...` (disable, set, enable); the old values come back after."""
    before = plugin_env(name)
    unknown = set(env) - set(before)
    assert not unknown, f"plugin {name} declares no settable env {sorted(unknown)}; config.json env has {sorted(before)}"
    plugin_disable(name)
    try:
        docker("plugin", "set", name, *[f"{k}={v}" for k, v in env.items()])
    finally:
        docker("plugin", "enable", name)
    try:
        yield
    finally:
        plugin_disable(name)
        try:
            docker("plugin", "set", name, *[f"{k}={before[k]}" for k in env])
        finally:
            docker("plugin", "enable", name)


def mount_sources(name: str = PLUGIN) -> dict[str, str]:
    """The host directories the plugin's mounts (config.json `mounts`) come from now, by mount name."""
    info = plugin_inspect(name)
    assert info, f"plugin {name} is not installed"
    return {m["Name"]: m["Source"] for m in info["Settings"]["Mounts"]}


@contextmanager
def plugin_mounts(sources: dict[str, str], name: str = PLUGIN, **env: str):
    """Temporarily mount other host directories into the plugin (`docker plugin set NAME
    config.source=DIR`, and env settings such as CONFIG_DIR with them), with a plain disable, set,
    enable; the old sources and values come back after."""
    before_sources, before_env = mount_sources(name), plugin_env(name)
    unknown = set(sources) - set(before_sources)
    assert not unknown, f"plugin {name} has no settable mounts {sorted(unknown)}; it has {sorted(before_sources)}"

    def apply(mounts: dict[str, str], values: dict[str, str]) -> None:
        plugin_disable(name)
        try:
            docker("plugin", "set", name, *[f"{k}.source={v}" for k, v in mounts.items()],
                   *[f"{k}={v}" for k, v in values.items()])
        finally:
            docker("plugin", "enable", name)

    apply(sources, env)
    try:
        yield
    finally:
        apply({k: before_sources[k] for k in sources}, {k: before_env[k] for k in env})


# -- the plugin's process (crash tests) and its log -------------------------------------------------
def plugin_id(name: str = PLUGIN) -> str:
    info = plugin_inspect(name)
    assert info, f"plugin {name} is not installed"
    return info["Id"]


def plugin_pid(name: str = PLUGIN) -> int | None:
    """The host PID of the plugin's process, or None while it is not running.

    Several plugins may run the same /usr/bin/logship (other names, other builds): the one that is
    ours runs in the cgroup named after the plugin's id."""
    pid_of = subprocess.run(["pgrep", "-f", "/usr/bin/logship"], capture_output=True, text=True).stdout.split()
    wanted = plugin_id(name)
    for pid in pid_of:
        try:
            with open(f"/proc/{pid}/cgroup") as f:
                if wanted in f.read():
                    return int(pid)
        except OSError:
            continue  # gone meanwhile
    return None


def wait_plugin_running(name: str = PLUGIN, other_than: int | None = None, timeout: float = 30) -> int:
    """Wait until the plugin runs as a process other than `other_than` (a restart); return its PID."""
    return wait_until(lambda: (pid := plugin_pid(name)) and pid != other_than and pid, timeout,
                      f"plugin {name} to be running (again)")


def daemon_log_path() -> str | None:
    """The file dockerd writes its log to (its stderr), when it runs with one; the plugin's output
    is copied there as `msg="..." plugin=ID` lines."""
    p = subprocess.run(["pgrep", "-x", "dockerd"], capture_output=True, text=True).stdout.split()
    for pid in p:
        try:
            target = os.readlink(f"/proc/{pid}/fd/2")
        except OSError:
            continue
        if os.path.isfile(target):
            return target
    return None


class DaemonLog:
    """The plugin's own log lines, read from the daemon log from the moment this object is made."""

    def __init__(self, name: str = PLUGIN):
        self.path = daemon_log_path()
        self.plugin = plugin_id(name)
        self.offset = os.path.getsize(self.path) if self.path else 0

    @property
    def available(self) -> bool:
        return self.path is not None

    def lines(self) -> list[str]:
        if not self.path:
            return []
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = f.read().decode(errors="replace")
        return [l for l in data.splitlines() if f"plugin={self.plugin}" in l]


# -- issue 8: forced restarts, containers that start together, rescuing a stranded FIFO --------------------
def plugin_set(name: str = PLUGIN, **env: str) -> None:
    """`docker plugin set` (the plugin must be disabled)."""
    docker("plugin", "set", name, *[f"{k}={v}" for k, v in env.items()])


def plugin_force_restart(name: str = PLUGIN, **env: str) -> float:
    """`docker plugin disable -f` (containers keep running and writing), optionally `set` K=V, then
    `enable`, as an operator changing a setting on a busy host does. Returns when it is enabled again;
    the value is how long the plugin was disabled, in seconds."""
    began = time.monotonic()
    docker("plugin", "disable", "-f", name, timeout=60)
    try:
        if env:
            plugin_set(name, **env)
    finally:
        docker("plugin", "enable", name, timeout=60)
    return time.monotonic() - began


def plugin_rootfs(name: str = PLUGIN) -> Path:
    root = docker("info", "-f", "{{.DockerRootDir}}").stdout.decode().strip()
    return Path(root) / "plugins" / plugin_id(name) / "rootfs"


def plugin_binary() -> str:
    """A built logship: LOGSHIP_BINARY, else the one in the suite's installed plugin (the e2e phase
    builds a release binary once, for scripts/install.sh; building another here would take minutes)."""
    explicit = os.environ.get("LOGSHIP_BINARY")
    if explicit:
        return explicit
    path = plugin_rootfs() / "usr" / "bin" / "logship"
    assert path.is_file(), f"no binary at {path}; set LOGSHIP_BINARY"
    return str(path)


def plugin_propagated_mount(name: str = PLUGIN) -> Path:
    """The host directory Docker mounts at the manifest's propagatedMount (/run/docker/logging) in the
    plugin, shared both ways: a mount made under it on the host appears in the running plugin."""
    root = docker("info", "-f", "{{.DockerRootDir}}").stdout.decode().strip()
    return Path(root) / "plugins" / plugin_id(name) / "propagated-mount"


def plugin_fifos(name: str = PLUGIN) -> list[Path]:
    """The FIFOs the daemon made for the plugin's log streams (in its rootfs, /run/docker/logging)."""
    d = plugin_rootfs(name) / "run" / "docker" / "logging"
    out = []
    for p in d.iterdir() if d.is_dir() else []:
        try:
            if stat.S_ISFIFO(p.lstat().st_mode):
                out.append(p)
        except OSError:
            continue
    return out


class FifoRescue:
    """Reads and throws away whatever the daemon writes into the plugin's FIFOs, from a thread, so a
    container whose FIFO the plugin abandoned can be stopped and removed (cleanup after a test that
    failed that way: a container that cannot be removed keeps the plugin "in use" for everyone)."""

    def __init__(self, name: str = PLUGIN):
        self.name = name
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="fifo-rescue")
        self.drained = 0

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        fds: dict[Path, int] = {}
        try:
            while not self._stop.is_set():
                for p in plugin_fifos(self.name):
                    if p not in fds:
                        try:
                            fds[p] = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
                        except OSError:
                            continue
                ready, _, _ = select.select(list(fds.values()), [], [], 0.1) if fds else ([], [], [])
                for fd in ready:
                    try:
                        self.drained += len(os.read(fd, 1 << 16))
                    except OSError:
                        pass
                if not fds:
                    time.sleep(0.1)
        finally:
            for fd in fds.values():
                os.close(fd)


def remove_within(name: str, timeout: float) -> float | None:
    """`docker rm -f NAME`; the seconds it took, or None when it had not returned after `timeout`."""
    began = time.monotonic()
    try:
        docker("rm", "-f", name, check=False, capture=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return time.monotonic() - began


def remove_all_rescuing(names: list[str], timeout: float = 120) -> None:
    """Remove containers while draining the plugin's FIFOs, so that one whose FIFO the plugin
    abandoned (hung in write()) can go too."""
    with FifoRescue():
        for name in names:
            remove_within(name, timeout)


class StartGate:
    """Containers that wait for one moment to start printing (so that they really run at the same
    time, however long `docker run -d` takes for each): a host directory bind-mounted read-only at
    /gate; `script(cmd)` waits for /gate/open, then runs cmd; `open()` lets them all go."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="logship-gate-"))
        os.chmod(self.dir, 0o755)

    @property
    def docker_args(self) -> list[str]:
        return ["-v", f"{self.dir}:/gate:ro"]

    @staticmethod
    def script(cmd: str) -> list[str]:
        return ["sh", "-c", f"while [ ! -e /gate/open ]; do usleep 20000; done; {cmd}"]

    def open(self) -> None:
        (self.dir / "open").touch()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)
