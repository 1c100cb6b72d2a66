#!/usr/bin/env python3
"""Replace one generated section of a markdown file with stdin, leaving the rest alone.

Usage: splice-section.py FILE NAME < section.md

The section is everything between the lines `<!-- NAME:begin -->` and `<!-- NAME:end -->`, so
each benchmark script owns its part of BENCHMARKS.md and hand-written text around it survives.
A file without those markers gets them appended at the end; a missing file is created with a
title. The file is replaced atomically (written beside it, then renamed), so a failed run never
leaves half a file.
"""
import os
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path, name = sys.argv[1], sys.argv[2]
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    body = sys.stdin.read().rstrip("\n") + "\n"

    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = "# logship benchmarks\n"

    lines = text.splitlines(keepends=True)
    starts = [i for i, l in enumerate(lines) if l.strip() == begin]
    stops = [i for i, l in enumerate(lines) if l.strip() == end]
    if not starts and not stops:
        new = text.rstrip("\n") + f"\n\n{begin}\n{body}{end}\n"
    elif len(starts) == 1 and len(stops) == 1 and starts[0] < stops[0]:
        new = "".join(lines[: starts[0] + 1]) + body + "".join(lines[stops[0]:])
    else:
        print(f"{path}: markers {begin} / {end} are missing, repeated or out of order", file=sys.stderr)
        return 1

    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(new)
    os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
