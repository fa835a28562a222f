"""The plan's text with its units in a new order, everything else kept.

The units are moved as lines of text, not re-emitted by a YAML library:
ruamel's round trip drops comment lines between flow-style items of a block
list (``- {id: a, …}`` followed by ``# about b``), and re-emitting would also
re-quote and re-wrap what the author wrote. ruamel only says where each item
of ``units`` starts. An item's lines run from its dash to the next item's;
the comment and blank lines at the end of that stretch, at the dash's column
or left of it, are the next item's own (written above it) and move with it.
The comments above the first unit stay at the head of the list (they often
describe the list), and those after the last unit stay after it. A flow-style
``units: [...]`` list, and units that hold YAML anchors (an alias to one
could come before it once moved), are re-emitted by ruamel instead (it puts
each anchor at its first use); a JSON plan is written as JSON. Pure: text in,
text out.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from paradeops.model.yamlsource import load_round_trip


def reordered_plan(text: str, file: str, order: Sequence[str]) -> str:
    """``text`` with its ``units`` in the order of the ids ``order`` (all of them)."""
    doc = load_round_trip(text, file)
    seq = doc["units"]
    ids = [str(u["id"]) for u in seq]
    if len(ids) != len(order) or sorted(ids) != sorted(order):
        raise ValueError("the order must name every unit of the plan once")
    if file.lower().endswith(".json") or text.lstrip().startswith("{"):
        return _as_json(text, order)
    if not ids or seq.fa.flow_style() or any(_has_anchor(u) for u in seq):
        return _reemitted(doc, seq, ids, order)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    dash = int(seq.lc.col)
    starts = [_dash_line(lines, int(seq.lc.data[i][0]), dash) for i in range(len(ids))]
    end = _list_end(lines, starts[-1], dash)
    bounds = [*starts[1:], end]
    # blocks[i]: item i's own lines, leads[i]: the lines written above it.
    leads = [""] * len(ids)
    blocks = []
    for i, (a, b) in enumerate(zip(starts, bounds, strict=True)):
        cut = _own_end(lines, a, b, dash)
        blocks.append("".join(lines[a:cut]))
        if i + 1 < len(ids):
            leads[i + 1] = "".join(lines[cut:b])
    tail = "".join(lines[_own_end(lines, starts[-1], end, dash) : end])
    by_id = {uid: i for i, uid in enumerate(ids)}
    body = "".join(leads[by_id[u]] + blocks[by_id[u]] for u in order)
    return "".join(lines[: starts[0]]) + body + tail + "".join(lines[end:])


def _dash_line(lines: list[str], line: int, dash: int) -> int:
    """The line of the dash that opens the item whose value starts on ``line``."""
    for k in range(line, -1, -1):
        if len(lines[k]) > dash and lines[k][dash] == "-" and not lines[k][:dash].strip():
            return k
    return line


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _list_end(lines: list[str], last: int, dash: int) -> int:
    """The first line after the list: content at or left of the dashes' column."""
    for k in range(last + 1, len(lines)):
        if not _is_filler(lines[k]) and _indent(lines[k]) <= dash:
            return k
    return len(lines)


def _own_end(lines: list[str], start: int, stop: int, dash: int) -> int:
    """Where item lines ``start:stop`` end once the trailing lines of the next item
    (comments at the dash's column or left of it, blank lines) are taken off."""
    k = stop
    while k > start + 1 and _is_filler(lines[k - 1]):
        if lines[k - 1].strip() and _indent(lines[k - 1]) > dash:
            break
        k -= 1
    return k


def _reemitted(doc: Any, seq: Any, ids: list[str], order: Sequence[str]) -> str:
    from ruamel.yaml import YAML

    items = list(seq)
    by_id = {uid: item for uid, item in zip(ids, items, strict=True)}
    for place, uid in enumerate(order):
        seq[place] = by_id[uid]
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


def _has_anchor(node: Any) -> bool:
    """Whether ``node`` or anything in it carries a YAML anchor (or merges one)."""
    anchor = getattr(node, "anchor", None)
    if anchor is not None and getattr(anchor, "value", None):
        return True
    if isinstance(node, dict):
        return bool(getattr(node, "merge", None)) or any(_has_anchor(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_anchor(v) for v in node)
    return False


def _as_json(text: str, order: Sequence[str]) -> str:
    """A JSON plan with its units in ``order``, as JSON (two-space indent)."""
    doc = json.loads(text)
    by_id = {str(u["id"]): u for u in doc["units"]}
    doc["units"] = [by_id[uid] for uid in order]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
