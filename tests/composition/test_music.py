from __future__ import annotations

import json
from pathlib import Path

from paradeops.composition.music import music_report
from paradeops.io.planfile import load_plan
from paradeops.timing.engine import schedule

EX25 = Path(__file__).resolve().parents[2] / "examples" / "victory-day-2025" / "plan.yaml"

# Unit a passes the stand 50-60 s, unit b 70-80 s (see conftest).
ONE_BAND = """\
music:
  bands:
    - id: band1
      accompanies: [a, b]
      pieces:
        - {title: A, duration_s: 20, tempo_bpm: 120}
        - {title: B, duration_s: 6, tempo_bpm: 118}
"""


def _report(write, text):
    plan = load_plan(write(text))
    return music_report(plan, schedule(plan))


def test_cue_timing_by_hand(write, base_plan) -> None:
    r = _report(write, base_plan(ONE_BAND))
    (sheet,) = r.sheets
    got = [(c.title, round(c.start, 6), round(c.end, 6), c.repeat, c.cut) for c in sheet.cues]
    # A 50-70; B 70-76; B repeated (repeat: last) 76-80, cut when b's tail passes.
    assert got == [("A", 50, 70, 0, False), ("B", 70, 76, 0, False), ("B", 76, 80, 1, True)]
    assert sheet.cues[0].units == ("a",) and sheet.cues[1].units == ("b",)
    assert r.findings == ()


def test_da_capo_and_cue(write, base_plan) -> None:
    text = base_plan(ONE_BAND.replace("      pieces:", "      repeat: sheet\n      pieces:"))
    (sheet,) = _report(write, text).sheets
    assert [(c.title, c.start, c.end) for c in sheet.cues][-1] == ("A", 76, 80)
    cued = base_plan(ONE_BAND.replace("tempo_bpm: 118}", "tempo_bpm: 118, cue: b}"))
    (sheet,) = _report(write, cued).sheets
    # A is cut when b's head arrives (70 s), B starts there, on b.
    assert [(c.title, c.start, c.end, c.cut) for c in sheet.cues] == [
        ("A", 50, 70, False),
        ("B", 70, 76, False),
        ("B", 76, 80, True),
    ]
    assert sheet.cues[1].cued_by == "b"


def test_tempo_check(write, base_plan) -> None:
    r = _report(write, base_plan(ONE_BAND, cadence_b=110))
    kinds = [(f.kind, f.unit) for f in r.findings]
    assert kinds == [("tempo", "b")]  # 118 bpm vs 110 spm: off by 8 > 4
    assert r.has_errors


def test_silence_and_overlap(write, base_plan) -> None:
    only_a = ONE_BAND.replace("[a, b]", "[a]")
    r = _report(write, base_plan(only_a))
    (f,) = [f for f in r.findings if f.severity == "error"]
    assert [f.kind for f in r.findings if f.severity == "warning"] == ["unplayed"]  # B
    assert (f.kind, f.unit, f.start, f.end) == ("silence", "b", 70, 80)
    two = ONE_BAND + ONE_BAND.split("  bands:\n")[1].replace("band1", "band2").replace(
        "[a, b]", "[b]"
    )
    r = _report(write, base_plan(two))
    errors = [(f.kind, f.start, f.end) for f in r.findings if f.severity == "error"]
    assert errors == [("overlap", 70, 80)]  # band2's sheet (B unplayed) is a warning
    far = two.replace("      accompanies: [b]", "      offset_m: 200\n      accompanies: [b]")
    kinds = {f.kind for f in _report(write, base_plan(far)).findings}
    assert kinds == {"out_of_hearing", "unplayed"}  # 200 m apart: neither overlap nor heard


def test_vehicles_may_pass_in_silence(write, base_plan) -> None:
    veh = (
        "  - {id: v, kind: vehicles, count: 1, vehicle_length_m: 5, spacing_m: 0, speed_kmh: 3.6}\n"
    )
    assert _report(write, base_plan(veh + ONE_BAND)).findings == ()
    strict = ONE_BAND.replace("music:\n", "music:\n  require_for_vehicles: true\n")
    (f,) = _report(write, base_plan(veh + strict)).findings
    assert (f.kind, f.unit) == ("silence", "v")


def test_negative_duration_names_the_line(cli, write, base_plan) -> None:
    path = write(base_plan(ONE_BAND.replace("duration_s: 6", "duration_s: -6")))
    got = cli("music", path)
    assert got.code == 2
    assert f"{path}:18: music.bands[0].pieces[1].duration_s" in got.err
    assert "greater than 0" in got.err


def test_unknown_unit_in_band(cli, write, base_plan) -> None:
    path = write(base_plan(ONE_BAND.replace("[a, b]", "[a, zz]")))
    got = cli("music", path)
    assert got.code == 2 and "unknown unit 'zz'" in got.err and ":15:" in got.err


def test_example_music(cli) -> None:
    got = cli("music", EX25, "--format", "json")
    assert got.code == 0, got.err
    doc = json.loads(got.out)
    assert doc["findings"] == []
    first = doc["bands"][0]["cues"][0]
    assert first["title"] == "Victoria" and first["tempo_bpm"] == 120
    assert first["start"].startswith("2025-05-09T10:07:01")


# The spring night in Paris: 02:00 (+01:00) becomes 03:00 (+02:00) at 01:00 UTC.
# Starting at 01:59:00+01:00 (00:59:00 UTC), a passes the stand 50-60 s later,
# 01:59:50+01:00 to 03:00:00+02:00; b 70-80 s later, 03:00:10 to 03:00:20+02:00.
def _spring(base_plan, music: str) -> str:
    return (
        base_plan(music)
        .replace("Europe/Moscow", "Europe/Paris")
        .replace('date: 2025-05-09', "date: 2025-03-30")
        .replace('start: "10:00:00"', 'start: "01:59:00"')
    )


def test_music_shows_the_offset_in_force_on_a_dst_day(cli, write, base_plan) -> None:
    path = write(_spring(base_plan, ONE_BAND))
    got = cli("music", path)
    assert got.code == 0, got.err
    assert "2025-03-30, Europe/Paris, UTC+01:00; from 03:00:00 UTC+02:00 (marked)" in got.out
    rows = [
        [c.strip() for c in line.split("│")[1:4]] for line in got.out.splitlines() if "│" in line
    ]
    # A 50-70 s, B 70-76 s, B again 76-80 s (cut when b's tail passes).
    assert rows == [
        ["01:59:50", "03:00:10+02:00", "A"],
        ["03:00:10+02:00", "03:00:16+02:00", "B"],
        ["03:00:16+02:00", "03:00:20+02:00", "B"],
    ]
    doc = json.loads(cli("music", path, "-f", "json").out)
    cues = doc["bands"][0]["cues"]
    assert [(c["start"], c["end"]) for c in cues[:2]] == [
        ("2025-03-30T01:59:50.000+01:00", "2025-03-30T03:00:10.000+02:00"),
        ("2025-03-30T03:00:10.000+02:00", "2025-03-30T03:00:16.000+02:00"),
    ]


def test_a_music_finding_shows_the_offset_in_force(write, base_plan) -> None:
    plan = load_plan(write(_spring(base_plan, ONE_BAND.replace("[a, b]", "[a]"))))
    (f,) = [f for f in music_report(plan, schedule(plan)).findings if f.kind == "silence"]
    assert f.message == (
        "b passes the reviewing stand with no music for 10 s "
        "(first from 03:00:10+02:00 to 03:00:20+02:00)"
    )
