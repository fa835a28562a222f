"""The fast reader gives the round-trip reader's data and lines, or steps aside (property).

Small YAML documents are generated -- mappings and lists in block and flow
style, scalars of every kind and spelling, anchors and aliases, standard and
other tags -- and read by both readers. For a text the round-trip reader may
read, the fast one must give the same data (with the same types) and the
same line for every key and item, or return None; for a text too large for
the round-trip reader (made so by a tiny limit) it must give the same data
or refuse it, and it must refuse whatever the round-trip reader refuses --
but for tabs and the line breaks NEL, LS and PS, which libyaml reads as YAML
allows where ruamel refuses some (a small text with them goes to ruamel).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paradeops.errors import UserError
from paradeops.model import yamlsource
from paradeops.model.yaml_fast import plain_data
from paradeops.model.yaml_limits import DEFAULT_LIMITS, Budget, ReadLimits, cpu_seconds

#: Plain spellings of every kind ruamel resolves, and some it does not.
PLAIN = [
    "x", "Hurrah!", "a b", "é", "a#b", "foot", "10:00:00", "1:30", "0", "-0", "+12", "010", "0o14",
    "0x1F", "0b11", "1_000", "1e3", "1.", ".5", "-.5e-3", "1.5", "1e400", "9" * 30, ".inf",
    "-.inf", ".nan", "true", "False", "TRUE", "tRue", "yes", "no", "on", "off", "null", "Null",
    "~", "2025-05-09", "2025-02-30", "2025-5-9", "2025-05-09T10:00:00", "2025-05-09 10:00:00Z",
    "=", "12:30", "1,000", "x:y", "-x", "@x", "<<", "x\u2028y", '"x\x85y"', "a\tb",
]  # fmt: skip
#: Quoted and tagged spellings.
QUOTED = [
    "'x'", "'10'", "''", "'it''s'", '"dq"', '"\\u00e9"', '"a\\/b"', '"\\t"', '"10"', '"true"',
    "!!str 10", "!!str true", "!!str", "!!int 12", "!!int '12'", "!!int 010", "!!int 0x1F",
    "!!float 1", "!!float '2.5'", "!!float .inf", "!!bool true", "!!bool yes", "!!null ''",
    "!!null x", "! 10", "! x", "! '10'", "!foo x", "!!timestamp 2025-05-09", "!!binary aGk=",
]  # fmt: skip
#: Keys: mostly text, now and then one read as another kind, a merge or an explicit key.
TEXT_KEYS = ["a", "b", "id", "kind", "x y", "'q'", '"dq"', "!!str k", "!!str 1", "é"]
ODD_KEYS = ["1", "true", "~", "2025-05-09", "1.5", "<<", "? c"]
KEYS = TEXT_KEYS * 15 + ODD_KEYS


def _scalar() -> st.SearchStrategy[str]:
    texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)
    return st.one_of(
        st.sampled_from(PLAIN),
        st.sampled_from(QUOTED),
        texts.map(lambda t: json.dumps(t, ensure_ascii=False)),
    )


def _tree() -> st.SearchStrategy[Any]:
    """("map", [(key, value)]), ("seq", [value]) or ("scalar", text)."""
    leaves = _scalar().map(lambda s: ("scalar", s))
    return st.recursive(
        leaves,
        lambda kids: st.one_of(
            st.lists(
                st.tuples(st.sampled_from(KEYS), kids), max_size=4, unique_by=lambda p: p[0]
            ).map(lambda p: ("map", p)),
            st.lists(kids, max_size=4).map(lambda v: ("seq", v)),
        ),
        max_leaves=14,
    )


class _Writer:
    """A tree as YAML text: block or flow style, anchors and aliases as drawn."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.anchors: list[str] = []  # those whose value is written out
        self.made = 0

    def node(self, tree: Any, indent: int, flow: bool) -> str:
        """The value's text; a block collection's starts with a line break."""
        if self.anchors and self.draw(st.integers(0, 9)) == 0:
            return "*" + str(self.draw(st.sampled_from(self.anchors)))
        anchor = ""
        if self.draw(st.integers(0, 5)) == 0:
            self.made += 1
            anchor = f"&a{self.made}"
        kind, body = tree
        if kind == "scalar":
            text = body if not flow or _flow_safe(body) else json.dumps(body)
            out = f"{anchor} {text}".strip() if anchor else text
        elif flow or not body or self.draw(st.booleans()):
            out = f"{anchor} {self._flow(kind, body)}".strip()
        else:
            out = anchor + "\n" + self._block(kind, body, indent)
        if anchor:
            self.anchors.append(anchor[1:])
        return out

    def _flow(self, kind: str, body: Any) -> str:
        if kind == "seq":
            return "[" + ", ".join(self.node(v, 0, True) for v in body) + "]"
        parts = [f"{k if _flow_safe(k) else json.dumps(k)}: {self.node(v, 0, True)}"
                 for k, v in body]  # fmt: skip
        return "{" + ", ".join(parts) + "}"

    def _block(self, kind: str, body: Any, indent: int) -> str:
        pad = " " * indent
        lines = []
        for item in body:
            key, value = item if kind == "map" else ("", item)
            head = f"{pad}{key}:" if kind == "map" else f"{pad}-"
            text = self.node(value, indent + 2, False)
            lines.append(head + ("" if text.startswith("\n") else " ") + text)
        return "\n".join(lines)


def _flow_safe(text: str) -> bool:
    if text.startswith(("'", '"')):
        return True  # quoted: anything goes inside
    rest = text.split(" ", 1)[1] if text.startswith("!") and " " in text else text
    return not any(c in rest for c in ",[]{}#") and not rest.startswith(("?", "'", '"', "!"))


@st.composite
def documents(draw: Any) -> str:
    tree = draw(_tree().filter(lambda t: t[0] == "map" and t[1]))
    text = _Writer(draw).node(tree, 0, False)
    return text.lstrip("\n") + "\n"


def _typed(x: object) -> object:
    """Values with their exact types, dates as dates (ruamel's are subclasses)."""
    if isinstance(x, dict):
        return {k: _typed(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_typed(v) for v in x]
    if isinstance(x, dt.datetime):
        return ("datetime", x.isoformat())
    if isinstance(x, dt.date):
        return ("date", x.isoformat())
    if isinstance(x, float) and x != x:
        return ("float", "nan")
    return (type(x).__name__, x)


def _paths(x: object, pre: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [pre, (*pre, "missing"), (*pre, 99)]
    items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else []
    for k, v in items:
        out += _paths(v, (*pre, k))
    return out


def _round_trip(text: str) -> tuple[Any, yamlsource.Locator] | UserError:
    try:
        budget = Budget(DEFAULT_LIMITS)
        doc = yamlsource._load(text, "f", budget)
        return yamlsource._plain(doc, budget), yamlsource.Locator(doc)
    except UserError as e:
        return e


COMMON = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(documents())
def test_the_fast_reader_agrees_with_the_round_trip_reader_or_steps_aside(text: str) -> None:
    slow = _round_trip(text)
    fast = plain_data(text)
    if isinstance(slow, UserError):
        assert fast is None, (text, slow)
        return
    if fast is None:
        return
    data, lines = fast
    assert _typed(data) == _typed(slow[0]), text
    locator = yamlsource._FastLocator(lines, data)
    for loc in _paths(data):
        assert locator.line(loc) == slow[1].line(loc), (text, loc)


@COMMON
@given(documents())
def test_on_a_large_text_the_fast_reader_refuses_what_it_does_not_read(text: str) -> None:
    # A limit that makes every text too large for the round-trip reader; the
    # deadline apart, so that time is not what refuses.
    budget = Budget(ReadLimits(max_seconds=0.0), deadline=cpu_seconds() + 60)
    slow = _round_trip(text)
    try:
        fast = plain_data(text, budget=budget)
    except UserError as e:
        assert e.problems[0].line is not None, (text, e)  # always located
        return
    assert fast is not None, text  # never handed on
    if any(c in text for c in "\t\x85\u2028\u2029"):
        return  # libyaml reads these as YAML allows, where ruamel is stricter: by design
    assert not isinstance(slow, UserError), (text, slow)  # never accepts what it refuses
    assert _typed(fast[0]) == _typed(slow[0]), text


def test_the_writer_makes_documents_of_every_kind() -> None:
    """The generator reaches aliases, block and flow style (else the property says little)."""
    seen: set[str] = set()

    @settings(max_examples=200, deadline=None)
    @given(documents())
    def look(text: str) -> None:
        seen.update(k for k, mark in [("alias", "*a"), ("flow", "{"), ("block", "\n  ")]
                    if mark in text)  # fmt: skip

    look()
    assert seen == {"alias", "flow", "block"}
