"""Median time to read and check large plans: the YAML reader on valid files.

    .venv/bin/python benchmarks/bench_read.py [--repeat 5] [--units 1000 10000]

Prints ``case=NAME size_kb=X median_s=Y cpu_s=Z`` per case: ``median_s`` the
median wall time of :func:`paradeops.io.planfile.parse_plan` (read the YAML,
then check the plan), ``cpu_s`` the median CPU time of this thread over the
same runs (what other processes' load changes least). Cases, for each number
of units (plans of :func:`paradeops.synthetic.column_plan`, written out as
block YAML):

* ``plain-N`` -- the plan as written;
* ``anchors-N`` -- the same with every unit's ``kind`` an alias of the first
  unit of its kind (``kind: &foot foot``, then ``kind: *foot``) and the
  parade's name tagged ``!!str``: what used to send the whole file to the
  slow round-trip reader;
* ``comments-N`` -- the plain plan after as many kB of comment lines as the
  plan has (a bound on what the reader does with text that holds no data);

and, once, the 1,000-unit plan after 9.9 MB (just under the 10 MB limit) of
comment lines (``comments-10mb``) or of blank lines (``blank-10mb``).

The machine's load (``os.getloadavg``) is printed first and last.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time

import yaml

from paradeops.errors import UserError
from paradeops.io.planfile import parse_plan
from paradeops.synthetic import column_plan


def plan_text(n_units: int) -> str:
    plan = column_plan(n_units)
    data = plan.model_dump(mode="json", by_alias=True, exclude_defaults=True, exclude_none=True)
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def with_anchors(text: str) -> str:
    """Each unit's kind an alias of the first of its kind; the name tagged ``!!str``."""
    seen: set[str] = set()

    def alias(m: re.Match[str]) -> str:
        kind = m.group(2)
        if kind in seen:
            return f"{m.group(1)}*{kind}"
        seen.add(kind)
        return f"{m.group(1)}&{kind} {kind}"

    out = re.sub(r"^(  kind: )(\w+)$", alias, text, flags=re.M)
    return out.replace("  name: synthetic", "  name: !!str synthetic", 1)


def with_comments(text: str) -> str:
    line = "# " + "x" * 77 + "\n"
    return line * (len(text) // len(line)) + text


def padded(text: str, line: str) -> str:
    """``text`` after as many ``line`` as bring it to 9.9 MB."""
    room = int(9.9 * 1024 * 1024) - len(text.encode())
    return line * (room // len(line)) + text


def measure(text: str, repeat: int) -> tuple[float, float, str]:
    """Median wall and CPU seconds, and the first line of a refusal ("" if read)."""
    walls, cpus = [], []
    refused = ""
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.thread_time()
        try:
            parse_plan(text, "bench.yaml")
        except UserError as e:  # a valid plan refused: a finding, printed with the figure
            refused = str(e).splitlines()[0]
        walls.append(time.perf_counter() - w0)
        cpus.append(time.thread_time() - c0)
    return statistics.median(walls), statistics.median(cpus), refused


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--units", type=int, nargs="+", default=[1000, 10_000])
    args = ap.parse_args()
    print("load_1_5_15=" + ",".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    parse_plan(plan_text(10), "warm.yaml")  # imports out of the figures
    cases = {}
    for n in args.units:
        plain = plan_text(n)
        cases[f"plain-{n}"] = plain
        cases[f"anchors-{n}"] = with_anchors(plain)
        cases[f"comments-{n}"] = with_comments(plain)
    small = plan_text(1000)
    cases["comments-10mb"] = padded(small, "# " + "x" * 77 + "\n")
    cases["blank-10mb"] = padded(small, "\n")
    for name, text in cases.items():
        wall, cpu, refused = measure(text, args.repeat)
        size_kb = len(text.encode()) / 1024
        print(
            f"case={name} size_kb={size_kb:.0f} median_s={wall:.3f} cpu_s={cpu:.3f}"
            + (f" REFUSED={refused!r}" if refused else ""),
            flush=True,
        )
    print("load_1_5_15=" + ",".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)


if __name__ == "__main__":
    main()
