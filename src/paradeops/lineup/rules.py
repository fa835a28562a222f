"""The rules file of ``paradeops lineup`` (docs/lineup.md): its models and its checks.

``fixed`` and ``keep_order`` name unit ids; the other rules name tags
(``tags:`` of the plan's units). Every problem of a file is reported at
once, located at its line, as the plan's are. Pure: takes text and a plan.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, Strict

from paradeops.errors import Problem, UserError
from paradeops.model.clock import instant, seconds_between
from paradeops.model.plan import AircraftUnit, Clock, FormatVersion, Id, Plan, Tag
from paradeops.model.yamlsource import parse_yaml, validate
from paradeops.timing.engine import reference_time

#: The most rules of one kind, and units of one list: far beyond any parade's rules.
MAX_RULES = 1_000
#: The largest distance a rule may ask for, in units.
MAX_DISTANCE_UNITS = 10_000

Distance = Annotated[int, Strict(), Field(ge=1, le=MAX_DISTANCE_UNITS)]
Weight = Annotated[float, Strict(), Field(ge=0, le=1e6, allow_inf_nan=False)]
Tags = Annotated[list[Tag], Field(min_length=1, max_length=64)]
ObjectiveName = Literal["held_time", "duration", "gaps"]
#: What is minimised when the rules file says nothing: lexicographic.
DEFAULT_OBJECTIVE: tuple[ObjectiveName, ...] = ("held_time", "duration", "gaps")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Fixed(_Strict):
    first: list[Id] = Field(
        default_factory=list,
        max_length=MAX_RULES,
        description="These units open the parade, in this order",
    )
    last: list[Id] = Field(default_factory=list, max_length=MAX_RULES,
                           description="These units close the parade, in this order")  # fmt: skip


class Apart(_Strict):
    tags: Tags = Field(description="Units carrying any of these tags")
    min_units: Distance = Field(description="At least this many units between any two of them")


class NotBehind(_Strict):
    tags: Tags = Field(description="Units carrying any of these tags ...")
    behind: Tags = Field(description="... are not behind units carrying any of these ...")
    within_units: Distance = Field(description="... at 1 to this many places back")


class Window(_Strict):
    tags: Tags = Field(description="Units carrying any of these tags")
    at: Id = Field(description="Checkpoint id")
    head_between: tuple[Clock, Clock] = Field(description="Their heads pass `at` in this window")


class Rules(_Strict):
    """A whole rules file."""

    version: FormatVersion
    fixed: Fixed = Field(default_factory=Fixed)
    keep_order: list[Annotated[list[Id], Field(min_length=2, max_length=MAX_RULES)]] = Field(
        default_factory=list, max_length=MAX_RULES
    )
    apart: list[Apart] = Field(default_factory=list, max_length=MAX_RULES)
    not_behind: list[NotBehind] = Field(default_factory=list, max_length=MAX_RULES)
    window: list[Window] = Field(default_factory=list, max_length=MAX_RULES)
    objective: (
        Annotated[list[ObjectiveName], Field(min_length=1, max_length=3)]
        | Annotated[dict[ObjectiveName, Weight], Field(min_length=1)]
    ) = Field(default_factory=lambda: list(DEFAULT_OBJECTIVE))

    # Set by parse_rules: the line of a rule, for messages found later (a conflict).
    _locate: Callable[[tuple[str | int, ...]], int | None] | None = PrivateAttr(None)

    def line_of(self, rule: str) -> int | None:
        """The line of a rule named as the report names it (``apart[0]``, ``fixed.first``)."""
        if self._locate is None:
            return None
        return self._locate(rule_location(rule))


def rule_location(rule: str) -> tuple[str | int, ...]:
    """``apart[0]`` → ``("apart", 0)``; ``fixed.first`` → ``("fixed", "first")``."""
    name, _, index = rule.partition("[")
    loc: list[str | int] = [*name.split(".")]
    if index:
        loc.append(int(index.rstrip("]")))
    return tuple(loc)


def parse_rules(text: str, file: str, plan: Plan) -> Rules:
    """The rules of ``text``, checked against ``plan``; every problem at once, located."""
    data, locator = parse_yaml(text, file)
    rules = validate(Rules, data, locator, file, fields_doc="docs/lineup.md")
    problems = [
        Problem(message, file=file, line=locator.line(loc), field=_path(loc), hint=hint)
        for loc, message, hint in rules_issues(rules, plan)
    ]
    if problems:
        raise UserError(problems=problems)
    rules._locate = locator.line
    return rules


Issue = tuple[tuple[str | int, ...], str, str]


def rules_issues(rules: Rules, plan: Plan) -> list[Issue]:
    """What in ``rules`` does not fit ``plan``: (location, message, hint) each."""
    issues = _unit_issues(rules, plan)
    carried = {t for u in plan.units if not isinstance(u, AircraftUnit) for t in u.tags}
    for kind in ("apart", "not_behind", "window"):
        for i, rule in enumerate(getattr(rules, kind)):
            for field in ("tags", "behind"):
                for j, tag in enumerate(getattr(rule, field, [])):
                    if tag not in carried:
                        issues.append(((kind, i, field, j), f"no unit of the plan carries tag "
                                       f"{tag!r}", _close(tag, carried, "tag")))  # fmt: skip
    checkpoints = {c.id for c in plan.route.checkpoints}
    for i, w in enumerate(rules.window):
        if w.at not in checkpoints:
            issues.append((("window", i, "at"), f"no checkpoint {w.at!r} in the plan",
                           _close(w.at, checkpoints, "checkpoint id")))  # fmt: skip
        lo, hi = window_seconds(plan, w)
        if hi <= lo:
            issues.append((("window", i, "head_between"), "the window ends before it begins",
                           'write the earlier time first, e.g. ["13:30", "14:30"]'))  # fmt: skip
    if isinstance(rules.objective, list) and len(set(rules.objective)) < len(rules.objective):
        issues.append((("objective",), "a term is named twice", "name each term once"))
    return issues


def window_seconds(plan: Plan, window: Window) -> tuple[float, float]:
    """The window's bounds in seconds from the parade's start (through UTC)."""
    zone = ZoneInfo(plan.parade.timezone)
    start = reference_time(plan)
    lo, hi = (
        seconds_between(start, instant(c, plan.parade.date, zone, "window.head_between"))
        for c in window.head_between
    )
    return lo, hi


def _unit_issues(rules: Rules, plan: Plan) -> list[Issue]:
    """Unit ids of ``fixed`` and ``keep_order``: known, on the road, not fixed twice."""
    kinds = {u.id: isinstance(u, AircraftUnit) for u in plan.units}
    issues: list[Issue] = []
    named: list[tuple[tuple[str | int, ...], str]] = [
        *((("fixed", "first", i), uid) for i, uid in enumerate(rules.fixed.first)),
        *((("fixed", "last", i), uid) for i, uid in enumerate(rules.fixed.last)),
    ]
    fixed_seen: set[str] = set()
    for loc, uid in named:
        if uid in fixed_seen:
            issues.append((loc, f"{uid} is fixed twice", "name each unit once under fixed"))
        fixed_seen.add(uid)
    for g, group in enumerate(rules.keep_order):
        if len(set(group)) < len(group):
            issues.append((("keep_order", g), "a unit is named twice in this group",
                           "name each unit once per group"))  # fmt: skip
        named.extend((("keep_order", g, i), uid) for i, uid in enumerate(group))
    for loc, uid in named:
        if uid not in kinds:
            issues.append((loc, f"no unit {uid!r} in the plan", _close(uid, kinds, "unit id")))
        elif kinds[uid]:
            issues.append((loc, f"{uid} is a flypast: it is timed by its own `at`, not by "
                           "the order of march", "leave aircraft out of the rules"))  # fmt: skip
    ground = sum(1 for flying in kinds.values() if not flying)
    if len(rules.fixed.first) + len(rules.fixed.last) > ground:
        issues.append((("fixed",), f"more units fixed than the {ground} on the road",
                       "fix fewer units"))  # fmt: skip
    return issues


def _close(word: str, known: Any, what: str) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=3)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    shown = sorted(known)[:8]
    listed = ", ".join(shown) + (", …" if len(known) > len(shown) else "")
    return f"use a {what} of the plan ({listed})" if shown else f"the plan has no {what}s"


def _path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for step in loc:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out
