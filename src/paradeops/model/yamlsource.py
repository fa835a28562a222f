"""YAML text to plain data, keeping where every value came from.

ruamel.yaml's round-trip loader records the line of every key and item; the
:class:`Locator` walks a pydantic error location (``("units", 3, "count")``)
back to the line the user must edit. Pure: takes text, returns values.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from paradeops.errors import Problem, UserError, ValueAt
from paradeops.model.input_messages import field_path, non_text_key, translate
from paradeops.model.yaml_fast import Lines, plain_data
from paradeops.model.yaml_limits import DEFAULT_LIMITS, MAX_INPUT_BYTES, Budget, ReadLimits

__all__ = [
    "DEFAULT_LIMITS", "MAX_INPUT_BYTES", "Budget", "Locator", "ReadLimits", "check_size",
    "dump_json", "field_path", "load_round_trip", "parse_json", "parse_yaml", "problems_from",
    "validate",
]  # fmt: skip

M = TypeVar("M", bound=BaseModel)


class Locator:
    """Finds the 1-based line of a value inside a round-trip-loaded document."""

    def __init__(self, doc: Any, data: Any = None) -> None:
        self._doc = doc
        self._root = doc if data is None else data

    @property
    def root(self) -> Any:
        """The document as validated (plain data when given; None: no lines known)."""
        return self._root

    def line(self, loc: Sequence[str | int]) -> int | None:
        # ruamel (a tenth of a second to import) only once lines are asked for.
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        node = self._doc
        line: int | None = _own_line(node)
        for step in loc:
            key = _key_written(node, step) if isinstance(node, CommentedMap) else step
            if isinstance(node, CommentedMap) and key in node:
                pos = _key_position(node, key)
                line = pos[0] + 1 if pos else line
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
                pos = node.lc.item(key)
                line = pos[0] + 1 if pos else line
                node = node[key]
            # Otherwise the step is a pydantic artefact (a union tag, a validator
            # name) or a missing key: stay on the deepest node that exists.
        return line


def _key_written(node: Any, key: Any) -> Any:
    """The round-trip document's key for the data's ``key`` (``!!str k`` is a TaggedScalar)."""
    if key in node:
        return key
    return next((k for k in node if _text(k) == key), key)


class _FastLocator(Locator):
    """A :class:`Locator` on the lines the fast reader recorded (:mod:`~paradeops.model.yaml_fast`).

    Its :attr:`root`, the document the messages look into for which steps of
    a location are fields, is the data read: it has the round-trip
    document's keys and items, so a file with problems is not read again.
    """

    def __init__(self, lines: Lines | None, data: Any) -> None:
        super().__init__(None, data)
        self._lines = lines

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


def parse_yaml(text: str, file: str, limits: ReadLimits = DEFAULT_LIMITS) -> tuple[Any, Locator]:
    """Parse YAML (or JSON, a subset of it) into plain data and its locator.

    Every bound of ``limits`` is checked while the text is read, so a hostile
    document is refused after a bounded amount of work, with the line where
    it went too far. The fast reader reads it if it can; otherwise the
    round-trip reader does, within what is left of the same time.
    """
    check_size(len(text.encode("utf-8", "surrogatepass")), file, limits.max_bytes)
    check_characters(text, file)
    budget = Budget(limits)
    try:
        fast = plain_data(text, budget=budget)
    except UserError as e:
        raise e.with_file(file) from None
    if fast is not None:
        data, lines = fast
        return data, _FastLocator(lines, data)
    budget = Budget(limits, deadline=budget.deadline)
    doc = _load(text, file, budget)
    try:
        data = _plain(doc, budget)
        return data, Locator(doc, data)
    except UserError as e:
        raise e.with_file(file) from None


def check_characters(text: str, file: str) -> None:
    """Refuse a control character (a byte of a binary file, an escape code), located.

    YAML allows none but tab and line breaks; the readers would stop at it
    with no line to show.
    """
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return
    start = text.rfind("\n", 0, found.start()) + 1
    raise UserError(
        f"the file contains a control character (U+{ord(found.group()):04X}) "
        f"at column {found.start() - start + 1}",
        file=file,
        line=text.count("\n", 0, found.start()) + 1,
        hint="remove it (is this a text file?); inside double quotes it may be "
        'written as an escape such as "\\x07"',
    )


# What YAML does not allow in a text (ruamel's Reader.NON_PRINTABLE).
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


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


def _plain(node: Any, budget: Budget | None = None, loc: tuple[str | int, ...] = ()) -> Any:
    """Round-trip containers to dicts and lists; YAML timestamps stay dates.

    Expansion and depth were bounded while composing; the budget keeps the
    deadline. A key must be text (``1:`` or ``true:`` would become ``"1"`` or
    ``"True"``, silently): as the fast reader does, it is refused, located.
    """
    if budget is not None:
        budget.tick(None)
    if isinstance(node, Mapping):
        out = {}
        for k, v in node.items():
            key = _text(k)
            if not isinstance(key, str):
                raise non_text_key(key, _key_line(node, k), field_path(loc) or None)
            out[key] = _plain(v, budget, (*loc, key))
        return out
    if isinstance(node, (list, tuple)):
        return [_plain(v, budget, (*loc, i)) for i, v in enumerate(node)]
    if isinstance(node, dt.datetime | dt.date):
        return node
    if type(node).__name__ == "ScalarBoolean":  # an anchored true: an int subclass in ruamel
        return bool(node)
    if isinstance(node, bool | int | float | str) or node is None:
        # ruamel's ScalarFloat / ScalarString subclasses become builtins.
        for t in (bool, int, float, str):
            if isinstance(node, t):
                return t(node)
    return _text(node)


def _text(value: Any) -> Any:
    """``!!str 10`` as the text ``"10"`` (ruamel's round-trip keeps it a TaggedScalar)."""
    tag = getattr(value, "tag", None)
    if tag is not None and str(tag) == "tag:yaml.org,2002:str" and hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, str):
        return str(value)
    return value


def _key_line(node: Any, key: Any) -> int | None:
    pos = _key_position(node, key) if hasattr(node, "lc") else None
    return pos[0] + 1 if pos else _own_line(node)


def _key_position(node: Any, key: Any) -> Any:
    """ruamel's (line, column) of ``key``; None for a key merged in (``<<: *a``), which has none."""
    try:
        return node.lc.key(key)
    except KeyError:
        return None


#: Where the hints send the reader for a plan's fields.
PLAN_FIELDS_DOC = "docs/plan-format.md"


def validate(
    model: type[M], data: Any, locator: Locator, file: str, *, fields_doc: str = PLAN_FIELDS_DOC
) -> M:
    """Validate ``data`` against ``model``; every error becomes a located Problem.

    ``fields_doc``: the page that lists ``model``'s fields, named by the hints.
    """
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems = problems_from(e, locator, file)
        if fields_doc != PLAN_FIELDS_DOC:
            problems = [replace(p, hint=_sent_to(p.hint, fields_doc)) for p in problems]
        raise UserError(problems=problems) from None


def _sent_to(hint: str | None, doc: str) -> str | None:
    if hint is None:
        return None
    return hint.replace(f"{PLAN_FIELDS_DOC} (or `paradeops schema`)", doc).replace(
        PLAN_FIELDS_DOC, doc
    )


def problems_from(e: ValidationError, locator: Locator, file: str) -> list[Problem]:
    """Each error of ``e`` in plain words (:mod:`~paradeops.model.input_messages`), located."""
    return [
        Problem(
            t.message, file=file, line=locator.line(t.loc), field=field_path(t.path), hint=t.hint
        )
        for t in translate([_at_value(err) for err in e.errors(include_url=False)], locator.root)
    ]


def _at_value(err: Any) -> Any:
    """A model-wide check's error moved to the value it names (:class:`ValueAt`)."""
    raised = (err.get("ctx") or {}).get("error")
    if isinstance(raised, ValueAt):
        return {**err, "loc": (*err["loc"], *raised.loc)}
    return err


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
