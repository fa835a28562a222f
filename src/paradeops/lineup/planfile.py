"""The plan's text with its units in a new order, everything else kept (ruamel round trip).

ruamel keeps a comment written above a unit on the unit before it (at the
end of that unit's last value) or on the list; moved as they are, comments
would describe the wrong unit. So each unit's own comments (those between
it and the unit before) are taken off, the units reordered, and the comments
put back above the units they were written above. The comments above the
first unit of the file stay at the head of the list, and those after the
last unit stay after the list. Pure: text in, text out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from paradeops.model.yamlsource import load_round_trip


def reordered_plan(text: str, file: str, order: Sequence[str]) -> str:
    """``text`` with its ``units`` in the order of the ids ``order`` (all of them)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    doc = load_round_trip(text, file)
    seq = doc["units"]
    items = list(seq)
    ids = [str(u["id"]) for u in items]
    if sorted(ids) != sorted(order):
        raise ValueError("the order must name every unit of the plan once")
    leads = [_take_lead(seq, i, items) for i in range(len(items))]
    after_list = _take_after(items[-1]) if isinstance(items[-1], CommentedMap) else ""
    by_id = dict(zip(ids, range(len(items)), strict=True))
    moved = [by_id[uid] for uid in order]
    seq.ca.items.clear()
    for place, old in enumerate(moved):
        seq[place] = items[old]
    indent = _item_indent(seq)
    for place, old in enumerate(moved):
        if leads[old] and old > 0:
            seq.yaml_set_comment_before_after_key(place, before=leads[old], indent=indent)
    if after_list:
        _put_after(items[moved[-1]], after_list)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    # The list's own indentation (``- id`` under ``units:`` or two columns in).
    yaml.indent(mapping=2, sequence=indent + 2, offset=indent)
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


def _tail(node: Any) -> tuple[Any, Any, int] | None:
    """Where ruamel keeps the comment after ``node``'s last value: (items, key, slot)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap) and node:
        key = list(node)[-1]
        deeper = _tail(node[key]) if not node.fa.flow_style() else None
        return deeper or (node.ca.items, key, 2)
    if isinstance(node, CommentedSeq) and node and not node.fa.flow_style():
        last = len(node) - 1
        return _tail(node[last]) or (node.ca.items, last, 0)
    return None


def _split(node: Any) -> tuple[Any, str]:
    """The comment token after ``node``'s last value, and its lines after the first."""
    where = _tail(node)
    if where is None:
        return None, ""
    items, key, slot = where
    entry = items.get(key)
    token = entry[slot] if entry and len(entry) > slot else None
    if token is None or not isinstance(token.value, str):
        return None, ""
    first, _, rest = token.value.partition("\n")
    return token, rest if first.strip() or first == "" else rest


def _take_after(node: Any) -> str:
    """Take the lines after ``node``'s last line off it; return them as written."""
    token, rest = _split(node)
    if token is not None and rest:
        token.value = token.value[: len(token.value) - len(rest)]
    return rest


def _put_after(node: Any, text: str) -> None:
    token, _ = _split(node)
    if token is not None:
        token.value += text
        return
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    where = _tail(node)
    if where is None:
        return
    items, key, slot = where
    entry = items.setdefault(key, [None, None, None, None])
    entry[slot] = CommentToken("\n" + text, CommentMark(0), None)


def _take_lead(seq: Any, i: int, items: list[Any]) -> str:
    """Unit ``i``'s own comment lines (without '#'), taken off where ruamel keeps them."""
    lines: list[str] = []
    if i > 0:
        lines += _comment_lines(_take_after(items[i - 1]))
    entry = seq.ca.items.get(i)
    if entry and len(entry) > 1 and entry[1]:
        lines += _comment_lines("".join(t.value for t in entry[1] if t is not None))
    return "\n".join(lines)


def _comment_lines(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            out.append(stripped[1:].removeprefix(" "))
    return out


def _item_indent(seq: Any) -> int:
    """Column of the list's dashes (ruamel keeps it on the sequence's line info)."""
    try:
        return int(seq.lc.data[0][1]) - 2
    except (AttributeError, IndexError, KeyError, TypeError):
        return 2
