"""Small plans and rules for the lineup tests, written out so their figures can be worked by hand."""

from __future__ import annotations

import textwrap

import pytest

from paradeops.io.planfile import parse_plan
from paradeops.lineup.constraints import Constraints, compile_rules
from paradeops.lineup.rules import Rules, parse_rules
from paradeops.model.plan import Plan
from tests.conftest import plan_text

pytest.importorskip("ortools")


def floats(*units: tuple[str, float, list[str]]) -> str:
    """Floats of 10 m, each (id, speed km/h, tags), as plan units."""
    return "".join(
        f"- {{id: {uid}, kind: float, length_m: 10, speed_kmh: {speed}, tags: {tags}}}\n"
        for uid, speed, tags in units
    )


def plan_of(units: str) -> tuple[str, Plan]:
    """A plan on the 450 m route of tests.conftest (tribune at 180 m), planned gap 20 m."""
    text = plan_text(units)
    return text, parse_plan(text, "plan.yaml")


def rules_of(plan: Plan, text: str) -> tuple[Rules, Constraints]:
    rules = parse_rules(textwrap.dedent(text), "rules.yaml", plan)
    return rules, compile_rules(rules, plan)
