#!/usr/bin/env python3
"""Regenerates README's option tables and config.json's env from the binary's whitelist (the one
place options are defined), so a new option needs no hand-edited table.
Usage: scripts/update-option-docs.py [path to logship binary, default .build/debug/logship]"""
import json, subprocess, sys, re
binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/logship"
def out(fmt): return subprocess.run([binary, "options", fmt], capture_output=True, text=True, check=True).stdout.strip()
readme = open("README.md").read()
for fmt, head in (("--markdown", "| `--log-opt` |"), ("--plugin-settings", "| Setting | Default |")):
    new = out(fmt)
    lines = readme.split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith(head))
    end = start
    while end < len(lines) and lines[end].startswith("|"): end += 1
    lines[start:end] = new.split("\n")
    readme = "\n".join(lines)
open("README.md", "w").write(readme)
config = json.load(open("config.json"))
config["env"] = json.loads(out("--config-env"))
for e in config["env"]:
    e.pop("_", None)
with open("config.json", "w") as f:
    json.dump(config, f, indent=2, ensure_ascii=False)
    f.write("\n")
