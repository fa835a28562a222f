"""Live operations core (pure): the plan's schedule meets the marshals' check-ins.

From a :class:`~paradeops.timing.schedule.Schedule` and the actual passings
reported so far, :func:`project` works out each unit's delay, the times it
will pass the checkpoints ahead (re-running the timing engine's envelope
from the actuals) and the alerts the control room must see. No I/O and no
clock: ``now`` is passed in, so a past parade can be replayed exactly.
"""

from paradeops.live.alerts import alerts
from paradeops.live.announcer import running_order
from paradeops.live.incidents import (
    CODES,
    DEFAULT_DURATION_S,
    Hold,
    Incident,
    IncidentCode,
    expected_until,
    holds,
)
from paradeops.live.model import (
    Actual,
    Alert,
    LiveStatus,
    ProjectedPass,
    Thresholds,
    UnitStatus,
)
from paradeops.live.projection import project

__all__ = [
    "CODES",
    "DEFAULT_DURATION_S",
    "Actual",
    "Alert",
    "Hold",
    "Incident",
    "IncidentCode",
    "LiveStatus",
    "ProjectedPass",
    "Thresholds",
    "UnitStatus",
    "alerts",
    "expected_until",
    "holds",
    "project",
    "running_order",
]
