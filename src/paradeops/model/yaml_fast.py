"""The plain data of an ordinary YAML file through libyaml (C), or None.

ruamel's round-trip reader, which keeps every line for the error messages,
is pure Python: a plan of a thousand lines takes it a tenth of a second or
more. Most files are ordinary and valid, so they are first read here by
libyaml (PyYAML's C parser, when installed) into exactly the data the
round-trip reader would give. Anything out of the ordinary -- an alias, a
tag, a duplicate key, a date and time, a number written in an unusual
way, nesting beyond the limit, any error -- makes this return None, and the
bounded round-trip reader of :mod:`paradeops.model.yamlsource` reads the
file instead, with its checks and its messages. Scalars are resolved by
ruamel's YAML 1.2 rules (PyYAML's own are YAML 1.1: ``10:00:00`` would be
a number there). Pure: takes text, returns values.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

# Tags the loader below gives what the text leaves untagged; any other tag
# was written in the text.
_PLAIN = "tag:paradeops,2025:plain"
_QUOTED = "tag:paradeops,2025:quoted"
_SEQ = "tag:paradeops,2025:seq"
_MAP = "tag:paradeops,2025:map"

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class _Bail(Exception):
    """Not an ordinary file: the round-trip reader must read it."""


@dataclass(frozen=True)
class Lines:
    """Where a list or mapping of the document is: its line, and each key's or item's.

    The lines ruamel's round-trip document records (the start of each key and
    each item, 0-based), with each key as the document wrote it.
    """

    line: int
    keys: dict[Any, tuple[int, Lines | None]] | None = None
    items: list[tuple[int, Lines | None]] | None = None


#: Larger texts go to the bounded round-trip reader: libyaml composes the whole
#: document in one call, which neither looks at the reader's deadline nor lets
#: the service's check-in threads in for long stretches (a 6 MB upload took
#: check-in p99 from 11 ms to 142 ms). A plan is a few kB.
FAST_MAX_CHARS = 256 * 1024


def plain_data(text: str, max_depth: int) -> tuple[Any, Lines | None] | None:
    """The data of ``text`` as the round-trip reader would give it, and its lines; or None."""
    loader_class = _loader_class()
    if loader_class is None or "\t" in text or len(text) > FAST_MAX_CHARS:
        # ruamel refuses some tabs libyaml takes as spaces.
        return None
    import yaml

    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        return _Builder(max_depth).value(root, 0)
    except (_Bail, yaml.YAMLError, ValueError, OverflowError, RecursionError):
        return None
    finally:
        loader.dispose()


@functools.cache
def _loader_class() -> Any | None:
    """PyYAML's C loader, tagging what the text leaves untagged; None without libyaml.

    libyaml refuses nesting beyond 1,000 levels itself, so its recursion is bounded.
    """
    try:
        import yaml

        base = yaml.CSafeLoader
    except (ImportError, AttributeError):
        return None

    class Loader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            if kind is yaml.ScalarNode:
                return _PLAIN if implicit[0] else _QUOTED
            return _SEQ if kind is yaml.SequenceNode else _MAP

    return Loader


class _Builder:
    """Nodes to dicts, lists and scalars, with their :class:`Lines`; :class:`_Bail` at
    anything unusual."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.seen: set[int] = set()

    def value(self, node: Any, depth: int) -> tuple[Any, Lines | None]:
        if id(node) in self.seen:
            raise _Bail  # an alias
        self.seen.add(id(node))
        tag = node.tag
        if tag == _MAP:
            return self._mapping(node, depth + 1)
        if tag == _SEQ:
            return self._sequence(node, depth + 1)
        if tag == _PLAIN:
            return _plain_scalar(node.value), None
        if tag == _QUOTED:
            return node.value, None
        raise _Bail  # an explicit tag

    def _mapping(self, node: Any, depth: int) -> tuple[dict[str, Any], Lines]:
        self._deep(depth)
        out: dict[str, Any] = {}
        keys: dict[Any, tuple[int, Lines | None]] = {}
        for key_node, value_node in node.value:
            if key_node.tag not in (_PLAIN, _QUOTED):
                raise _Bail  # a complex key
            key, _ = self.value(key_node, depth)
            name = str(key)
            if name in out or name == "<<":
                raise _Bail  # a duplicate (an error) or a merge
            out[name], lines = self.value(value_node, depth)
            keys[key] = (key_node.start_mark.line, lines)
        return out, Lines(node.start_mark.line, keys=keys)

    def _sequence(self, node: Any, depth: int) -> tuple[list[Any], Lines]:
        self._deep(depth)
        out: list[Any] = []
        items: list[tuple[int, Lines | None]] = []
        for item in node.value:
            data, lines = self.value(item, depth)
            out.append(data)
            items.append((item.start_mark.line, lines))
        return out, Lines(node.start_mark.line, items=items)

    def _deep(self, depth: int) -> None:
        if depth > self.max_depth:
            raise _Bail


def _plain_scalar(text: str) -> Any:
    """An unquoted scalar by ruamel's YAML 1.2 resolver, in its simple spellings only."""
    kind = _resolved_kind(text)
    if kind is None:
        return text
    if kind == "null":
        return None
    if kind == "bool":
        return text in ("true", "True", "TRUE")
    if kind == "int" and _INT.fullmatch(text):
        return int(text)
    if kind == "float" and _FLOAT.fullmatch(text):
        return float(text)
    if kind == "timestamp":
        date = _DATE.fullmatch(text)
        if date:
            try:
                return dt.date(*map(int, date.groups()))
            except ValueError:
                # ``2025-02-30``: the text, for the model to report with its field.
                return text
    raise _Bail


def _resolved_kind(text: str) -> str | None:
    """The kind ruamel's YAML 1.2 resolver gives a plain scalar (None: a string)."""
    for kind, pattern in _yaml12_kinds().get(text[:1], ()):
        if pattern.match(text):
            return kind
    return None


def _yaml12_kinds() -> dict[str, list[tuple[str, Any]]]:
    """:data:`YAML12_RESOLVERS` by first character, in their order."""
    return _KINDS


_PLAIN_PATTERNS = ("merge", "value", "yaml")

#: ruamel's YAML 1.2 implicit resolvers (``ruamel.yaml.resolver.implicit_resolvers``),
#: as (kind, first characters, pattern): written out, as importing ruamel takes
#: longer than reading a plan here. tests/cli/test_startup.py keeps them equal.
YAML12_RESOLVERS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = tuple(
    # ruamel compiles all but the last three verbose (re.X).
    (kind, tuple(firsts), re.compile(pattern, re.X if kind not in _PLAIN_PATTERNS else 0))
    for kind, firsts, pattern in [
        ("bool", "tTfF", r"^(?:true|True|TRUE|false|False|FALSE)$"),
        ("float", "-+0123456789.", r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$"""),
        ("int", "-+0123456789", r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$"""),
        ("merge", "<", r"^(?:<<)$"),
        ("null", ("~", "n", "N", ""), r"""^(?: ~
        |null|Null|NULL
        | )$"""),
        ("timestamp", "0123456789", r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"""),
        ("value", "=", r"^(?:=)$"),
        ("yaml", "!&*", r"^(?:!|&|\*)$"),
    ]
)  # fmt: skip

_KINDS: dict[str, list[tuple[str, Any]]] = {}
for _kind, _firsts, _pattern in YAML12_RESOLVERS:
    for _first in _firsts:
        _KINDS.setdefault(_first, []).append((_kind, _pattern))
