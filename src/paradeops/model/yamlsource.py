"""YAML text to plain data, keeping where every value came from.

ruamel.yaml's round-trip loader records the line of every key and item; the
:class:`Locator` walks a pydantic error location (``("units", 3, "count")``)
back to the line the user must edit. Pure: takes text, returns values.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from paradeops.errors import Problem, UserError

M = TypeVar("M", bound=BaseModel)

#: Input files are hand-written; anything larger is almost surely the wrong file.
MAX_INPUT_BYTES = 5 * 1024 * 1024


class Locator:
    """Finds the 1-based line of a value inside a round-trip-loaded document."""

    def __init__(self, root: Any) -> None:
        self.root = root

    def line(self, loc: Sequence[str | int]) -> int | None:
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


def _own_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    return None if lc is None or lc.line is None else int(lc.line) + 1


def check_size(size: int, file: str) -> None:
    if size > MAX_INPUT_BYTES:
        raise UserError(
            f"file is {size / 1e6:.1f} MB; input files are limited to "
            f"{MAX_INPUT_BYTES / 1e6:.0f} MB",
            file=file,
            hint="check that this is the right file (a plan or guest list is a few kB)",
        )


def parse_yaml(text: str, file: str) -> tuple[Any, Locator]:
    """Parse YAML (or JSON, a subset of it) into plain data and its locator."""
    check_size(len(text.encode("utf-8", "surrogatepass")), file)
    yaml = YAML(typ="rt")
    try:
        doc = yaml.load(text)
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
    return _plain(doc), Locator(doc)


def _plain(node: Any) -> Any:
    """Round-trip containers to dicts and lists; YAML timestamps stay dates."""
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(v) for v in node]
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
    problems = []
    for err in e.errors(include_url=False):
        loc = tuple(err["loc"])
        problems.append(
            Problem(
                _message(err),
                file=file,
                line=locator.line(loc),
                field=field_path(loc),
                hint=_hint(err),
            )
        )
    return problems


def field_path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("function-") or part in _UNION_TAGS:
            continue
        else:
            out += f".{part}" if out else part
    return out


# Discriminator values pydantic puts into error locations; not user fields.
_UNION_TAGS = {"foot", "band", "mounted", "vehicles", "float", "aircraft"}


def _message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[:1].lower() + msg[1:]


def _hint(err: Mapping[str, Any]) -> str | None:
    kind = err["type"]
    if kind == "missing":
        return "add this field; `paradeops schema` lists every field"
    if kind == "extra_forbidden":
        return "remove it or fix its spelling; `paradeops schema` lists the allowed fields"
    if kind.startswith("greater_than"):
        return "give a positive number"
    if kind == "union_tag_invalid":
        return "use one of the kinds listed"
    return None


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
