"""A band posted 60 m before the reviewing stand (issue 11), worked by hand.

The route runs from 1000 m to 1300 m on the checkpoints' scale: from the start
point, the stand is at 200 m and the release point at 300 m. Five foot units
u1..u5, each 10 m long (11 ranks 0.95 m apart, the last 0.5 m deep) at
120 steps/min x 0.5 m = 1 m/s, 10 m apart: u(k+1) steps off when uk's head is
at 20 m, so uk's head reaches x m at 20(k-1) + x s and its tail at
20(k-1) + x + 10 s.

The band stands at 1140 m, 140 m from the start point: 60 m before the stand.
It hears 80 m each way, 60-220 m, and the stand (60 m away) hears it.

- It plays from u1's head at 60 m (60 s) until u5's tail leaves 220 m
  (80 + 220 + 10 = 310 s).
- Passing the stand (200 m): u1 200-210 s, u2 220-230, u3 240-250, u4 260-270,
  u5 280-290: all within 60-310 s, so no unit passes in silence. (Stopping when
  u5's tail passes the band, 80 + 140 + 10 = 230 s, would leave u3, u4 and u5
  in silence: the issue's false errors.)
- Passing the band (140 m): u1 140-150 s, u2 160-170, u3 180-190, u4 200-210,
  u5 220-230.
- Sheet: March 100 s from 60 s, 60-160; again (repeat: last) from 160 s, cut at
  200 s when u4's head reaches the band (cue); Parade 90 s on u4, 200-290; again
  290-310, cut when the band stops. u4's head reaches the stand at 260 s.
"""

from __future__ import annotations

import json

from paradeops.composition.music import music_report
from paradeops.io.planfile import load_plan
from paradeops.timing.engine import schedule

UNIT = (
    "  - {{id: {id}, kind: foot, ranks: 11, files: 4, rank_spacing_m: 0.95, "
    "cadence_spm: 120, pace_m: 0.5}}\n"
)
PLAN = (
    """\
version: 1
parade: {name: Band before the stand, date: 2025-05-09, timezone: Europe/Moscow, start: "10:00:00"}
route:
  checkpoints:
    - {id: start, at_m: 1000}
    - {id: stand, at_m: 1200, reviewing: true}
    - {id: release, at_m: 1300}
defaults: {gap_m: 10, min_gap_m: 5}
units:
"""
    + "".join(UNIT.format(id=f"u{k}") for k in range(1, 6))
    + """\
music:
  hearing_distance_m: 80
  bands:
    - id: band
      at_m: 1140
      accompanies: {from: u1, to: u5}
      pieces:
        - {title: March, duration_s: 100, tempo_bpm: 120}
        - {title: Parade, duration_s: 90, tempo_bpm: 120, cue: u4}
"""
)

SHEET = [
    # title, start, end, repeat, cut, cued_by, units passing the band
    ("March", 60, 160, 0, False, None, ("u1",)),
    ("March", 160, 200, 1, True, None, ("u2", "u3")),
    ("Parade", 200, 290, 0, False, "u4", ("u4", "u5")),
    ("Parade", 290, 310, 1, True, None, ()),
]


def _report(write, text):
    plan = load_plan(write(text))
    return music_report(plan, schedule(plan))


def _rows(sheet):
    return [
        (c.title, round(c.start, 6), round(c.end, 6), c.repeat, c.cut, c.cued_by, c.units)
        for c in sheet.cues
    ]


def test_a_band_60_m_before_the_stand_plays_until_its_units_are_out_of_hearing(write) -> None:
    r = _report(write, PLAN)
    (sheet,) = r.sheets
    assert sheet.position_m == 140 and sheet.heard_at_reviewing
    assert sheet.hearing_m == (60, 220)
    assert (round(sheet.start, 6), round(sheet.end, 6)) == (60, 310)
    assert _rows(sheet) == SHEET
    cued = sheet.cues[2]
    assert (round(cued.cue_at_band or 0, 6), round(cued.cue_at_stand or 0, 6)) == (200, 260)
    # Every unit is heard passing the stand: no silence (nor any other) finding.
    assert r.findings == ()


def test_the_same_band_placed_by_checkpoint_and_offset(write) -> None:
    text = PLAN.replace("      at_m: 1140\n", "      at: stand\n      offset_m: -60\n")
    (sheet,) = _report(write, text).sheets
    assert sheet.position_m == 140 and _rows(sheet) == SHEET


def test_too_far_from_the_stand_to_be_heard_there(write) -> None:
    # Hearing 50 m: the stand, 60 m away, does not hear the band, so all five
    # units pass the stand in silence (each for its 10 s).
    r = _report(write, PLAN.replace("hearing_distance_m: 80", "hearing_distance_m: 50"))
    assert [(f.kind, f.unit) for f in r.findings] == [
        ("out_of_hearing", None),
        *[("silence", f"u{k}") for k in range(1, 6)],
    ]
    assert [(f.start, f.end) for f in r.findings[1:]] == [
        (200 + 20 * k, 210 + 20 * k) for k in range(5)
    ]


def test_the_hearing_range_stops_at_the_start_and_release_points(write) -> None:
    # Hearing 170 m: 140 - 170 < 0 and 140 + 170 = 310 > 300, so 0-300 m: from
    # u1's step-off (0 s) until u5's tail passes the release point (its head at
    # 310 m: 80 + 310 = 390 s). 5 s of start_offset_s: from 5 s.
    text = PLAN.replace("hearing_distance_m: 80", "hearing_distance_m: 170").replace(
        "      at_m: 1140\n", "      at_m: 1140\n      start_offset_s: 5\n"
    )
    (sheet,) = _report(write, text).sheets
    assert sheet.hearing_m == (0, 300)
    assert (round(sheet.start, 6), round(sheet.end, 6)) == (5, 390)
    # March 5-105, again 105-200 (cut on u4 at the band), Parade 200-290, again
    # 290-380, and 380-390 (cut).
    assert [(c.title, round(c.start, 6), round(c.end, 6)) for c in sheet.cues] == [
        ("March", 5, 105),
        ("March", 105, 200),
        ("Parade", 200, 290),
        ("Parade", 290, 380),
        ("Parade", 380, 390),
    ]


def test_cue_times_at_the_band_and_the_stand_in_the_table_and_json(cli, write) -> None:
    path = write(PLAN)
    got = cli("music", path)
    assert got.code == 0, got.err
    # u4's head: at the band 200 s after 10:00:00, at the stand 260 s after.
    assert "on u4 (band 10:03:20, stand 10:04:20)" in " ".join(got.out.split())
    assert "band plays while its units are within 60–220 m" in got.out
    doc = json.loads(cli("music", path, "-f", "json").out)
    (band,) = doc["bands"]
    assert band["hearing_m"] == [60, 220]
    cues = band["cues"]
    assert [(c["cue_at_band"], c["cue_at_stand"]) for c in cues] == [
        (None, None),
        (None, None),
        ("2025-05-09T10:03:20+03:00", "2025-05-09T10:04:20+03:00"),
        (None, None),
    ]
    assert (band["start"], band["end"]) == (
        "2025-05-09T10:01:00+03:00",
        "2025-05-09T10:05:10+03:00",
    )


def test_the_band_is_placed_one_way_and_on_the_route(cli, write) -> None:
    both = write(PLAN.replace("      at_m: 1140\n", "      at_m: 1140\n      at: stand\n"))
    got = cli("music", both)
    # Line 19 is the band's at_m (9 lines to `units:`, 5 units, music, hearing, bands, id).
    assert got.code == 2 and f"{both}:19: music.bands[0].at_m" in got.err
    assert "both at_m and at given" in got.err
    off = write(PLAN.replace("at_m: 1140", "at_m: 1400"))
    got = cli("music", off)
    assert got.code == 2 and f"{off}:19: music.bands[0].at_m" in got.err
    assert "the band stands at 1400 m, off the route (1000 to 1300 m)" in got.err
    before = write(PLAN.replace("      at_m: 1140\n", "      offset_m: -300\n"))
    got = cli("music", before)
    # The stand (1200 m) - 300 m = 900 m, before the start point.
    assert got.code == 2 and f"{before}:19: music.bands[0].offset_m" in got.err
    assert "the band stands at 900 m, off the route" in got.err
