"""The public snapshot: where the parade and each unit are, and the published incidents.

Built from the same live snapshot as the control room's, with only what a
spectator may see: units' ids, names and states, positions along the route,
and (when the organiser publishes them) open incidents as a standard line per
code. Never the text a marshal typed (it may name a person or a medical
detail, and it was written for the control room, not the public), nor who
recorded or cleared anything, nor any guest.

Collections are objects keyed by id, each member carrying its ``order``, as
in the signed-in streams, so that a delta (RFC 7396) stays small.
"""

from __future__ import annotations

from typing import Any

from paradeops.live.model import UnitStatus
from paradeops.reports.schedule_json import iso_clock
from paradeops.service.control import service
from paradeops.service.incidents.documents import open_incidents
from paradeops.timing.schedule import Schedule

_EPS = 1e-6
#: What a published incident shows, of the control room's entry (``line`` becomes ``text``).
PUBLIC_INCIDENT_KEYS = ("id", "code", "unit", "unit_name", "place", "at_m", "at", "expected_until")


def iso(s: Schedule, t: float) -> str | None:
    """``t`` on the parade's clock; None beyond the calendar (left out, never a failure)."""
    try:
        return iso_clock(s, t)
    except (OverflowError, ValueError):
        return None


def _state(s: Schedule, u: UnitStatus, now: float) -> tuple[str, float | None, float | None]:
    """(state, head_at_m, tail_at_m): positions only while on the route."""
    if u.trajectory is None:  # aircraft: timed over the stand, not on the route
        rev = u.at(s.reviewing.id)
        return ("passed_stand" if rev is not None and rev.tail <= now else "waiting"), None, None
    release, stand = s.checkpoints[-1].at_m, s.reviewing.at_m
    head = float(u.trajectory.position(now))
    # Not stepped off: planned later, or not seen at a start that reports (it steps
    # off now at the earliest, in the projection).
    if float(u.trajectory.arrive(0.0)) >= now - _EPS and u.last is None:
        return "waiting", None, None
    tail = head - u.length_m
    if tail >= release - _EPS:
        return "dispersed", None, None
    state = "passed_stand" if tail >= stand - _EPS else "on_route"
    return state, round(min(head, release), 1), round(max(tail, 0.0), 1)


def units(snap: service.Snapshot) -> dict[str, Any]:
    s, now = snap.loaded.schedule, snap.live.now
    out: dict[str, Any] = {}
    for i, u in enumerate(snap.live.units):
        state, head, tail = _state(s, u, now)
        entry: dict[str, Any] = {"id": u.id, "name": u.name, "state": state, "order": i}
        if head is not None and tail is not None:
            entry["head_at_m"], entry["tail_at_m"] = head, tail
        out[u.id] = entry
    return out


def _parade(members: dict[str, Any]) -> dict[str, float]:
    """The parade's head (furthest head) and tail (rearmost tail; the start while any wait)."""
    on = [m for m in members.values() if "head_at_m" in m]
    if not on:
        return {}
    waiting = any(m["state"] == "waiting" for m in members.values())
    return {
        "head_at_m": max(m["head_at_m"] for m in on),
        "tail_at_m": 0.0 if waiting else min(m["tail_at_m"] for m in on),
    }


def incidents(snap: service.Snapshot) -> dict[str, Any]:
    """The open incidents as the public sees them (see the module's docstring)."""
    entries = open_incidents(snap.loaded.plan, snap.loaded.schedule, snap.live, snap.incidents)
    public = {}
    for key, e in entries.items():
        out = {k: e[k] for k in PUBLIC_INCIDENT_KEYS if k in e}
        out["text"], out["order"] = e["line"], e["order"]
        public[key] = out
    return public


def public_document(snap: service.Snapshot, with_incidents: bool) -> dict[str, Any]:
    s = snap.loaded.schedule
    members = units(snap)
    doc: dict[str, Any] = {
        "plan": snap.loaded.plan_id,
        "revision": snap.loaded.revision,
        "name": s.parade,
        "updated": iso(s, snap.live.now),
        **_parade(members),
        "units": members,
    }
    if with_incidents:
        doc["incidents"] = incidents(snap)
    return doc


def public_stream_document(snap: service.Snapshot, memo: dict[str, Any]) -> dict[str, Any]:
    """The public stream's document (``memo["ctx"]``, set by the watchers' side, reads flags)."""
    from paradeops.service.public import flags  # the flags need the store; the document not

    ctx = memo.get("ctx")
    shown = ctx is not None and flags.flags(ctx, snap.loaded.plan_id).incidents
    return public_document(snap, shown)
