"""Alert texts give lengths of time as people say them (outside tester: a control room
whose clock was far from the parade's day said "40282919 s late")."""

from __future__ import annotations

import pytest

from paradeops.live.alerts import span


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (90.4, "90 s"),
        (119.6, "2 min 00 s"),  # rounds to 120 s
        (725, "12 min 05 s"),
        (3599, "59 min 59 s"),
        (3600, "1 h 00 min"),
        (11_040, "3 h 04 min"),
        (40_282_919, "466 days 5 h"),  # 466 × 86,400 = 40,262,400; 20,519 s = 5 h 41 min
        (-725, "12 min 05 s"),  # the sign is in the words around it
    ],
)
def test_span(seconds: float, text: str) -> None:
    assert span(seconds) == text
