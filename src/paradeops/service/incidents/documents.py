"""Open incidents in the control room's and the announcer's documents.

Called by the streams (``control/stream.py``) when they build a document:
the open incidents keyed by id (so a delta carries only the one that came or
went), each with its expected end, the unit it holds and, for the announcer,
a suggested line.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from paradeops.live import expected_until
from paradeops.live.incidents import Incident
from paradeops.live.model import LiveStatus
from paradeops.model.plan import Plan
from paradeops.reports.schedule_json import iso_clock
from paradeops.service.incidents.lines import suggested_line
from paradeops.service.incidents.models import IncidentOut
from paradeops.service.incidents.service import PlanIncidents, open_ones
from paradeops.timing.schedule import Schedule

logger = logging.getLogger(__name__)


def plan_language(plan: Plan) -> str | None:
    """The plan's language for announcements, if it names one.

    The plan format has no such field yet: read it if a later format adds
    ``parade.language``, else None (English).
    """
    language = getattr(plan.parade, "language", None)
    return language if isinstance(language, str) else None


def _iso(s: Schedule, t: float) -> str | None:
    try:
        return iso_clock(s, t)
    except (OverflowError, ValueError):  # beyond the calendar: left out, not a failure
        logger.warning("an incident time %r s from the reference is out of range", t)
        return None


def _place(s: Schedule, live: LiveStatus, i: IncidentOut) -> str | None:
    """The checkpoint nearest the incident: its unit's head now, else its ``at_m``."""
    x = i.at_m
    unit = next((u for u in live.units if u.id == i.unit), None)
    if unit is not None and unit.trajectory is not None:
        x = float(unit.trajectory.position(live.now))
    if x is None:
        return None
    nearest = min(s.checkpoints, key=lambda c: abs(c.at_m - x))
    return nearest.name or nearest.id


def _entry(
    s: Schedule,
    live: LiveStatus,
    i: IncidentOut,
    core: Incident,
    plan: Plan,
) -> dict[str, Any]:
    names = {u.id: u.name for u in s.units}
    unit_name = names.get(i.unit) if i.unit is not None else None
    place = _place(s, live, i)
    medians = plan.simulation.incident_duration_s.medians()
    doc = {
        "id": i.id,
        "code": i.code,
        "text": i.text,
        "unit": i.unit,
        "unit_name": unit_name,
        "at_m": i.at_m,
        "place": place,
        # On the parade's clock, like every time in these documents (not the phone's offset).
        "at": _iso(s, core.opened) if math.isfinite(core.opened) else i.at,
        "recorded_by": i.recorded_by,
        # As the projection expects it (control/service.py): the plan's median by code.
        "expected_until": _iso(s, expected_until(core, live.now, medians)),
        "line": suggested_line(i.code, unit_name, place, plan_language(plan)),
    }
    return {k: v for k, v in doc.items() if v is not None}  # null deletes in a merge patch


def open_incidents(
    plan: Plan, s: Schedule, live: LiveStatus, found: PlanIncidents
) -> dict[str, Any]:
    """The open incidents keyed by id, each with its ``order`` (oldest first)."""
    return {
        i.id: {**_entry(s, live, i, core, plan), "order": n}
        for n, (i, core) in enumerate(open_ones(found))
    }
