"""Plans for the staging tests, written out so that each figure can be checked by hand."""

from __future__ import annotations

from paradeops.io.planfile import parse_plan
from paradeops.model.plan import Plan
from paradeops.staging.core import Staging, stage
from paradeops.timing.engine import schedule

#: Three floats at 3.6 km/h (1 m/s, so a metre is a second), 50, 30 and 20 m
#: long, stepping off at 10:00, 10:05 and 10:10 (each long after the tail
#: ahead has passed: 10:00:50 and 10:05:30).
THREE_FLOATS = """\
version: 1
parade: {{name: Test, date: {date}, timezone: {zone}, start: "{start}"}}
route:
  checkpoints:
    - {{id: start, at_m: 0}}
    - {{id: stand, at_m: 500, reviewing: true}}
    - {{id: end, at_m: 1000}}
units:
  - {{id: a, name: Float A, kind: float, length_m: 50, speed_kmh: 3.6}}
  - {{id: b, name: Float B, kind: float, length_m: 30, speed_kmh: 3.6, step_off: "{b}"}}
  - {{id: c, name: Float C, kind: float, length_m: 20, speed_kmh: 3.6, step_off: "{c}"}}
assembly:
{assembly}
"""

ONE_AREA = """\
  form_up_s: {form_up}
  areas:
    - {{id: yard, name: Depot yard, {capacity}, to_start_s: {to_start}{opens}}}
"""


def three_floats(
    *,
    capacity: str = "capacity_m: 90",
    to_start: float = 300,
    form_up: float = 300,
    opens: str | None = None,
    date: str = "2025-06-01",
    zone: str = "Europe/Paris",
    start: str = "10:00:00",
    b: str = "10:05:00",
    c: str = "10:10:00",
    assembly: str | None = None,
) -> str:
    section = assembly or ONE_AREA.format(
        form_up=form_up,
        capacity=capacity,
        to_start=to_start,
        opens="" if opens is None else f', opens: "{opens}"',
    )
    return THREE_FLOATS.format(
        date=date, zone=zone, start=start, b=b, c=c, assembly=section.rstrip("\n")
    )


def staged(text: str) -> tuple[Plan, Staging]:
    plan = parse_plan(text, "plan.yaml")
    return plan, stage(plan, schedule(plan))
