"""End-to-end fixtures: a real Docker engine with the logship plugin installed by scripts/install.sh.

Nothing is skipped here: if Docker, the plugin or the test image is missing, every test fails with
the command that sets it up (scripts/test.sh e2e does all of it).
"""

from __future__ import annotations

import pytest

from harness import docker as d


@pytest.fixture(scope="session", autouse=True)
def docker_ready():
    v = d.docker("version", "--format", "{{.Server.Version}}", check=False)
    if v.returncode != 0:
        pytest.fail(f"no Docker daemon answers ({v.stderr.strip()}); run scripts/testenv/start-dockerd.sh",
                    pytrace=False)
    info = d.plugin_inspect()
    if info is None:
        pytest.fail(f"plugin {d.PLUGIN} is not installed; run scripts/install.sh", pytrace=False)
    if not info["Enabled"]:
        pytest.fail(f"plugin {d.PLUGIN} is installed but disabled; run `docker plugin enable {d.PLUGIN}`",
                    pytrace=False)
    if d.docker("image", "inspect", d.IMAGE, check=False).returncode != 0:
        pytest.fail(f"image {d.IMAGE} is missing; run scripts/testenv/make-test-image.sh", pytrace=False)
    leftovers = d.leftover_test_containers()
    for name in leftovers:  # from an interrupted earlier run: they would keep the plugin "in use"
        d.remove(name)


@pytest.fixture(autouse=True)
def no_container_left_behind():
    """Every test removes its containers: one left behind would block `docker plugin disable`."""
    yield
    leftovers = d.leftover_test_containers()
    for name in leftovers:
        d.remove(name)
    assert not leftovers, f"containers left behind: {leftovers}"
