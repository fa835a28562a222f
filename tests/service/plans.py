"""Small plans for the service tests (the examples may change under us)."""

SMALL_PLAN = """\
version: 1
parade:
  name: Test Parade
  date: 2025-05-09
  timezone: Europe/Moscow
  start: "10:00:00"
  window_end: "10:20:00"
route:
  checkpoints:
    - {id: start, name: Start, at_m: 0}
    - {id: tribune, name: Tribune, at_m: 300, reviewing: true}
    - {id: release, name: Release, at_m: 600}
defaults:
  gap_m: 20
  min_gap_m: 5
  max_gap_m: 100
units:
  - id: colour-guard
    name: Colour guard
    kind: foot
    description: The colours are carried past the stand.
    ranks: 3
    files: 3
    cadence_spm: 120
    pace_m: 0.75
  - id: band
    name: Massed band
    kind: band
    description: The massed band plays.
    ranks: 8
    files: 8
    cadence_spm: 110
    pace_m: 0.75
  - id: tanks
    name: Tanks
    kind: vehicles
    description: A column of tanks.
    count: 4
    vehicle_length_m: 9.6
    spacing_m: 20
    speed_kmh: 10
"""
