"""What every browser test shares: the browser, its flags, the marks, the replayed parade."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: A shipped example, uploaded as a user would: 124 units, no files it refers to.
PLAN = Path(__file__).resolve().parents[2] / "examples" / "city-parade" / "plan.yaml"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Half a minute after the city parade's step-off (its plan: 2025-08-23 13:00 Europe/London).
PARADE = dt.datetime(2025, 8, 23, 13, 0, 30, tzinfo=ZoneInfo("Europe/London"))
#: Each browser test module's ``pytestmark``.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium is missing: run "
        "scripts/install-browser (apt-get install chromium) as root",
    ),
]
