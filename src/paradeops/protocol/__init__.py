"""Protocol core (pure): guests, attendance ledger, announcements, precedence, seating.

Import the module you need (``paradeops.protocol.ledger``,
``paradeops.protocol.seating``, …): the package itself imports nothing, so
reading a guest book never loads OR-Tools, which only seating needs (the
``seating`` extra).
"""
