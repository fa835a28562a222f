from __future__ import annotations

import json
from pathlib import Path

from paradeops.composition.music import music_report
from paradeops.io.planfile import load_plan
from paradeops.timing.engine import schedule

EX25 = Path(__file__).resolve().parents[2] / "examples" / "victory-day-2025" / "plan.yaml"

# Unit a passes the stand 50-60 s, unit b 70-80 s (see conftest): at 1 m/s,
# a's head reaches x m at x s and its tail at x + 10 s; b's head at 20 + x s,
# its tail at 30 + x s. The band stands at the stand (50 m) and hears 10 m each
# way, 40-60 m: it plays from a's head at 40 m (40 s) until b's tail at 60 m
# (90 s).
ONE_BAND = """\
music:
  hearing_distance_m: 10
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
    # A 40-60; B 60-66; B repeated (repeat: last) 66-72, 72-78, 78-84, 84-90: the
    # fourth repeat ends as b's tail leaves the hearing range (90 s), uncut.
    assert got == [
        ("A", 40, 60, 0, False),
        ("B", 60, 66, 0, False),
        ("B", 66, 72, 1, False),
        ("B", 72, 78, 2, False),
        ("B", 78, 84, 3, False),
        ("B", 84, 90, 4, False),
    ]
    assert (sheet.start, sheet.end, sheet.hearing_m) == (40, 90, (40, 60))
    # Passing the band (50 m): a 50-60 s, b 70-80 s; nobody 60-70 s.
    assert [c.units for c in sheet.cues[:3]] == [("a",), (), ("b",)]
    assert all(c.cue_at_band is None and c.cue_at_stand is None for c in sheet.cues)
    assert r.findings == ()


def test_da_capo_and_cue(write, base_plan) -> None:
    text = base_plan(ONE_BAND.replace("      pieces:", "      repeat: sheet\n      pieces:"))
    (sheet,) = _report(write, text).sheets
    # A 40-60, B 60-66, A again 66-86, B again 86-90, cut at 90 s.
    assert [(c.title, c.start, c.end, c.cut) for c in sheet.cues] == [
        ("A", 40, 60, False),
        ("B", 60, 66, False),
        ("A", 66, 86, False),
        ("B", 86, 90, True),
    ]
    cued = base_plan(ONE_BAND.replace("tempo_bpm: 118}", "tempo_bpm: 118, cue: b}"))
    (sheet,) = _report(write, cued).sheets
    # A 40-60 runs out before b's head reaches the band (70 s): A again (repeat:
    # last) 60-70, cut there; B on b 70-76, again 76-82, 82-88, 88-90 (cut).
    assert [(c.title, c.start, c.end, c.cut) for c in sheet.cues] == [
        ("A", 40, 60, False),
        ("A", 60, 70, True),
        ("B", 70, 76, False),
        ("B", 76, 82, False),
        ("B", 82, 88, False),
        ("B", 88, 90, True),
    ]
    assert [c.cued_by for c in sheet.cues] == [None, None, "b", None, None, None]
    # The band is at the stand: b's head reaches both at 70 s.
    assert (sheet.cues[2].cue_at_band, sheet.cues[2].cue_at_stand) == (70, 70)


def test_tempo_check(write, base_plan) -> None:
    r = _report(write, base_plan(ONE_BAND, cadence_b=110))
    kinds = [(f.kind, f.unit) for f in r.findings]
    assert kinds == [("tempo", "b")]  # 118 bpm vs 110 spm: off by 8 > 4
    assert r.has_errors


def test_silence_and_overlap(write, base_plan) -> None:
    only_a = ONE_BAND.replace("[a, b]", "[a]")
    r = _report(write, base_plan(only_a))
    # Only a: the band plays 40 s (a's head at 40 m) to 70 s (a's tail at 60 m):
    # A 40-60, B 60-66, B 66-70; b passes the stand 70-80 s in silence.
    (f,) = r.findings
    assert (f.kind, f.unit, f.start, f.end) == ("silence", "b", 70, 80)
    two = ONE_BAND + ONE_BAND.split("  bands:\n")[1].replace("band1", "band2").replace(
        "[a, b]", "[b]"
    )
    r = _report(write, base_plan(two))
    errors = [(f.kind, f.start, f.end) for f in r.findings if f.severity == "error"]
    # band1 plays 40-90 s; band2 (b only) from b's head at 40 m (60 s) to 90 s.
    assert errors == [("overlap", 60, 90)]
    far = two.replace("      accompanies: [b]", "      offset_m: 45\n      accompanies: [b]")
    r = _report(write, base_plan(far))
    # 45 m apart, 45 m from the stand: neither overlap nor heard there.
    assert [f.kind for f in r.findings] == ["out_of_hearing"]
    # band2 at 95 m hears 85-100 m (cut at the release point, 100 m): from b's
    # head at 85 m (105 s) to its tail at 100 m (its head at 110 m, 130 s).
    assert (r.sheets[1].hearing_m, r.sheets[1].start, r.sheets[1].end) == ((85, 100), 105, 130)


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
    assert f"{path}:19: music.bands[0].pieces[1].duration_s" in got.err
    assert "greater than 0" in got.err


def test_unknown_unit_in_band(cli, write, base_plan) -> None:
    path = write(base_plan(ONE_BAND.replace("[a, b]", "[a, zz]")))
    got = cli("music", path)
    assert got.code == 2 and "unknown unit 'zz'" in got.err and ":16:" in got.err


def test_example_music(cli) -> None:
    got = cli("music", EX25, "--format", "json")
    assert got.code == 0, got.err
    doc = json.loads(got.out)
    assert doc["findings"] == []
    first = doc["bands"][0]["cues"][0]
    assert first["title"] == "Victoria" and first["tempo_bpm"] == 120
    # The colour guard marches at 120 x 0.75 = 1.5 m/s from 10:00:00; the band
    # at the tribune (632.3 m) hears from 632.3 - 150 = 482.3 m, which its
    # head reaches 482.3 / 1.5 = 321.53 s later: 10:05:21.5 (to the 0.05 m of
    # the tribune's position given to one decimal, start_s to two).
    assert abs(first["start_s"] - 482.3 / 1.5) <= 0.05 / 1.5 + 0.005
    # JSON keeps the tenth (321.50 to 321.57 s all round to 21.5), no milliseconds.
    assert first["start"] == "2025-05-09T10:05:21.5+03:00"


# The spring night in Paris: 02:00 (+01:00) becomes 03:00 (+02:00) at 01:00 UTC.
# Starting at 01:59:00+01:00 (00:59:00 UTC), a passes the stand 50-60 s later,
# 01:59:50+01:00 to 03:00:00+02:00; b 70-80 s later, 03:00:10 to 03:00:20+02:00;
# ONE_BAND plays 40-90 s, 01:59:40+01:00 to 03:00:30+02:00.
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
    words = " ".join(got.out.split())  # the title wraps at the table's width
    assert "2025-03-30, Europe/Paris, UTC+01:00; from 03:00:00 UTC+02:00 (marked)" in words
    rows = [
        [c.strip() for c in line.split("│")[1:4]] for line in got.out.splitlines() if "│" in line
    ]
    # A 40-60 s, B 60-66 s, B again 66-72, 72-78, 78-84, 84-90 s.
    assert rows == [
        ["01:59:40", "03:00:00+02:00", "A"],
        ["03:00:00+02:00", "03:00:06+02:00", "B"],
        ["03:00:06+02:00", "03:00:12+02:00", "B"],
        ["03:00:12+02:00", "03:00:18+02:00", "B"],
        ["03:00:18+02:00", "03:00:24+02:00", "B"],
        ["03:00:24+02:00", "03:00:30+02:00", "B"],
    ]
    doc = json.loads(cli("music", path, "-f", "json").out)
    cues = doc["bands"][0]["cues"]
    assert [(c["start"], c["end"]) for c in cues[:2]] == [
        ("2025-03-30T01:59:40+01:00", "2025-03-30T03:00:00+02:00"),
        ("2025-03-30T03:00:00+02:00", "2025-03-30T03:00:06+02:00"),
    ]


def test_a_music_finding_shows_the_offset_in_force(write, base_plan) -> None:
    plan = load_plan(write(_spring(base_plan, ONE_BAND.replace("[a, b]", "[a]"))))
    (f,) = [f for f in music_report(plan, schedule(plan)).findings if f.kind == "silence"]
    assert f.message == (
        "b passes the reviewing stand with no music for 10 s "
        "(first from 03:00:10+02:00 to 03:00:20+02:00)"
    )
