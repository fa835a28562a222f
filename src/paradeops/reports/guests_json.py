"""What ``guests announcements --format json`` writes: each announcement and how the
history bears it out."""

from __future__ import annotations

from typing import Any

from paradeops.protocol.announcements import AnnouncementCheck, moment_text

__all__ = ["announcement_record"]


def announcement_record(check: AnnouncementCheck) -> dict[str, Any]:
    """One announcement, the count the history gives as of its date, and who changed
    since the one before."""
    a = check.announcement
    return {
        "at": moment_text(a.at),
        "by": a.by,
        "where": a.where,
        "category": a.category.value,
        "counts": a.counts.value,
        "foreign_only": a.foreign_only,
        "announced": a.count,
        "actual": check.actual,
        "matches": check.matches,
        "difference": check.difference,
        "explained_at": moment_text(check.explained_at),
        "changes_since_previous": [
            {
                "guest": ch.guest,
                "counted_before": ch.counted_before,
                "counted_now": ch.counted_now,
                "status": ch.status.value,
                "reason": ch.reason,
            }
            for ch in check.changes
        ],
        "text": a.text,
        "illustrative": a.illustrative,
    }
