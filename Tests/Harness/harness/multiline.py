"""What containers print that multi-line options join: a Java trace, a Python traceback and a Go
panic as their runtimes print them, and the checks that each arrives as one message."""

from __future__ import annotations

JAVA_TRACE = [
    "2026-11-26 16:16:21.143 ERROR [main] com.example.App - request failed",
    "java.lang.IllegalStateException: boom",
    "\tat com.example.App.handle(App.java:42)",
    "\tat com.example.App.main(App.java:12)",
    "Caused by: java.io.IOException: disk full",
    "\tat java.base/java.io.FileOutputStream.write(FileOutputStream.java:349)",
    "\t... 5 more",
]

PYTHON_TRACEBACK = [
    "Traceback (most recent call last):",
    '  File "/app/main.py", line 8, in <module>',
    "    main()",
    '  File "/app/main.py", line 5, in main',
    '    raise ValueError("bad value")',
    "ValueError: bad value",
]

GO_PANIC = [
    "panic: runtime error: index out of range [3] with length 3",
    "",
    "goroutine 1 [running]:",
    "main.main()",
    "\t/app/main.go:8 +0x1d",
    "",
    "goroutine 18 [chan receive]:",
    "main.(*Worker).run(0xc000010000)",
    "\t/app/worker.go:20 +0x45",
    "created by main.start in goroutine 1",
    "\t/app/main.go:5 +0x3a",
]

PRESETS = "java,python,go"


def traces_between_ordinary_lines() -> tuple[list[str], list[str]]:
    """(the lines a container prints, the messages they must arrive as, in order)."""
    printed = (["starting"] + JAVA_TRACE + ["between 1"] + PYTHON_TRACEBACK + ["between 2"] + GO_PANIC
               + ["last line"])
    expected = ["starting", "\n".join(JAVA_TRACE), "between 1", "\n".join(PYTHON_TRACEBACK), "between 2",
                "\n".join(GO_PANIC), "last line"]
    return printed, expected


def shell_printf(lines: list[str]) -> str:
    """A `printf` command for busybox sh that prints `lines` exactly (TABs and all)."""
    body = "".join(line.replace("\\", "\\\\").replace("%", "%%").replace("'", "'\\''").replace("\t", "\\t") + "\\n"
                   for line in lines)
    return f"printf '{body}'"
