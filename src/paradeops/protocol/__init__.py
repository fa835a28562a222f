"""Protocol core (pure): guests, attendance ledger, announcements, precedence, seating."""

from paradeops.protocol.announcements import AnnouncementCheck, check_announcements
from paradeops.protocol.guests import (
    Announcement,
    Category,
    Event,
    EventKind,
    Guest,
    GuestBook,
)
from paradeops.protocol.ledger import Issue, Status, check, expected, history, status_as_of
from paradeops.protocol.precedence import order, order_with_interpreters
from paradeops.protocol.seating import Seating, SeatingError, seat
from paradeops.protocol.tribunes import Layout, Tribunes, layout

__all__ = [
    "Announcement",
    "AnnouncementCheck",
    "Category",
    "Event",
    "EventKind",
    "Guest",
    "GuestBook",
    "Issue",
    "Layout",
    "Seating",
    "SeatingError",
    "Status",
    "Tribunes",
    "check",
    "check_announcements",
    "expected",
    "history",
    "layout",
    "order",
    "order_with_interpreters",
    "seat",
    "status_as_of",
]
