"""logship's opt-in HTTP endpoints (METRICS_ADDRESS): /metrics in Prometheus text format, /health in JSON.

parse_prometheus  a strict reader of the text exposition format 0.0.4: every sample must belong to a
                  family announced by `# HELP` and `# TYPE` lines before its samples, label values are
                  unescaped (\\\\, \\", \\n), a series may appear only once, values must be numbers.
                  It raises ValueError naming the offending line, so a format bug fails a test.
MetricsClient     GET /metrics (parsed) and /health (status, JSON) on 127.0.0.1:PORT.
"""

from __future__ import annotations

import http.client
import json
import math
import re
from dataclasses import dataclass, field

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
_HELP = re.compile(rf"^# HELP ({_NAME}) (.*)$")
_TYPE = re.compile(rf"^# TYPE ({_NAME}) (counter|gauge|histogram|summary|untyped)$")
_SAMPLE = re.compile(rf"^({_NAME})(?:\{{(.*)\}})? (\S+)(?: (-?\d+))?$")
_LABEL = re.compile(rf'\s*({_LABEL_NAME})="((?:[^"\\\n]|\\[\\"n])*)"\s*(,|$)')


@dataclass
class Family:
    name: str
    type: str = ""
    help: str = ""
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def value(self, **labels: str) -> float:
        """The value of the one sample whose labels include `labels` (all of them, if none given)."""
        hits = [v for l, v in self.samples if all(l.get(k) == x for k, x in labels.items())]
        if len(hits) != 1:
            raise KeyError(f"{self.name}{labels}: {len(hits)} samples match; samples: {self.samples}")
        return hits[0]


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "\\": "\\", '"': '"'}[m.group(1)], value)


def _labels(text: str, line: str) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        m = _LABEL.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"malformed labels in {line!r}")
        name, value = m.group(1), _unescape(m.group(2))
        if name in out:
            raise ValueError(f"label {name} repeated in {line!r}")
        out[name] = value
        pos = m.end()
        if m.group(3) == "" and pos < len(text):
            raise ValueError(f"malformed labels in {line!r}")
    return out


def parse_prometheus(text: str) -> dict[str, Family]:
    """Families by name, checked strictly (see the module docstring)."""
    if text and not text.endswith("\n"):
        raise ValueError("exposition does not end with a newline")
    families: dict[str, Family] = {}
    seen_series: set[tuple[str, tuple]] = set()
    current: str | None = None  # the family whose block we are in
    for line in text.split("\n")[:-1]:
        if line == "":
            continue
        if line.startswith("#"):
            m = _HELP.match(line) or _TYPE.match(line)
            if not m:
                if line.startswith("# HELP") or line.startswith("# TYPE"):
                    raise ValueError(f"malformed metadata line {line!r}")
                continue  # a plain comment
            name = m.group(1)
            if name != current:
                if name in families:
                    raise ValueError(f"family {name} appears in two blocks: {line!r}")
                families[name] = Family(name)
                current = name
            fam = families[name]
            if fam.samples:
                raise ValueError(f"metadata for {name} after its samples: {line!r}")
            if line.startswith("# HELP"):
                if fam.help:
                    raise ValueError(f"second HELP for {name}")
                fam.help = m.group(2)
            else:
                if fam.type:
                    raise ValueError(f"second TYPE for {name}")
                fam.type = m.group(2)
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise ValueError(f"malformed sample line {line!r}")
        name, label_text, value_text = m.group(1), m.group(2) or "", m.group(3)
        fam = families.get(name)
        if fam is None or not fam.type or not fam.help:
            raise ValueError(f"sample of {name} without HELP and TYPE before it: {line!r}")
        if name != current:
            raise ValueError(f"sample of {name} outside its family's block: {line!r}")
        try:
            value = float(value_text)
        except ValueError:
            raise ValueError(f"value {value_text!r} is not a number in {line!r}") from None
        if math.isnan(value):
            raise ValueError(f"NaN in {line!r}")
        labels = _labels(label_text, line)
        key = (name, tuple(sorted(labels.items())))
        if key in seen_series:
            raise ValueError(f"series repeated: {line!r}")
        seen_series.add(key)
        fam.samples.append((labels, value))
    return families


class MetricsClient:
    """GETs on logship's metrics listener (a fresh connection per request, as Prometheus does)."""

    def __init__(self, host: str, port: int, timeout: float = 5.0):
        self.host, self.port, self.timeout = host, port, timeout

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        c = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            c.request(method, path)
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            c.close()

    def metrics_text(self) -> str:
        status, headers, body = self.get("/metrics")
        if status != 200:
            raise AssertionError(f"GET /metrics: HTTP {status} {body[:200]!r}")
        return body.decode()

    def metrics(self) -> dict[str, Family]:
        return parse_prometheus(self.metrics_text())

    def value(self, name: str, **labels: str) -> float:
        return self.metrics()[name].value(**labels)

    def health(self) -> tuple[int, dict]:
        status, _, body = self.get("/health")
        return status, json.loads(body)

    def reachable(self) -> bool:
        try:
            self.get("/health")
            return True
        except OSError:
            return False


def destination_totals(families: dict[str, Family], destination: str) -> dict[str, int]:
    """The per-destination counters and gauges for one destination label, short names."""
    out = {}
    for name, fam in families.items():
        if name.startswith("logship_destination_") and name != "logship_destination_connected":
            for labels, value in fam.samples:
                if labels.get("destination") == destination:
                    out[name[len("logship_destination_"):]] = int(value)
    return out


def destination_labels(families: dict[str, Family], containing: str = "") -> set[tuple[str, str]]:
    """Every destination of the per-destination families whose addresses contain `containing`, as
    (destination, framing) label pairs: one address list framed two ways is two destinations."""
    return {(labels["destination"], labels.get("framing", "")) for name, fam in families.items()
            if name.startswith("logship_destination_")
            for labels, _ in fam.samples if "destination" in labels and containing in labels["destination"]}


def summed(families: dict[str, Family], name: str, containing: str = "") -> int:
    """The sum of a per-destination family over the destinations whose label contains `containing`
    (one address may be several destinations, e.g. one per framing)."""
    fam = families.get(name)
    if fam is None:
        return 0
    return int(sum(v for labels, v in fam.samples if containing in labels.get("destination", "")))
