"""YAML text to plain data, keeping where every value came from.

ruamel.yaml's round-trip loader records the line of every key and item; the
:class:`Locator` walks a pydantic error location (``("units", 3, "count")``)
back to the line the user must edit. Pure: takes text, returns values.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from paradeops.errors import Problem, UserError, ValueAt
from paradeops.model.input_messages import translate
from paradeops.model.yaml_fast import Lines, plain_data

if TYPE_CHECKING:
    from ruamel.yaml.nodes import Node

M = TypeVar("M", bound=BaseModel)

#: Input files are hand-written; anything larger is almost surely the wrong file.
#: The service's default upload limit (``serve --max-upload-mb``) is the same.
MAX_INPUT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """How much a document may ask of the reader before it is refused.

    A plan is a few hundred lines a few levels deep; these bounds are far
    beyond that, and far below what would stall the service or the machine.
    """

    #: Size of the text [bytes].
    max_bytes: int = MAX_INPUT_BYTES
    #: Nesting of lists and mappings, aliases expanded.
    max_depth: int = 100
    #: ``*name`` references in one document.
    max_aliases: int = 10_000
    #: Values after aliases are expanded: this many, or twice as many as the
    #: text writes out, whichever is larger (so no alias-free file is refused).
    max_expanded: int = 100_000
    #: Wall-clock time to read the document [s].
    max_seconds: float = 10.0


DEFAULT_LIMITS = ReadLimits()


class Locator:
    """Finds the 1-based line of a value inside a round-trip-loaded document."""

    def __init__(self, root: Any) -> None:
        self._root = root

    @property
    def root(self) -> Any:
        """The round-trip document (None: no lines known)."""
        return self._root

    def line(self, loc: Sequence[str | int]) -> int | None:
        # ruamel (a tenth of a second to import) only once lines are asked for.
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        node = self.root
        line: int | None = _own_line(node)
        for key in loc:
            if isinstance(node, CommentedMap) and key in node:
                pos = node.lc.key(key)
                line = pos[0] + 1 if pos else line
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
                pos = node.lc.item(key)
                line = pos[0] + 1 if pos else line
                node = node[key]
            # Otherwise the step is a pydantic artefact (a union tag, a validator
            # name) or a missing key: stay on the deepest node that exists.
        return line


class _FastLocator(Locator):
    """A :class:`Locator` on the lines the fast reader recorded (:mod:`~paradeops.model.yaml_fast`).

    Its :attr:`root`, the round-trip document the messages look into, is read
    only when first asked for: only a file with problems needs it.
    """

    def __init__(self, lines: Lines | None, text: str, file: str, limits: ReadLimits) -> None:
        super().__init__(None)
        self._lines = lines
        self._source = (text, file, limits)
        self._loaded = False

    @property
    def root(self) -> Any:
        if not self._loaded:
            text, file, limits = self._source
            self._root, self._loaded = _load(text, file, Budget(limits)), True
        return self._root

    def line(self, loc: Sequence[str | int]) -> int | None:
        # The walk of Locator.line, on the recorded lines.
        node = self._lines
        line = None if node is None else node.line + 1
        for key in loc:
            if node is None:
                break
            if node.keys is not None and key in node.keys:
                at, node = node.keys[key]
                line = at + 1
            elif node.items is not None and isinstance(key, int) and 0 <= key < len(node.items):
                at, node = node.items[key]
                line = at + 1
        return line


def _own_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    return None if lc is None or lc.line is None else int(lc.line) + 1


def check_size(size: int, file: str, limit: int = MAX_INPUT_BYTES) -> None:
    if size > limit:
        raise UserError(
            f"file is {size / _MB:.1f} MB; input files are limited to {limit / _MB:.0f} MB",
            file=file,
            hint="check that this is the right file (a plan or guest list is a few kB)",
        )


_MB = 1024 * 1024


def parse_yaml(
    text: str, file: str, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[Any, Locator]:
    """Parse YAML (or JSON, a subset of it) into plain data and its locator.

    Every bound of ``limits`` is checked while the text is read, so a hostile
    document is refused after a bounded amount of work, with the line where
    it went too far.
    """
    check_size(len(text.encode("utf-8", "surrogatepass")), file, limits.max_bytes)
    fast = plain_data(text, limits.max_depth)
    if fast is not None:
        data, lines = fast
        return data, _FastLocator(lines, text, file, limits)
    budget = Budget(limits)
    doc = _load(text, file, budget)
    try:
        return _plain(doc, budget), Locator(doc)
    except UserError as e:
        raise e.with_file(file) from None


def load_round_trip(text: str, file: str, limits: ReadLimits = DEFAULT_LIMITS) -> Any:
    """The ruamel round-trip document (comments and quotes kept), read within ``limits``."""
    return _load(text, file, Budget(limits), preserve_quotes=True)


def _load(text: str, file: str, budget: Budget, *, preserve_quotes: bool = False) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from paradeops.model.yaml_bounded import BoundedYAML

    check_size(len(text.encode("utf-8", "surrogatepass")), file, budget.limits.max_bytes)
    try:
        yaml = BoundedYAML(budget)
        yaml.preserve_quotes = preserve_quotes
        doc = yaml.load(text)
    except UserError as e:
        raise e.with_file(file) from None
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        what = (e.problem or e.context or "malformed YAML").strip()
        raise UserError(
            f"not valid YAML: {what}",
            file=file,
            line=line,
            hint="check indentation, colons and quotes on this line or the one before",
        ) from None
    except YAMLError as e:
        raise UserError(f"not valid YAML: {e}", file=file) from None
    if doc is None:
        raise UserError("the file is empty", file=file, hint="see `paradeops schema`")
    return doc


class Budget:
    """What the document being read has used of its limits so far."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.aliases = 0
        self.ticks = 0

    def tick(self, line: int | None) -> None:
        """Called for every value read; looks at the clock now and then."""
        self.ticks += 1
        if self.ticks % 256 == 0 and time.monotonic() > self.deadline:
            raise UserError(
                f"reading the file took longer than {self.limits.max_seconds:g} s",
                line=line,
                hint="a plan or guest list reads in well under a second; "
                "check that this is the right file",
            )

    def alias(self, line: int) -> None:
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            raise UserError(
                f"more than {self.limits.max_aliases:,} aliases (*name)",
                line=line,
                hint="write the values out; a plan needs only a few aliases",
            )

    def depth(self, depth: int, line: int) -> None:
        if depth > self.limits.max_depth:
            raise UserError(
                f"lists and mappings are nested more than {self.limits.max_depth} deep",
                line=line,
                hint="check the brackets and indentation; a plan is nested a few levels deep",
            )

    def expansion(self, root: Node) -> None:
        """Refuse a document whose aliases expand beyond the limit, before it is built.

        Aliases are shared references until the data is copied into plain
        dicts and lists; there ``n`` nested levels of ``k`` aliases become
        ``k**n`` values. Each node's expanded size is computed once (a walk
        of the node graph without recursion), so this costs one pass.
        """
        sizes: dict[int, int] = {}
        depths: dict[int, int] = {}
        entered: set[int] = set()
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, kids_done = stack.pop()
            key = id(node)
            kids = _children(node)
            if not kids_done:
                if key in sizes:
                    continue
                entered.add(key)
                stack.append((node, True))
                for kid in kids:
                    if id(kid) in entered and id(kid) not in sizes:
                        _refuse_cycle(kid)
                    if id(kid) not in sizes:
                        stack.append((kid, False))
                continue
            sizes[key] = 1 + sum(sizes[id(k)] for k in kids)
            depths[key] = 1 + max(depths[id(k)] for k in kids) if kids else 0
            line = node.start_mark.line + 1
            self.depth(depths[key], line)
            limit = max(self.limits.max_expanded, 2 * len(sizes))
            if sizes[key] > limit:
                raise UserError(
                    f"aliases expand to more than {limit:,} values",
                    line=line,
                    hint="write the repeated part out, or use fewer levels of aliases "
                    "(&name and *name)",
                )
            self.tick(line)


def _refuse_cycle(node: Node) -> None:
    raise UserError(
        "an alias refers to a value that contains it",
        line=node.start_mark.line + 1,
        hint="an alias (*name) must refer to a value defined before it, not around it",
    )


def _children(node: Node) -> list[Node]:
    kind = getattr(node, "id", None)  # "scalar", "sequence" or "mapping" (ruamel)
    if kind == "sequence":
        return list(node.value)
    if kind == "mapping":
        return [part for pair in node.value for part in pair]
    return []


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


def parse_json(text: str, file: str, limits: ReadLimits = DEFAULT_LIMITS) -> Any:
    """A JSON document (such as GeoJSON) with its size and nesting bounded.

    The nesting is measured before :func:`json.loads` runs, which would
    otherwise recurse once per level.
    """
    check_size(len(text.encode("utf-8", "surrogatepass")), file, limits.max_bytes)
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        if token.group() in ("[", "{"):
            depth += 1
            if depth > limits.max_depth:
                raise UserError(
                    f"lists and objects are nested more than {limits.max_depth} deep",
                    file=file,
                    line=text.count("\n", 0, token.start()) + 1,
                    hint="check the brackets; a GeoJSON route is nested a few levels deep",
                )
        elif token.group() in ("]", "}"):
            depth -= 1
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise UserError(f"not valid JSON: {e.msg}", file=file, line=e.lineno) from None
    except (ValueError, RecursionError) as e:  # an integer of 5,000 digits, say
        raise UserError(f"not valid JSON: {_short(str(e))}", file=file) from None


# Strings (skipped whole, so brackets inside them do not count) and brackets.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _plain(node: Any, budget: Budget | None = None) -> Any:
    """Round-trip containers to dicts and lists; YAML timestamps stay dates.

    Expansion and depth were bounded while composing; the budget keeps the
    deadline.
    """
    if budget is not None:
        budget.tick(None)
    if isinstance(node, Mapping):
        return {str(k): _plain(v, budget) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(v, budget) for v in node]
    if isinstance(node, dt.datetime | dt.date):
        return node
    if isinstance(node, bool | int | float | str) or node is None:
        # ruamel's ScalarFloat / ScalarString subclasses become builtins.
        for t in (bool, int, float, str):
            if isinstance(node, t):
                return t(node)
    return node


def validate(model: type[M], data: Any, locator: Locator, file: str) -> M:
    """Validate ``data`` against ``model``; every error becomes a located Problem."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise UserError(problems=problems_from(e, locator, file)) from None


def problems_from(e: ValidationError, locator: Locator, file: str) -> list[Problem]:
    """Each error of ``e`` in plain words (:mod:`~paradeops.model.input_messages`), located."""
    return [
        Problem(t.message, file=file, line=locator.line(t.loc), field=field_path(t.path),
                hint=t.hint)
        for t in translate([_at_value(err) for err in e.errors(include_url=False)], locator.root)
    ]


def _at_value(err: Any) -> Any:
    """A model-wide check's error moved to the value it names (:class:`ValueAt`)."""
    raised = (err.get("ctx") or {}).get("error")
    if isinstance(raised, ValueAt):
        return {**err, "loc": (*err["loc"], *raised.loc)}
    return err


def field_path(loc: Sequence[str | int]) -> str:
    """``("units", 3, "count")`` as the user reads it: ``units[3].count``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
