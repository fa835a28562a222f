"""What every request may need, built once per app: database, clock, broadcaster, caches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paradeops.service.broadcast import Broadcaster
from paradeops.service.control.actuals import ActualsCache
from paradeops.service.settings import ServiceSettings
from paradeops.service.upload_gate import UploadGate
from paradeops.store import Database

if TYPE_CHECKING:
    from paradeops.service.control.service import Snapshot

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class ServiceContext:
    db: Database
    secret: bytes
    #: Injected so that a rehearsal or a past parade can be replayed.
    clock: Clock = system_clock
    broadcaster: Broadcaster = field(default_factory=Broadcaster)
    #: Parsed plans and their schedules by (plan id, revision): revisions never change.
    schedules: dict[tuple[int, int], Any] = field(default_factory=dict)
    #: Each plan's check-ins as parsed actuals, extended by the writer after each commit.
    actuals: ActualsCache = field(default_factory=ActualsCache)
    #: The latest live status per plan: (plan, revision, broadcast version), when, snapshot.
    live: dict[int, tuple[tuple[int, int, int], float, Snapshot]] = field(default_factory=dict)
    #: The SSE event of a plan's latest snapshot, built once whoever watches.
    events: dict[int, tuple[Snapshot, bytes]] = field(default_factory=dict)
    #: The public snapshot's body and ETag per plan, for its snapshot and incidents flag:
    #: a crowd asks for the same document many times a second.
    public_bodies: dict[int, tuple[Snapshot, bool, bytes, str]] = field(default_factory=dict)
    #: A unit later than this is an alert [s].
    late_s: float = 60.0
    #: What the operator set (limits, caps, folders).
    settings: ServiceSettings = field(default_factory=ServiceSettings)
    #: Upload checks, one at a time (they hold the GIL; check-ins come first).
    uploads: UploadGate = field(default_factory=UploadGate)

    def now(self) -> dt.datetime:
        t = self.clock()
        if t.tzinfo is None:
            raise ValueError("the service clock must return an aware datetime")
        return t
