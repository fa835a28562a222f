"""Running the CLI on hostile input in a child process, so that a hang fails the test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

_RUNNER = """
import contextlib, io, json, sys, time
from paradeops.cli import main
out = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    code = 0
    start = time.perf_counter()
    with contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    out.append({"code": code, "err": err.getvalue(), "seconds": time.perf_counter() - start})
print(json.dumps(out))
"""


@dataclass(frozen=True)
class Ran:
    code: int
    err: str
    #: Time the command itself took (the interpreter's start is not counted).
    seconds: float


def run_cli(*commands: list[str], timeout: float = 120.0) -> list[Ran]:
    """Each command run by the real CLI, one after another, in one child interpreter.

    One interpreter for all (starting the CLI costs seconds); ``timeout``
    bounds the whole run, so a command that hangs fails the test.
    """
    r = subprocess.run(
        [sys.executable, "-c", _RUNNER, json.dumps([list(c) for c in commands])],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"},
    )
    assert r.returncode == 0, r.stderr
    return [Ran(**x) for x in json.loads(r.stdout.splitlines()[-1])]


def assert_refused(ran: Ran, *parts: str, within_s: float = 2.0) -> None:
    """Exit 2, a one-problem message naming where, no traceback, quickly."""
    assert ran.code == 2, ran
    assert ran.err.startswith("error: "), ran.err
    assert "Traceback" not in ran.err and "RecursionError" not in ran.err, ran.err
    for part in parts:
        assert part in ran.err, (part, ran.err)
    assert ran.seconds < within_s, ran
