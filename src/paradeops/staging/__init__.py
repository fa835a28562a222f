"""Assembly areas and call times (``paradeops staging``, docs/staging.md). Pure.

:func:`~paradeops.staging.core.stage` turns a plan's ``assembly:`` section
and its schedule into each unit's call and leave times, the order in which
the areas feed the start point, each area's occupancy over time and the
findings; :func:`~paradeops.staging.checks.staging_issues` lists what is
wrong with the section itself (located, for exit 2).
"""
