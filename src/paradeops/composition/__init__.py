"""What a parade is made of and how it sounds: pure core.

- :mod:`.catalogue`: equipment entries of a plan, class of a unit.
- :mod:`.compose`: counts by class, personnel, vehicles, aircraft, debuts, ratios.
- :mod:`.music`: cue sheets timed by a :class:`~paradeops.timing.schedule.Schedule`;
  coverage, overlap and tempo checks.

Rehearsal calibration is a package of its own: :mod:`paradeops.calibration`.
"""
