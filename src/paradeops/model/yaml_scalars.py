"""Scalars of the fast reader, valued as ruamel's round-trip reader values them.

ruamel resolves untagged scalars by the YAML 1.2 rules (PyYAML's own are
YAML 1.1: ``10:00:00`` would be a number there). Only the common spellings
are valued here; any other (``0x1F``, ``1_000``, ``.inf``, a date and time,
an unknown tag) raises :class:`Unusual` and the round-trip reader, which
knows them all, reads the file. Pure: text in, values out.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from paradeops.errors import UserError


class Unusual(Exception):
    """Out of the ordinary: the round-trip reader must read it.

    ``what`` says what (for the message when the file is too large for that
    reader), ``line`` is 0-based like the parsers' marks.
    """

    def __init__(self, what: str, line: int) -> None:
        super().__init__(what)
        self.what = what
        self.line = line


_STANDARD = "tag:yaml.org,2002:"
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")
_NULL = ("", "~", "null", "Null", "NULL")


def scalar(value: str, tag: str | None, plain: bool, line: int) -> Any:
    """The value of a scalar event (``plain``: libyaml's ``implicit[0]``)."""
    if tag is None or tag == "!":
        # "!" is the non-specific tag: resolved as if untagged (ruamel does the same).
        return _plain_scalar(value, line) if plain else value
    if tag.startswith(_STANDARD):
        return _tagged(tag[len(_STANDARD) :], value, line)
    raise Unusual(f"the tag {_short(tag)}", line)


def unreadable(value: Any, line: int) -> UserError:
    """A value Python cannot hold (an integer of 5,000 digits), on ``line`` (1-based)."""
    shown = _short(value) if isinstance(value, str) else "this value"
    return UserError(
        f"{shown} cannot be read as a value",
        line=line,
        hint="check the value; a number has at most a few dozen digits",
    )


def _tagged(kind: str, text: str, line: int) -> Any:
    """A scalar with a standard tag (``!!int "10"``), in its simple spellings."""
    if kind == "str":
        return text
    if kind == "int" and _INT.fullmatch(text):
        return int(text)
    if kind == "float" and _FLOAT.fullmatch(text):
        return float(text)
    if kind == "bool" and text in _TRUE + _FALSE:
        return text in _TRUE
    if kind == "null" and text in _NULL:
        return None
    raise Unusual(f"the tag {_short('!!' + kind)}", line)


def _plain_scalar(text: str, line: int) -> Any:
    """An unquoted scalar by ruamel's YAML 1.2 resolver, in its simple spellings only."""
    kind = _resolved_kind(text)
    if kind is None:
        return text
    if kind == "null":
        return None
    if kind == "bool":
        return text in _TRUE
    if kind == "int" and _INT.fullmatch(text):
        return int(text)
    if kind == "float" and _FLOAT.fullmatch(text):
        return float(text)
    if kind == "merge":
        raise Unusual("a merge key (<<)", line)
    if kind == "timestamp":
        date = _DATE.fullmatch(text)
        if date:
            try:
                return dt.date(*map(int, date.groups()))
            except ValueError:
                # ``2025-02-30``: the text, for the model to report with its field.
                return text
    raise Unusual(f"the value {_short(text)}", line)


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def _resolved_kind(text: str) -> str | None:
    """The kind ruamel's YAML 1.2 resolver gives a plain scalar (None: a string)."""
    for kind, pattern in _KINDS.get(text[:1], ()):
        if pattern.match(text):
            return kind
    return None


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
