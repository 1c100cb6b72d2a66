"""The plugin as scripts/install.sh installs it sees only what it needs of the host (issue 13, "Mounts").

A plugin of its own is installed for this module (NAME_PREFIX + "mounts-" + random hex, removed at
the end) with HOST_CONFIG_DIR and SOCKETS_DIR pointing at directories of the test's. From inside the
plugin's mount namespace (`nsenter -t <plugin pid> -m`, with a static busybox put in the plugin's
rootfs for the purpose), every file the plugin can reach is listed, and each is compared by device and
inode with the host's /etc/shadow and Docker's API socket: neither is reachable. The same listing
finds the files the test put in the two directories (so the comparison does find host files that are
exposed), and both mounts refuse writes. README's unix-socket recipe (rsyslog listening on a
unixgram socket in the sockets directory) delivers through that plugin. install.sh refuses a sockets
directory holding docker.sock, and by default mounts journald's directory or /dev.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from harness import docker as d
from harness.rsyslog import Rsyslog

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "scripts" / "install.sh"
DOCKER_SOCKETS = [p for p in ("/run/docker.sock", "/var/run/docker.sock") if os.path.exists(p)]


def install(name: str, work: Path, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "PLUGIN_NAME": name, "LOGSHIP_BINARY": d.plugin_binary(),
            "LOGSHIP_PLUGIN_DIR": str(work / "plugin"), **env}
    full.pop("LOGSHIP_CONFIG_JSON", None)
    if "SOCKETS_DIR" not in env:
        full.pop("SOCKETS_DIR", None)
    return subprocess.run(["bash", str(INSTALL)], env=full, capture_output=True, text=True, timeout=300)


def remove_plugins(name: str) -> None:
    for other in d.docker("plugin", "ls", "--format", "{{.Name}}").stdout.decode().split():
        if other.startswith(name):
            d.docker("plugin", "rm", "-f", other, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(plugin name, host config dir, host sockets dir) of a plugin installed by scripts/install.sh."""
    work = tmp_path_factory.mktemp("mounts")
    config, sockets = work / "config", work / "sockets"
    sockets.mkdir()
    os.chmod(work, 0o755)
    os.chmod(sockets, 0o755)
    name = f"{d.NAME_PREFIX}mounts-{uuid.uuid4().hex[:8]}"
    try:
        p = install(name, work, HOST_CONFIG_DIR=str(config), SOCKETS_DIR=str(sockets))
        assert p.returncode == 0, p.stderr
        assert config.is_dir() and (config.stat().st_mode & 0o777) == 0o755, "install.sh did not create the config directory 0755"
        yield name, config, sockets
    finally:
        remove_plugins(name)


def in_plugin(pid: int, *command: str) -> subprocess.CompletedProcess:
    """A busybox command run inside the plugin's mount namespace (it sees the plugin's filesystem)."""
    return subprocess.run(["nsenter", "-t", str(pid), "-m", "/usr/bin/busybox", *command], capture_output=True, text=True)


def identity(path: str | os.PathLike) -> tuple[int, int]:
    st = os.stat(path, follow_symlinks=False)
    return st.st_dev, st.st_ino


def test_the_installed_plugin_reaches_neither_the_hosts_etc_nor_dockers_socket(installed):
    name, config, sockets = installed
    (config / "routes.conf").write_text("# no routes\n")
    (sockets / "marker").write_text("")
    pid = d.plugin_pid(name)
    assert pid, f"plugin {name} is not running"
    shutil.copy("/usr/bin/busybox", d.plugin_rootfs(name) / "usr" / "bin" / "busybox")

    listing = in_plugin(pid, "find", "/", "-path", "/proc", "-prune", "-o", "-path", "/sys", "-prune", "-o", "-print")
    assert listing.returncode == 0, listing.stderr
    paths = listing.stdout.split()
    seen = {}
    for path in paths:
        try:
            seen[identity(f"/proc/{pid}/root{path}")] = path
        except OSError:
            continue  # gone meanwhile (a FIFO of a container that ended)
    secrets = {"/etc/shadow": identity("/etc/shadow"), **{p: identity(p) for p in DOCKER_SOCKETS}}
    reachable = {host: seen[ident] for host, ident in secrets.items() if ident in seen}
    print(f"\n[mounts] {len(paths)} paths visible in the plugin; host files among them: "
          f"{ {str(config / 'routes.conf'): seen.get(identity(config / 'routes.conf'))} }, "
          f"{ {str(sockets / 'marker'): seen.get(identity(sockets / 'marker'))} }; secrets reachable: {reachable}")
    assert seen.get(identity(config / "routes.conf")) == "/config/routes.conf"
    assert seen.get(identity(sockets / "marker")) == "/sockets/marker"
    assert not reachable, f"host secrets reachable from the plugin: {reachable}"
    assert not [p for p in paths if p.endswith("/shadow") or p.endswith("docker.sock")]
    for directory in ("/config", "/sockets"):
        touch = in_plugin(pid, "touch", f"{directory}/written-by-the-plugin")
        assert touch.returncode != 0 and "Read-only file system" in touch.stderr, (directory, touch)


def test_readmes_unix_socket_recipe_delivers_through_the_installed_plugin(installed, short_tmp):
    """README: rsyslog's own socket in a directory of the operator's choosing, mounted as SOCKETS_DIR,
    addressed as unixgram:///sockets/NAME."""
    name, _, sockets = installed
    rsyslog = Rsyslog(short_tmp / "rsyslog", unixgram_path=str(sockets / "app.sock")).start()
    try:
        run = d.run_container(["sh", "-c", "echo through the sockets mount"],
                              {"syslog-address": "unixgram:///sockets/app.sock"}, driver=name)
        assert run.returncode == 0, run.stderr
        [message] = rsyslog.wait_for(1)
        assert (message["msg"], message["input"], message["app_name"]) == ("through the sockets mount", "imuxsock", run.tag)
    finally:
        rsyslog.stop()


def test_install_refuses_a_sockets_directory_holding_dockers_socket(tmp_path):
    (tmp_path / "sockets").mkdir()
    (tmp_path / "sockets" / "docker.sock").write_text("")
    name = f"{d.NAME_PREFIX}mounts-{uuid.uuid4().hex[:8]}"
    try:
        p = install(name, tmp_path, HOST_CONFIG_DIR=str(tmp_path / "config"), SOCKETS_DIR=str(tmp_path / "sockets"))
        assert p.returncode == 1
        assert f"SOCKETS_DIR={tmp_path / 'sockets'} holds docker.sock (Docker's API socket)" in p.stderr, p.stderr
        assert d.plugin_inspect(name) is None
    finally:
        remove_plugins(name)


def test_install_mounts_journalds_directory_or_dev_by_default(tmp_path):
    expected = "/run/systemd/journal" if os.path.isdir("/run/systemd/journal") else "/dev"
    name = f"{d.NAME_PREFIX}mounts-{uuid.uuid4().hex[:8]}"
    try:
        p = install(name, tmp_path, HOST_CONFIG_DIR=str(tmp_path / "config"))
        assert p.returncode == 0, p.stderr
        assert d.mount_sources(name) == {"config": str(tmp_path / "config"), "sockets": expected}
        assert d.plugin_env(name)["CONFIG_DIR"] == "/config"
    finally:
        remove_plugins(name)
