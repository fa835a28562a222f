from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from paradeops.reports.schedule_json import (
    iso_clock,
    schedule_json_schema,
    schedule_to_dict,
    schedule_to_json,
)
from paradeops.timing.schedule import Schedule

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d)?[+-]\d{2}:\d{2}$")


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schedule_json_schema())


@pytest.mark.parametrize("fixture", ["small_schedule", "big_schedule"])
def test_document_validates_against_the_schema(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    s: Schedule = request.getfixturevalue(fixture)
    doc = json.loads(schedule_to_json(s))
    jsonschema.Draft202012Validator(schedule_json_schema()).validate(doc)


def test_contract_field_names(small_schedule: Schedule) -> None:
    doc = schedule_to_dict(small_schedule)
    assert {"parade", "units", "findings", "summary"} <= doc.keys()
    assert doc["parade"] == "Victory Day Parade 2025"
    for u in doc["units"]:
        assert {"id", "kind", "length_m", "speed_kmh", "step_off", "passes"} <= u.keys()
        for p in u["passes"]:
            assert {"checkpoint", "head", "tail"} <= p.keys()
    for f in doc["findings"]:
        assert {"kind", "unit", "checkpoint", "message"} <= f.keys()
    assert {"first_head", "last_tail", "duration_s"} <= doc["summary"].keys()


def test_times_are_iso_with_offset_and_numbers_rounded(small_schedule: Schedule) -> None:
    doc = schedule_to_dict(small_schedule)
    t90 = next(u for u in doc["units"] if u["id"] == "t90m")
    assert t90["length_m"] == 182.6 and t90["speed_kmh"] == 20.0 and t90["debut"] is True
    times = [t90["step_off"]] + [p[k] for p in t90["passes"] for k in ("head", "tail")]
    assert all(ISO.match(t) for t in times), times
    assert all(t.endswith("+03:00") for t in times)
    assert isinstance(doc["summary"]["duration_s"], float)
    assert doc["summary"]["duration_s"] == round(small_schedule.summary.duration_s, 1)


def test_show_stop_aircraft_and_extras(small_schedule: Schedule) -> None:
    doc = schedule_to_dict(small_schedule)
    units = {u["id"]: u for u in doc["units"]}
    stop = next(p for p in units["float-1"]["passes"] if p["checkpoint"] == "tribune")
    assert stop["head"] < stop["head_leaves"] < stop["tail"]
    assert all("head_leaves" not in p for p in units["band"]["passes"])
    air = units["flypast-1"]
    assert air["kind"] == "aircraft" and len(air["passes"]) == 1
    assert air["passes"][0] == {
        "checkpoint": "tribune",
        "head": "2025-05-09T10:09:00+03:00",
        "tail": "2025-05-09T10:09:00+03:00",
    }
    assert [c["id"] for c in doc["checkpoints"]] == ["start", "tribune", "release"]
    assert doc["summary"]["window_end"] == "2025-05-09T10:07:00+03:00"
    # tests/reports/conftest.py: the band's tail and the flypast after the window,
    # the flypast over the float's show stop; two catch-ups and a gap.
    assert doc["summary"]["errors"] == 3 and doc["summary"]["warnings"] == 3
    kinds = {f["kind"] for f in doc["findings"]}
    assert kinds == {"catch_up", "gap", "window", "flypast"}
    assert all(f["severity"] in ("error", "warning") for f in doc["findings"])


def test_json_text_keeps_non_ascii(small_schedule: Schedule) -> None:
    text = schedule_to_json(small_schedule)
    assert "Su-30SM × 6" in text and text.startswith("{\n  ")


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0.0, "2025-05-09T10:00:00+03:00"),
        (1295.0, "2025-05-09T10:21:35+03:00"),
        (1295.4, "2025-05-09T10:21:35.4+03:00"),
        (1295.44, "2025-05-09T10:21:35.4+03:00"),
        (1295.96, "2025-05-09T10:21:36+03:00"),
        (59.999, "2025-05-09T10:01:00+03:00"),
        (-0.25, "2025-05-09T09:59:59.8+03:00"),
    ],
)
def test_iso_clock(small_schedule: Schedule, seconds: float, expected: str) -> None:
    assert iso_clock(small_schedule, seconds) == expected


def test_iso_clock_other_zone(small_schedule: Schedule) -> None:
    from dataclasses import replace

    s = replace(small_schedule, reference=dt.datetime(2025, 1, 1, 12, tzinfo=ZoneInfo("UTC")))
    assert iso_clock(s, 90.5) == "2025-01-01T12:01:30.5+00:00"
