"""A private Prometheus (Debian's `prometheus` package) scraping logship's /metrics, and its HTTP API.

Its own configuration, storage and log in a temporary directory, listening on a free loopback port,
scraping every second, so a test can read what a real Prometheus made of the exposition (types,
labels, counters across scrapes) with the same PromQL a dashboard uses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from .receivers import free_port
from .waiting import wait_until


def _prometheus() -> str:
    path = shutil.which("prometheus") or "/usr/bin/prometheus"
    if not os.path.exists(path):
        raise RuntimeError("prometheus not found; run scripts/testenv/install-deps.sh")
    return path


class Prometheus:
    def __init__(self, target: str, scrape_interval: str = "1s"):
        """target: host:port of the /metrics to scrape."""
        self.target = target
        self.scrape_interval = scrape_interval
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="logship-prometheus-"))
        self.log_path = self.workdir / "prometheus.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "Prometheus":
        config = self.workdir / "prometheus.yml"
        config.write_text(
            "global:\n"
            f"  scrape_interval: {self.scrape_interval}\n"
            f"  evaluation_interval: {self.scrape_interval}\n"
            "scrape_configs:\n"
            "  - job_name: logship\n"
            "    static_configs:\n"
            f"      - targets: ['{self.target}']\n"
        )
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [_prometheus(), f"--config.file={config}", f"--storage.tsdb.path={self.workdir / 'data'}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--storage.tsdb.retention.time=1h"],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        wait_until(self._ready, timeout, f"prometheus on {self.url} to be ready",
                   describe=lambda: self.log_path.read_text(errors="replace")[-1500:])
        return self

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"prometheus exited ({self.proc.returncode}): {self.log_path.read_text(errors='replace')[-1500:]}")
        try:
            with urllib.request.urlopen(self.url + "/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def query(self, expr: str) -> list[dict]:
        """An instant query through the HTTP API: the result vector (each {metric: labels, value: [t, "v"]})."""
        url = self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
        if body.get("status") != "success":
            raise AssertionError(f"query {expr!r} failed: {body}")
        return body["data"]["result"]

    def targets_up(self) -> bool:
        with urllib.request.urlopen(self.url + "/api/v1/targets", timeout=10) as r:
            targets = json.load(r)["data"]["activeTargets"]
        return any(t["health"] == "up" for t in targets)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
