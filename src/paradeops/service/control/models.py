"""API schemas of the control room (it has no tables: everything derives from check-ins)."""

from __future__ import annotations

from pydantic import BaseModel


class LastOut(BaseModel):
    checkpoint: str
    part: str
    at: str


class AheadOut(BaseModel):
    checkpoint: str
    head: str | None  # None: the head is past it already
    tail: str | None


class PassOut(BaseModel):
    checkpoint: str
    planned_head: str
    planned_tail: str
    head: str
    tail: str
    head_observed: bool
    tail_observed: bool


class UnitOut(BaseModel):
    id: str
    name: str
    kind: str
    state: str
    delay_s: float
    last: LastOut | None
    ahead: list[AheadOut]
    passes: list[PassOut]


class AlertOut(BaseModel):
    kind: str
    severity: str
    unit: str | None
    checkpoint: str | None
    message: str
    amount: float


class OpenIncidentOut(BaseModel):
    """An open incident as the control room shows it (the same entry as in ``/live``)."""

    id: str
    code: str
    text: str
    unit: str | None = None
    unit_name: str | None = None
    at_m: float | None = None
    #: The checkpoint nearest the unit's head now, else nearest ``at_m``.
    place: str | None = None
    at: str | None = None
    recorded_by: str
    #: When the projection expects it over: its start plus the plan's median for its code.
    expected_until: str | None = None
    line: str
    #: Oldest first.
    order: int


class StatusOut(BaseModel):
    plan: int
    revision: int
    now: str
    reference: str
    checkins: int
    #: Stored check-ins ignored because their time or part cannot be used (see the alert).
    skipped_checkins: int = 0
    units: list[UnitOut]
    alerts: list[AlertOut]
    reviewing_last_tail: str | None
    window_end: str | None
    #: The open incidents keyed by id, as in ``/live``.
    incidents: dict[str, OpenIncidentOut] = {}


class ScriptLineOut(BaseModel):
    unit: str
    name: str
    kind: str
    description: str | None
    at: str
    observed: bool
    debut: bool
