"""scripts/install.sh on a real Docker engine: a new build that Docker or the plugin refuses never
costs the host the plugin it has.

Each test installs a plugin of its own, named NAME_PREFIX + "install-" + random hex (never the plugin
the rest of the suite uses), from the binary that plugin runs (or LOGSHIP_BINARY), assembled in a
directory of its own (never the repository's plugin/build, which someone may be installing from),
and removes it at the end, together with any trial copy install.sh might have left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from harness import docker as d
from harness.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "scripts" / "install.sh"


def plugins_named(prefix: str) -> list[str]:
    names = d.docker("plugin", "ls", "--format", "{{.Name}}").stdout.decode().split()
    return [n for n in names if n.startswith(prefix)]


class Installer:
    """Runs scripts/install.sh for one plugin name of its own."""

    def __init__(self, workdir: Path):
        self.name = f"{d.NAME_PREFIX}install-{uuid.uuid4().hex[:8]}"
        self.workdir = workdir
        self.binary = d.plugin_binary()

    def run(self, *settings: str, manifest: Path | None = None) -> subprocess.CompletedProcess:
        # Host directories of its own for the config and sockets mounts, so that no test touches
        # the host's /etc/logship.
        for mount in ("config", "sockets"):
            (self.workdir / mount).mkdir(exist_ok=True)
        env = {**os.environ, "PLUGIN_NAME": self.name, "LOGSHIP_BINARY": self.binary,
               "LOGSHIP_PLUGIN_DIR": str(self.workdir / "plugin"), "HOST_CONFIG_DIR": str(self.workdir / "config"),
               "SOCKETS_DIR": str(self.workdir / "sockets")}
        env.pop("LOGSHIP_CONFIG_JSON", None)
        if manifest is not None:
            env["LOGSHIP_CONFIG_JSON"] = str(manifest)
        p = subprocess.run(["bash", str(INSTALL), *settings], env=env, capture_output=True, text=True, timeout=300)
        # The script's own lines, not build-rootfs' list of files: what the report needs.
        print(f"\n[install.sh {' '.join(settings)}] exit {p.returncode}:\n"
              + "\n".join(l for l in p.stderr.splitlines() if not l.startswith("  /") and not l.startswith("  ./")))
        return p

    def state(self) -> tuple[str, bool, dict[str, str]]:
        info = d.plugin_inspect(self.name)
        assert info is not None, f"plugin {self.name} is gone"
        return info["Id"], info["Enabled"], dict(e.split("=", 1) for e in info["Settings"]["Env"])

    def leftovers(self) -> list[str]:
        """Plugins whose names start with ours other than ours: trial copies (NAME-install-trial-PID)."""
        return [n for n in plugins_named(self.name) if n not in (self.name, f"{self.name}:latest")]

    def remove_all(self) -> None:
        for n in plugins_named(self.name):
            d.docker("plugin", "rm", "-f", n, check=False)


@pytest.fixture
def installer(tmp_path):
    inst = Installer(tmp_path)
    try:
        yield inst
    finally:
        inst.remove_all()
    assert not plugins_named(inst.name), f"plugins left behind: {plugins_named(inst.name)}"


def refused_manifest(path: Path) -> Path:
    """config.json with `entrypoint` a string instead of a list: valid JSON, so plugin/build-rootfs.sh
    assembles it, but Docker decodes the manifest into typed fields and `docker plugin create` fails
    ("cannot unmarshal string into Go struct field PluginConfig.Entrypoint of type []string")."""
    manifest = json.loads((REPO / "config.json").read_text())
    manifest["entrypoint"] = manifest["entrypoint"][0]
    path.write_text(json.dumps(manifest))
    return path


def delivers(plugin: str, receivers) -> bool:
    """A container logging through `plugin` gets its line to a receiver."""
    rx = receivers().start()
    run = d.run_container(["echo", "still delivering"], {"tcp-address": rx.address, "tcp-format": "raw"},
                          driver=plugin)
    assert run.returncode == 0, run.stderr
    wait_until(lambda: b"still delivering\n" in rx.data(), 15, f"the line through {plugin}")
    return True


@pytest.mark.parametrize("failure", ["manifest-docker-refuses", "value-the-plugin-refuses"])
def test_a_build_that_does_not_install_leaves_the_old_plugin_enabled(installer, tmp_path, receivers, failure):
    """Install once (LOG_LEVEL=debug); then install a build that cannot work, with LOG_LEVEL=warn:
    a manifest `docker plugin create` refuses, or QUEUE_SIZE=bogus, which Docker accepts and the
    plugin refuses when it starts (`docker plugin enable` fails). The script fails, and the plugin
    installed first is still there: the same id, enabled, LOG_LEVEL=debug, delivering; no trial copy
    is left. Before install.sh tried the new build under a trial name, it removed the old plugin
    first, and either failure left the host without one."""
    first = installer.run("LOG_LEVEL=debug")
    assert first.returncode == 0, first.stderr
    before = installer.state()
    assert before[1] and before[2]["LOG_LEVEL"] == "debug", before

    if failure == "manifest-docker-refuses":
        second = installer.run("LOG_LEVEL=warn", manifest=refused_manifest(tmp_path / "refused.json"))
        expected = "docker plugin create"
    else:
        second = installer.run("LOG_LEVEL=warn", "QUEUE_SIZE=bogus")
        expected = "docker plugin enable"

    after = installer.state()
    print(f"[{failure}] before: id {before[0][:12]} enabled {before[1]}; after: id {after[0][:12]} enabled {after[1]} "
          f"LOG_LEVEL={after[2]['LOG_LEVEL']}; left over: {installer.leftovers()}")
    assert second.returncode != 0, "install.sh succeeded with a build that cannot work"
    assert expected in second.stderr and "was left as it is" in second.stderr, second.stderr
    assert after == before, "the installed plugin was changed"
    assert not installer.leftovers()
    assert delivers(installer.name, receivers)


def test_reinstall_replaces_the_plugin_and_refuses_while_a_container_uses_it(installer, receivers):
    """What install.sh already did and must keep doing: run again, it replaces the plugin (a new id)
    with the new settings applied before it is enabled; while a container uses the plugin, it
    changes nothing and names that container; no trial copy is left either way."""
    assert installer.run("LOG_LEVEL=debug").returncode == 0
    first = installer.state()
    again = installer.run("LOG_LEVEL=warn")
    assert again.returncode == 0, again.stderr
    second = installer.state()
    assert second[0] != first[0] and second[1] and second[2]["LOG_LEVEL"] == "warn", (first[:2], second)
    assert not installer.leftovers()

    with d.detached_container(["sleep", "300"], {"tcp-address": "tcp://127.0.0.1:9"},
                              driver=installer.name) as (container, _):
        refused = installer.run("LOG_LEVEL=error")
        during = installer.state()
    print(f"[in use] exit {refused.returncode}; id {second[0][:12]} -> {during[0][:12]}")
    assert refused.returncode != 0
    assert "is in use" in refused.stderr and container in refused.stderr, refused.stderr
    assert during == second
    assert not installer.leftovers()
    assert delivers(installer.name, receivers)
