"""The order of march (``paradeops lineup``): rules, CP-SAT, and a local search on the timing.

Pure: plans, rules and orders in, orders and figures out (docs/lineup.md).
:mod:`~paradeops.lineup.rules` reads and checks the rules file,
:mod:`~paradeops.lineup.constraints` states them over positions,
:mod:`~paradeops.lineup.scoring` times an order with the engine's column kernel,
:mod:`~paradeops.lineup.cpsat` finds a first order (and names conflicting
rules), :mod:`~paradeops.lineup.search` improves it on the real timing, and
:mod:`~paradeops.lineup.optimise` puts them together.
"""
