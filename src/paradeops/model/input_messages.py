"""Validation errors in the project's own words.

pydantic describes a bad value in its own terms ("Input should be a valid
integer", "input tag 'tank' found using 'kind'", "string should match pattern
'^[A-Za-z0-9]…'"). Users of a plan, a guest book or a tribune file never see
those: every error kind that can reach them is reworded here, with a hint,
and the locations pydantic adds for unions (``units.0.foot.ranks``,
``equipment.str``) are dropped so that the field named is the one in the
file. Pure: error dictionaries in, plain text out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from paradeops.errors import UserError

Loc = tuple[str | int, ...]

#: Discriminator values pydantic puts into error locations; not user fields.
UNIT_KINDS = ("foot", "band", "mounted", "vehicles", "float", "aircraft")

#: What a field of a known pattern holds, in words (the pattern itself is jargon).
_PATTERNS = {
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$": "an identifier",
    r"^[A-Za-z0-9][\w.\-]*$": "an identifier",
}
_ID_HINT = "use letters, digits, '-', '_' or '.', starting with a letter or digit"

#: Error kinds that say only "this is not the right type" (merged across union branches).
_NOUNS = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (field: value)",
    "model_type": "a mapping (field: value)",
    "model_attributes_type": "a mapping (field: value)",
    "date_type": "a date",
    "datetime_type": "a date and time",
    "time_type": "a clock time",
    "none_required": "empty (null)",
}

#: pydantic's names for a union's branches (``str``, ``list[Band]``, ``Span``, …).
_BRANCH = re.compile(r"^(?:[A-Z]\w*|str|int|float|bool|none|dict|list)$|[\[\]]")


@dataclass(frozen=True)
class Translated:
    """One error as the user reads it: where (path in the file), what, and what to do."""

    loc: Loc  # pydantic's location, for finding the line
    path: Loc  # the same location, artefacts removed: the field in the file
    message: str
    hint: str | None


def translate(errors: Sequence[Mapping[str, Any]], root: Any) -> list[Translated]:
    """Every error worded for the user; union branches collapsed to one message.

    ``root`` is the document that was validated (or None): a step of a
    location that is not in it is a pydantic artefact, not a field.
    """
    items = []
    for err in errors:
        loc = _with_discriminator(err)
        path, branched_at = _real_path(loc, root)
        items.append((err, loc, path, branched_at))
    out: list[Translated] = []
    merged: set[Loc] = set()
    for err, loc, path, branched_at in items:
        if branched_at is None:
            out.append(Translated(loc, path, message(err), hint(err)))
            continue
        siblings = [i for i in items if i[3] == branched_at]
        if any(len(i[2]) > len(branched_at) for i in siblings):
            # The value matched one branch's shape (a list, a mapping): its
            # errors inside are the useful ones, the other branches' "not a
            # string" are noise.
            if len(path) > len(branched_at):
                out.append(Translated(loc, path, message(err), hint(err)))
            continue
        if branched_at in merged:
            continue
        merged.add(branched_at)
        out.append(_merged([i[0] for i in siblings], loc, path))
    return _misspellings(out)


def _misspellings(found: list[Translated]) -> list[Translated]:
    """An unknown field beside a missing one it resembles is one mistake, said once.

    ``rnaks: 10`` gives pydantic's "ranks missing" and "rnaks not allowed";
    the user needs "unknown field 'rnaks': did you mean 'ranks'?".
    """
    from difflib import get_close_matches  # only when a field is unknown

    missing = {t.path: t for t in found if t.message == MISSING}
    renamed: dict[Loc, Translated] = {}
    for t in found:
        if t.message != UNKNOWN or not t.path or not isinstance(t.path[-1], str):
            continue
        parent = t.path[:-1]
        names = [str(p[-1]) for p in missing if p[:-1] == parent and p not in renamed]
        close = get_close_matches(t.path[-1], names, n=1, cutoff=0.6)
        if close:
            renamed[(*parent, close[0])] = t
    if not renamed:
        return found
    out = []
    for t in found:
        if t.path in renamed:
            continue  # the missing field is the misspelt one
        if t in renamed.values():
            name = next(k[-1] for k, v in renamed.items() if v is t)
            t = Translated(t.loc, t.path, f"unknown field {t.path[-1]!r}",
                           f"did you mean {name!r}?")
        out.append(t)
    return out


def _merged(errors: list[Mapping[str, Any]], loc: Loc, path: Loc) -> Translated:
    nouns = [_NOUNS[e["type"]] for e in errors if e["type"] in _NOUNS]
    if len(nouns) != len(errors) or not nouns:
        first = errors[0]
        return Translated(loc, path, message(first), hint(first))
    unique = list(dict.fromkeys(nouns))
    wanted = ", ".join(unique[:-1]) + (" or " if len(unique) > 1 else "") + unique[-1]
    return Translated(
        loc, path, f"must be {wanted}, got {describe(errors[0].get('input'))}",
        "see docs/plan-format.md for what this field takes",
    )


def _with_discriminator(err: Mapping[str, Any]) -> Loc:
    """A tag error points at the tag field (``units[3].kind``), not at the whole item."""
    loc = tuple(err["loc"])
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return (*loc, _discriminator(err))
    return loc


def _discriminator(err: Mapping[str, Any]) -> str:
    return str((err.get("ctx") or {}).get("discriminator", "kind")).strip("'")


def _real_path(loc: Loc, root: Any) -> tuple[Loc, Loc | None]:
    """(The steps of ``loc`` that are in the document, where a union branched).

    The last step is kept even when absent: it is the missing field.
    """
    node = root
    path: list[str | int] = []
    branched_at: Loc | None = None
    for n, part in enumerate(loc):
        last = n == len(loc) - 1
        if _has(node, part):
            node = node[part]
            path.append(part)
        elif isinstance(part, str) and (part.startswith("function-") or part in UNIT_KINDS):
            continue  # a validator's wrapper or the chosen kind: not a field either
        elif _is_branch(part):
            if branched_at is None:
                branched_at = tuple(path)
        elif last or root is None:
            path.append(part)
            node = None
    return tuple(path), branched_at


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, Mapping):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _is_branch(part: str | int) -> bool:
    return isinstance(part, str) and bool(_BRANCH.search(part))


def describe(value: Any) -> str:
    """A value as the user wrote it, briefly."""
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, float) and value != value:
        return "not-a-number (.nan)"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return "a value of another kind"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _ctx(err: Mapping[str, Any], key: str) -> Any:
    return (err.get("ctx") or {}).get(key)


def _got(err: Mapping[str, Any]) -> str:
    return describe(err.get("input"))


def _type_message(noun: str) -> Callable[[Mapping[str, Any]], str]:
    def say(err: Mapping[str, Any]) -> str:
        got = err.get("input")
        if isinstance(got, bool) and noun != _NOUNS["bool_type"]:
            return f"must be {noun}, not {describe(got)} (a yes/no value is not a number)"
        return f"must be {noun}, got {describe(got)}"

    return say


def _pattern(err: Mapping[str, Any]) -> str:
    what = _PATTERNS.get(str(_ctx(err, "pattern")), "in the expected form")
    return f"{_written(err)} is not {what}"


def _literal(err: Mapping[str, Any]) -> str:
    return f"{_written(err)} is not allowed here; expected {_ctx(err, 'expected')}"


def _written(err: Mapping[str, Any]) -> str:
    """A short text input quoted as written (``'tnk'``), anything else described."""
    value = err.get("input")
    return repr(value) if isinstance(value, str) and len(value) <= 40 else _got(err)


def _tag_invalid(err: Mapping[str, Any]) -> str:
    return f"unknown {_discriminator(err)} {_ctx(err, 'tag')!r}"


def _date(err: Mapping[str, Any]) -> str:
    return f"{_written(err)} is not a date on the calendar"


def _own_words(err: Mapping[str, Any]) -> str:
    """Our validators' ValueErrors: already plain, without pydantic's prefix."""
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    msg = msg[:1].lower() + msg[1:]
    return msg.replace("input should be", "must be").replace("Input should be", "must be")


MISSING = "required field is missing"
UNKNOWN = "unknown field"

_MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda e: MISSING,
    "extra_forbidden": lambda e: UNKNOWN,
    "greater_than": lambda e: f"must be greater than {_number(_ctx(e, 'gt'))}, got {_got(e)}",
    "greater_than_equal": lambda e: f"must be {_number(_ctx(e, 'ge'))} or more, got {_got(e)}",
    "less_than": lambda e: f"must be less than {_number(_ctx(e, 'lt'))}, got {_got(e)}",
    "less_than_equal": lambda e: f"must be at most {_number(_ctx(e, 'le'))}, got {_got(e)}",
    "finite_number": lambda e: f"must be a finite number, got {_got(e)}",
    "int_parsing": _type_message(_NOUNS["int_type"]),
    "int_from_float": _type_message(_NOUNS["int_type"]),
    "int_parsing_size": lambda e: f"{_got(e)} is too large a number",
    "float_parsing": _type_message(_NOUNS["float_type"]),
    "bool_parsing": _type_message(_NOUNS["bool_type"]),
    "string_too_short": lambda e: "must not be empty"
    if _ctx(e, "min_length") == 1
    else f"must have at least {_ctx(e, 'min_length')} characters",
    "string_too_long": lambda e: f"is longer than {_ctx(e, 'max_length')} characters",
    "string_pattern_mismatch": _pattern,
    "too_short": lambda e: f"needs at least {_ctx(e, 'min_length')} "
    f"item{'s' if _ctx(e, 'min_length') != 1 else ''}, has {_ctx(e, 'actual_length')}",
    "too_long": lambda e: f"has more than {_ctx(e, 'max_length')} items",
    "literal_error": _literal,
    "enum": _literal,
    "union_tag_invalid": _tag_invalid,
    "union_tag_not_found": lambda e: f"no {_discriminator(e)} given",
    "date_parsing": _date,
    "date_from_datetime_parsing": _date,
    "date_from_datetime_inexact": lambda e: f"{_got(e)} has a time of day; give the date alone",
    "date_future": _date,
    "datetime_parsing": lambda e: f"{_got(e)} is not a date and time",
    "datetime_from_date_parsing": lambda e: f"{_got(e)} is not a date and time",
    "time_parsing": lambda e: f"{_got(e)} is not a clock time",
    "timezone_aware": lambda e: f"{_got(e)} has no UTC offset",
    "value_error": _own_words,
    "assertion_error": _own_words,
    **{kind: _type_message(noun) for kind, noun in _NOUNS.items()},
}

_HINTS: dict[str, str] = {
    "missing": "add this field; docs/plan-format.md (or `paradeops schema`) lists every field",
    "extra_forbidden": "remove it or fix its spelling; docs/plan-format.md lists the fields",
    "greater_than": "give a positive number",
    "less_than_equal": "check the value and its unit (the field name says it: _m, _s, _kmh)",
    "less_than": "check the value and its unit (the field name says it: _m, _s, _kmh)",
    "finite_number": "give an ordinary number",
    "int_type": "write a whole number such as 12, without quotes or a decimal point",
    "int_parsing": "write a whole number such as 12, without quotes or a decimal point",
    "int_from_float": "write a whole number such as 12, without a decimal point",
    "float_type": "write a number such as 4.5, without quotes",
    "float_parsing": "write a number such as 4.5, without quotes",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
    "string_pattern_mismatch": _ID_HINT,
    "list_type": "write one `- item` per line below the field, or [a, b]",
    "dict_type": "write `field: value` lines indented below it",
    "model_type": "write `field: value` lines indented below it",
    "date_type": "write the date as YYYY-MM-DD, e.g. 2025-05-09",
    "date_parsing": "write the date as YYYY-MM-DD, one that exists",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD, one that exists",
    "date_from_datetime_inexact": "write the date as YYYY-MM-DD",
    "datetime_type": "write e.g. 2025-05-07T12:00:00+03:00",
    "datetime_parsing": "write e.g. 2025-05-07T12:00:00+03:00",
    "time_type": 'write the time as "HH:MM:SS" in quotes',
    "time_parsing": 'write the time as "HH:MM:SS" in quotes',
    "timezone_aware": "add the offset, e.g. 2025-05-07T12:00+03:00",
    "string_type": "write text; quote it if it looks like a number or a date",
}


def message(err: Mapping[str, Any]) -> str:
    """The error in plain words; a kind not listed keeps pydantic's text, de-jargoned."""
    say = _MESSAGES.get(str(err["type"]), _own_words)
    return say(err)


def hint(err: Mapping[str, Any]) -> str | None:
    kind = str(err["type"])
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = _ctx(err, "expected_tags")
        if tags is None and _discriminator(err) == "kind":
            tags = ", ".join(repr(k) for k in UNIT_KINDS)
        return f"use one of the kinds listed: {tags}" if tags else None
    if kind in ("literal_error", "enum"):
        return None
    bound = _ctx(err, "le") if kind.startswith("less") else _ctx(err, "ge")
    if isinstance(bound, dt.date) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(bound)):
        return "give a date from 1900 to 2200, as YYYY-MM-DD (docs/plan-format.md)"
    return _HINTS.get(kind)


def field_path(loc: Sequence[str | int]) -> str:
    """``("units", 3, "count")`` as the user reads it: ``units[3].count``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def non_text_key(key: Any, line: int | None, field: str | None) -> UserError:
    """A key read as a number, a date, true or nothing: refused, not turned into text.

    ``1:`` would otherwise become the field ``"1"``, ``010:`` the field
    ``"8"`` and ``true:`` the field ``"True"``, and the message would name
    neither the line nor the key as the user wrote it.
    """
    return UserError(
        f"a key must be text, got {describe(key)}",
        line=line,
        field=field,
        hint="write the key as a name, in quotes if it looks like a number, a date, "
        "true or null ('1': ...)",
    )
