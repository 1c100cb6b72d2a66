"""logship's drop notices in received JSON messages: a container's own messages apart from
the notices logship wrote into its stream (source "logship"), whose text starts with the count."""
from __future__ import annotations

import re

NOTICE = re.compile(r"^logship: (\d+) messages of this container dropped ")


def split(messages: list[dict], name: str) -> tuple[list[dict], list[int]]:
    """Container `name`'s own messages and the counts of its drop notices, in arrival order."""
    own, counts = [], []
    for m in messages:
        if m["container_name"] != name:
            continue
        if m["source"] == "logship":
            match = NOTICE.match(m["message"])
            assert match, f"a notice that does not start with its count: {m['message']!r}"
            counts.append(int(match.group(1)))
        else:
            own.append(m)
    return own, counts
