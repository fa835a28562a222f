"""What a rehearsal measured: per unit and checkpoint, when its head and tail passed.

Times are seconds from that run's reference time, which plays the part of
``parade.start``; :mod:`paradeops.io.rehearsal_csv` reads them from CSV.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measured:
    unit: str
    checkpoint: str
    head: float | None
    tail: float | None
    row: int | None = None  # line in the source file


@dataclass(frozen=True)
class Run:
    name: str
    rows: tuple[Measured, ...]
    #: The reference is the first unit's measured head at the first checkpoint.
    reference_from_first: bool = True
