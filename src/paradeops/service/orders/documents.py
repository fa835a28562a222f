"""Orders in the control room's document: recommended now, and issued (keyed by id).

Issued orders are keyed by id so that a delta carries only the one that moved
on (no nulls: in a merge patch a null deletes);
the recommendations are a short list, replaced whole when they change.
"""

from __future__ import annotations

import logging
from typing import Any

from paradeops.service.control.service import Snapshot
from paradeops.service.orders import recommended

logger = logging.getLogger(__name__)


def orders_document(snap: Snapshot) -> dict[str, Any]:
    try:
        recs = [r.model_dump() for r in recommended.now(snap)]
    except (ValueError, IndexError, FloatingPointError):  # never fail the stream for advice
        logger.exception("no recommendations for plan %d", snap.loaded.plan_id)
        recs = []
    issued = {
        o.id: {**o.model_dump(exclude={"id"}, exclude_none=True), "order": n}
        for n, o in enumerate(snap.orders)
    }
    return {"recommended": recs, "issued": issued}
