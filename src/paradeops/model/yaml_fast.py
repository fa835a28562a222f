"""The plain data of a YAML file through libyaml (C), one event at a time, or None.

ruamel's round-trip reader, which keeps every line for the error messages,
is pure Python: it reads about 170 kB of plan a second. Most files are
ordinary, so they are first read here: libyaml (PyYAML's C parser, when
installed) gives the document's events one by one, and the data the
round-trip reader would give is built from them, with the line of every key
and item (:class:`Lines`).

Bounded as it reads, with the round-trip reader's limits and messages
(:class:`~paradeops.model.yaml_limits.Budget`): the text reaches libyaml in
chunks of 16 kB through :class:`_Chunks`, which looks at the reading
thread's CPU time before each, so comments or blank megabytes cannot run
past the deadline, and each chunk is a point where the service's other
threads get the interpreter (no C call parses more than a chunk's worth).
Nesting, aliases and their expansion are counted event by event.

Anything out of the ordinary (:class:`~paradeops.model.yaml_scalars.Unusual`:
a merge key, a key that is a list, an unknown tag, a number written in a
rare way, a tab) and every error make this return None for a text the
round-trip reader reads within the time limit, so that it reads the file
with its messages; a larger text is refused here, located, at once (the
round-trip reader would only run out of time on it). Pure: takes text,
returns values.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Any

from paradeops.errors import UserError
from paradeops.model.input_messages import field_path, non_text_key
from paradeops.model.yaml_limits import (
    DEFAULT_LIMITS,
    Budget,
    ReadLimits,
    cpu_seconds,
    refuse_cycle,
)
from paradeops.model.yaml_scalars import YAML12_RESOLVERS, Unusual, scalar, unreadable

__all__ = ["YAML12_RESOLVERS", "Lines", "plain_data", "round_trip_chars"]


@dataclass(frozen=True)
class Lines:
    """Where a list or mapping of the document is: its line, and each key's or item's.

    The lines ruamel's round-trip document records (the start of each key and
    each item, 0-based; an alias's is its anchor's), with each key as written.
    """

    line: int
    keys: dict[Any, tuple[int, Lines | None]] | None = None
    items: list[tuple[int, Lines | None]] | None = None


#: Characters of plan the round-trip reader reads per second of its time
#: limit, with a margin (it reads about 170 kB/s): a larger text out of the
#: ordinary would only run out of time there, so it is refused at once.
ROUND_TRIP_CHARS_PER_S = 100_000


def round_trip_chars(limits: ReadLimits) -> int:
    """The largest text handed to the round-trip reader within ``limits``."""
    return int(limits.max_seconds * ROUND_TRIP_CHARS_PER_S)


def plain_data(
    text: str, max_depth: int | None = None, *, budget: Budget | None = None
) -> tuple[Any, Lines | None] | None:
    """The data of ``text`` as the round-trip reader would give it, and its lines; or None.

    None: the round-trip reader must read it. Raises UserError (without a
    file) for a text too large for that reader that is refused or unusual.
    """
    if _parser_class() is None:
        return None
    if budget is None:
        depth = DEFAULT_LIMITS.max_depth if max_depth is None else max_depth
        budget = Budget(dataclasses.replace(DEFAULT_LIMITS, max_depth=depth))
    small = len(text) <= round_trip_chars(budget.limits)
    if small and _DIFFERENT.search(text):
        return None
    try:
        return _read(text, budget)
    except UserError:
        if small:
            return None  # the round-trip reader refuses it too, in its words
        raise
    except Unusual as e:
        if small:
            return None
        raise _too_large(e, len(text), budget.limits) from None
    except _YAMLError as e:
        if small:
            return None
        raise _not_yaml(e) from None
    except UnicodeError:
        return None  # a lone surrogate: the round-trip reader words it


#: Characters the two readers take differently: ruamel refuses some tabs libyaml
#: takes as spaces, and libyaml counts NEL, LS and PS as line breaks where ruamel
#: does not always (the lines after them would differ).
_DIFFERENT = re.compile("[\t\x85\u2028\u2029]")


class _YAMLError(Exception):
    """Stands for ``yaml.YAMLError`` until PyYAML is imported."""


def _read(text: str, budget: Budget) -> tuple[Any, Lines | None]:
    import yaml

    make = _parser_class()
    if make is None:
        raise Unusual("text without libyaml", 0)
    parser = make(_Chunks(text.encode("utf-8"), budget))
    try:
        return _Composer(budget).document(parser)
    except yaml.MarkedYAMLError as e:
        raise _MarkedError(e) from None
    except yaml.YAMLError:
        raise Unusual("text the reader cannot take", 0) from None
    finally:
        parser.dispose()


class _MarkedError(_YAMLError):
    def __init__(self, e: Any) -> None:
        super().__init__(str(e))
        mark = e.problem_mark or e.context_mark
        self.line = None if mark is None else mark.line + 1
        self.what = (e.problem or e.context or "malformed YAML").strip()


def _not_yaml(e: _YAMLError) -> UserError:
    line = getattr(e, "line", None)
    what = getattr(e, "what", "malformed YAML")
    return UserError(
        f"not valid YAML: {what}",
        line=line,
        hint="check indentation, colons and quotes on this line or the one before",
    )


def _too_large(e: Unusual, size: int, limits: ReadLimits) -> UserError:
    return UserError(
        f"{e.what} is read only in files up to {round_trip_chars(limits) // 1000:,} kB "
        f"(this one has {size // 1000:,} kB)",
        line=e.line + 1,
        hint="write it plainly (keys as text, values without tags, no merge keys <<), "
        "or split the file",
    )


@functools.cache
def _parser_class() -> Any | None:
    """libyaml's parser (PyYAML's ``CParser``); None without libyaml."""
    try:
        from yaml._yaml import CParser
    except ImportError:
        return None
    return CParser


class _Chunks:
    """The text for libyaml, 16 kB at a time (its read handler), the clock read for each.

    libyaml calls :meth:`read` whenever it needs more text, so a chunk is
    the most it parses in one C call: comments or blank lines cannot hold
    the interpreter or run past the deadline for longer than that.
    """

    def __init__(self, data: bytes, budget: Budget) -> None:
        self.data = data
        self.pos = 0
        self.budget = budget

    def read(self, size: int) -> bytes:
        if cpu_seconds() > self.budget.deadline:
            self.budget.check_time(self.data.count(b"\n", 0, self.pos) + 1)
        chunk = self.data[self.pos : self.pos + size]
        self.pos += len(chunk)
        return chunk


class _Open:
    """An anchor whose list or mapping is still being read (an alias to it is a cycle)."""

    def __init__(self, line: int) -> None:
        self.line = line


_NO_KEY = object()


class _Frame:
    """A list or mapping being read: its data, lines, expanded size and height so far."""

    __slots__ = ("anchor", "data", "height", "key", "key_line", "line", "size", "spots")

    def __init__(self, mapping: bool, line: int, anchor: str | None) -> None:
        self.data: Any = {} if mapping else []
        self.spots: Any = {} if mapping else []
        self.line = line
        self.anchor = anchor
        self.key: Any = _NO_KEY if mapping else None
        self.key_line = 0
        self.size = 1
        self.height = 0

    def step(self) -> str | int:
        """The key or index of the value being read inside this one."""
        return self.key if isinstance(self.data, dict) else len(self.data)


# A value read: (data, lines, 0-based line, expanded size, height).
_Value = tuple[Any, "Lines | None", int, int, int]


class _Composer:
    """Events to dicts, lists and scalars with their :class:`Lines`, within the budget."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Value | _Open] = {}
        self.root: _Value | None = None
        self.documents = 0
        self.distinct = 0  # values the text writes out (an alias is not one)
        self.aliased = False  # an alias was read: sizes may exceed the text
        self.shared = False  # a list or mapping is in the data more than once

    def document(self, parser: Any) -> tuple[Any, Lines | None]:
        import yaml

        handlers = {
            yaml.ScalarEvent: self._scalar,
            yaml.MappingStartEvent: self._mapping,
            yaml.SequenceStartEvent: self._sequence,
            yaml.MappingEndEvent: self._end,
            yaml.SequenceEndEvent: self._end,
            yaml.AliasEvent: self._alias,
            yaml.DocumentStartEvent: self._document_start,
        }
        while True:
            event = parser.get_event()
            handle = handlers.get(type(event))
            if handle is not None:
                handle(event)
            elif isinstance(event, yaml.StreamEndEvent):
                break
        if self.root is None or self.root[0] is None:
            raise UserError("the file is empty", hint="see `paradeops schema`")
        data, lines = self.root[0], self.root[1]
        return (_copy(data) if self.shared else data), lines

    def _document_start(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            raise Unusual("a second document (---)", event.start_mark.line)
        if event.version is not None or event.tags:
            raise Unusual("a %YAML or %TAG directive", event.start_mark.line)

    def _scalar(self, event: Any) -> None:
        line = event.start_mark.line
        try:
            value = scalar(event.value, event.tag, event.implicit[0], line)
        except (ValueError, OverflowError):
            raise unreadable(event.value, line + 1) from None
        self.distinct += 1
        self._anchor(event.anchor, (value, None, line, 1, 0), line)
        self._add(value, None, line, 1, 0)

    def _mapping(self, event: Any) -> None:
        self._start(event, mapping=True, own="tag:yaml.org,2002:map")

    def _sequence(self, event: Any) -> None:
        self._start(event, mapping=False, own="tag:yaml.org,2002:seq")

    def _start(self, event: Any, *, mapping: bool, own: str) -> None:
        line = event.start_mark.line
        if event.tag not in (None, "!", own):
            raise Unusual(f"the tag {event.tag!r}", line)
        self.budget.depth(len(self.stack) + 1, line + 1)
        self._anchor(event.anchor, _Open(line), line)
        self.stack.append(_Frame(mapping, line, event.anchor))

    def _end(self, event: Any) -> None:
        frame = self.stack.pop()
        self.distinct += 1
        if self.aliased:
            self.budget.depth(frame.height, frame.line + 1)
            self.budget.expanded(frame.size, self.distinct, frame.line + 1)
        if isinstance(frame.data, dict):
            lines = Lines(frame.line, keys=frame.spots)
        else:
            lines = Lines(frame.line, items=frame.spots)
        value = (frame.data, lines, frame.line, frame.size, frame.height)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = value
        self._add(*value)

    def _alias(self, event: Any) -> None:
        line = event.start_mark.line
        self.budget.alias(line + 1)
        named = self.anchors.get(event.anchor)
        if named is None:
            raise Unusual(f"the alias *{event.anchor} without its anchor", line)
        if isinstance(named, _Open):
            refuse_cycle(named.line + 1)
            return
        self.aliased = True
        self.shared = self.shared or named[1] is not None
        self._add(*named)

    def _anchor(self, name: str | None, value: _Value | _Open, line: int) -> None:
        if name is None:
            return
        if name in self.anchors:
            raise Unusual(f"the anchor &{name} defined again", line)
        self.anchors[name] = value

    def _add(self, data: Any, lines: Lines | None, line: int, size: int, height: int) -> None:
        """``data`` into the list or mapping being read (as a key if one is due)."""
        if not self.stack:
            self.root = (data, lines, line, size, height)
            return
        frame = self.stack[-1]
        frame.size += size
        if height >= frame.height:
            frame.height = height + 1
        if frame.key is None:
            frame.data.append(data)
            frame.spots.append((line, lines))
        elif frame.key is _NO_KEY:
            self._key(frame, data, lines, line)
        else:
            frame.data[frame.key] = data
            frame.spots[frame.key] = (frame.key_line, lines)
            frame.key = _NO_KEY

    def _key(self, frame: _Frame, key: Any, lines: Lines | None, line: int) -> None:
        if type(key) is not str:
            where = tuple(f.step() for f in self.stack[:-1])
            inside_key = any(step is _NO_KEY for step in where)  # ``? {1: x}: y``
            raise non_text_key(key, line + 1, None if inside_key else field_path(where) or None)
        if key in frame.data:
            first = frame.spots[key][0] + 1
            raise UserError(
                f"duplicate key {key!r}",
                line=line + 1,
                hint=f"a mapping names each key once; the first {key!r} is on line {first}",
            )
        frame.key = key
        frame.key_line = line


def _copy(data: Any) -> Any:
    """``data`` with every list and mapping its own (aliases made copies, as ruamel's are)."""
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data
