"""The calibration tests time the same two-unit plan as the composition tests."""

from __future__ import annotations

from tests.composition.conftest import EX25, base_plan, write

__all__ = ["EX25", "base_plan", "write"]
