"""The shipped example: the city carnival ordered by examples/city-parade/lineup-rules.yaml.

Every rule is checked here on the plan written, from the units' tags and
ids, not by the lineup's own checks; the window by the timing engine on the
new plan (``paradeops.schedule``), as a user would.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

import paradeops
from tests.conftest import EXAMPLES, Run

pytest.importorskip("numba")

CITY = EXAMPLES / "city-parade"
#: Short, so the test is quick; enough for CP-SAT's first order and some local search.
TIME_LIMIT_S = "6"


def within(places: list[int], others: list[int], distance: int) -> bool:
    """Whether a place of ``places`` is 1..``distance`` places behind one of ``others``."""
    return any(0 < p - q <= distance for p in places for q in others)


def test_the_city_carnival_is_ordered_with_every_rule_kept(cli: Run, tmp_path: Path) -> None:
    new = tmp_path / "plan.yaml"
    r = cli("lineup", CITY / "plan.yaml", "--rules", CITY / "lineup-rules.yaml", "-o", new,
            "--format", "json", "--time-limit", TIME_LIMIT_S)  # fmt: skip
    assert r.code == 0, r.err
    report = json.loads(r.out)
    assert all(rule["satisfied"] for rule in report["rules"]), report["rules"]
    assert [rule["rule"] for rule in report["rules"]] == [
        "fixed.first", "fixed.last", "keep_order[0]", "apart[0]", "apart[1]",
        "not_behind[0]", "window[0]",
    ]  # fmt: skip

    old_text, new_text = (CITY / "plan.yaml").read_text(), new.read_text()
    units = yaml.safe_load(new_text)["units"]
    ids = [u["id"] for u in units]
    assert ids == report["order"]
    # The same units, each unchanged, and every line of the file kept.
    assert sorted(ids) == sorted(u["id"] for u in yaml.safe_load(old_text)["units"])
    assert sorted(new_text.splitlines()) == sorted(old_text.splitlines())
    assert new_text.splitlines()[:20] == old_text.splitlines()[:20]  # the header comment

    assert ids[:2] == ["mounted-police", "fire-engines"]
    assert ids[-2:] == ["float-mayor", "mounted-police-rear"]
    assert ids.index("float-carnival-queen") < ids.index("float-carnival-princesses")

    def places(tag: str) -> list[int]:
        return [p for p, u in enumerate(units) if tag in u.get("tags", [])]

    bands, loud = places("band"), places("loud")
    assert len(bands) == 20 and len(loud) == 8 and len(places("pyro")) == 1
    # apart: at least 3 units between two bands (4 places), 4 between loud ones.
    assert min(b - a for a, b in zip(bands, bands[1:], strict=False)) >= 4
    assert min(b - a for a, b in zip(loud, loud[1:], strict=False)) >= 5
    # not_behind: horses never 1 to 3 places behind a band, a loud or a pyro unit.
    assert places("horses") == [0, len(units) - 1]
    assert not within(places("horses"), bands + loud + places("pyro"), 3)

    # window: the Carnival Queen's head passes the grandstand 14:00-14:30 London time.
    frame = paradeops.schedule(new).to_frame()
    row = frame[(frame.unit_id == "float-carnival-queen") & (frame.checkpoint == "grandstand")]
    head = row["head"].iloc[0].to_pydatetime()
    london = ZoneInfo("Europe/London")
    assert dt.datetime(2025, 8, 23, 14, 0, tzinfo=london) <= head
    assert head <= dt.datetime(2025, 8, 23, 14, 30, tzinfo=london)
    # The plan's own order has her at the stand at 13:43:04, 1,016 s early: the
    # report's "before" says so.
    assert report["before"]["window_slack_s"] == pytest.approx(-(16 * 60 + 56), abs=1)
