"""Values pydantic's lax parsing took for something else: dates, the version, flags,
control characters in texts, and route geometry (found by the outside tester).

Each hostile plan is written by hand; the CLI must exit 2 with the file, line
and field, and write nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run, plan_text

BOX = "- {id: box, kind: foot, ranks: 10, files: 10, rank_spacing_m: 1.4, speed_kmh: 5}\n"
GOOD_DATE = "date: 2025-05-09"


def refused(cli: Run, text: str, tmp_path: Path) -> str:
    """``schedule -o`` of ``text``: exit 2, no traceback, nothing written; stderr."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    r = cli("schedule", plan, "--format", "csv", "-o", out)
    assert r.code == 2, (r.out, r.err)
    assert r.err.startswith("error: ") and "Traceback" not in r.err, r.err
    assert not out.exists()
    return r.err


@pytest.mark.parametrize(
    ("date", "says"),
    [
        ("0", "parade.date: must be a date, got 0"),  # Unix seconds to pydantic
        ("1746748800", "parade.date: must be a date, got 1746748800"),
        ("20250509", "parade.date: must be a date, got 20250509"),
        ("true", "parade.date: must be a date"),
        ("2025-05-09T10:00:00+03:00", "has a time of day; give the date alone"),
        ('"2025-05-09T00:00:00"', "has a time of day; give the date alone"),
        ('"2025-05-09 10:00"', "has a time of day; give the date alone"),
        ('"20250509"', "parade.date: '20250509' is not a date on the calendar"),
        ('"2025-02-30"', "parade.date: '2025-02-30' is not a date on the calendar"),
    ],
)
def test_a_date_is_a_calendar_date(cli: Run, tmp_path: Path, date: str, says: str) -> None:
    err = refused(cli, plan_text(BOX).replace(GOOD_DATE, f"date: {date}"), tmp_path)
    assert "plan.yaml:2: " in err and says in err, err
    assert "YYYY-MM-DD" in err  # the hint says how to write it


@pytest.mark.parametrize("date", ["2025-05-09", '"2025-05-09"'])
def test_a_yaml_date_and_a_quoted_one_are_taken(cli: Run, tmp_path: Path, date: str) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text(BOX).replace(GOOD_DATE, f"date: {date}"))
    r = cli("schedule", plan, "--format", "json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["units"][0]["step_off"] == "2025-05-09T10:00:00+03:00"


def test_a_rehearsal_date_is_as_strict(cli: Run, tmp_path: Path) -> None:
    extra = "rehearsals:\n  - {id: night-1, date: 1746748800, start: '22:00:00'}\n"
    err = refused(cli, plan_text(BOX) + extra, tmp_path)
    assert "rehearsals[0].date: must be a date, got 1746748800" in err, err


@pytest.mark.parametrize("version", ["1.0", "true", '"1"'])
def test_version_is_the_whole_number_1(cli: Run, tmp_path: Path, version: str) -> None:
    err = refused(cli, plan_text(BOX).replace("version: 1", f"version: {version}"), tmp_path)
    assert "plan.yaml:1: version: must be the whole number 1" in err, err


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (("speed_kmh: 5", "speed_kmh: true"), "units[0].speed_kmh"),
        (("ranks: 10", "ranks: yes"), "units[0].ranks"),
        (("ranks: 10", "ranks: 10.0"), "units[0].ranks"),
        (("at_m: 180", 'at_m: "180"'), "route.checkpoints[1].at_m"),
        (('start: "10:00:00"', "start: 36000"), "parade.start"),
    ],
)
def test_numbers_and_times_are_not_guessed(
    cli: Run, tmp_path: Path, edit: tuple[str, str], field: str
) -> None:
    err = refused(cli, plan_text(BOX).replace(*edit), tmp_path)
    assert f": {field}: " in err.splitlines()[0], err


# --- control characters ---------------------------------------------------------------

HOSTILE_NAMES = {
    "ESC sequence": "Box\\e[2J\\e[31m",
    "carriage return": "Box\\rOverwritten",
    "bell": "Box\\a",
    "one-byte CSI": "Box\\x9b31m",
    "right-to-left override": "Box\\u202Exod",
    "isolate": "Box\\u2066x\\u2069",
}


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_control_character_in_a_name_is_refused_at_its_line(
    cli: Run, tmp_path: Path, name: str
) -> None:
    unit = f'- id: box\n  name: "{name}"\n  kind: foot\n  ranks: 10\n  speed_kmh: 5\n'
    err = refused(cli, plan_text(unit), tmp_path)
    assert "plan.yaml:10: units[0].name: contains a" in err, err
    assert "\x1b" not in err and "\r" not in err and "\u202e" not in err  # shown escaped
    assert "U+" in err  # the character named by its code point


def test_control_characters_anywhere_in_the_file_are_each_reported(
    cli: Run, tmp_path: Path
) -> None:
    text = plan_text(BOX).replace("name: Test parade", 'name: "Test\\e]0;pwned\\a"')
    text += 'music:\n  bands: [{id: b1, name: "Band\\e[5m", at: tribune, pieces: []}]\n'
    err = refused(cli, text, tmp_path)
    assert "plan.yaml:2: parade.name: contains a control character (U+001B)" in err, err
    assert "music.bands[0].name: contains a control character (U+001B)" in err, err


def test_printable_names_in_any_script_pass(cli: Run, tmp_path: Path) -> None:
    names = [
        "Сводный полк",  # Cyrillic
        "الحرس الوطني",  # Arabic, right to left by itself
        "第一方队",  # CJK
        "क्\u200dष",  # Devanagari with a zero-width joiner
        "Rue\u200f du Bac",  # a right-to-left mark: printable, not an override
    ]
    units = "".join(
        f'- {{id: u{i}, name: "{n}", kind: foot, ranks: 2, speed_kmh: 5}}\n'
        for i, n in enumerate(names)
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text(units), encoding="utf-8")
    r = cli("schedule", plan, "--format", "csv")
    assert r.code == 0, r.err
    for n in names:
        assert n in r.out


def test_a_guest_book_with_a_control_character_is_refused(cli: Run, tmp_path: Path) -> None:
    book = tmp_path / "guests.yaml"
    book.write_text(
        "version: 1\nhost_country: RU\nguests:\n"
        '  - {id: host, name: "Host\\e[8m", country: RU, host: true}\n',
        encoding="utf-8",
    )
    r = cli("guests", "status", book)
    assert r.code == 2, (r.out, r.err)
    assert "guests.yaml:4: guests[0].name: contains a control character (U+001B)" in r.err


def test_a_guest_list_cell_with_a_control_character_is_refused(cli: Run, tmp_path: Path) -> None:
    table = tmp_path / "guests.csv"
    table.write_text('id,name,country,host\nhost,Host,RU,yes\nx,"Bob\x1b[2J",FR,no\n')
    out = tmp_path / "guests.yaml"
    r = cli("guests", "import", table, "-o", out)
    assert r.code == 2, (r.out, r.err)
    assert "guests.csv:3: name: contains a control character (U+001B)" in r.err, r.err
    assert not out.exists()


# --- route geometry --------------------------------------------------------------------


def _geo_plan(tmp_path: Path, coordinates: object, at_end: str = "at_m: 450") -> Path:
    (tmp_path / "route.geojson").write_text(
        json.dumps({"type": "LineString", "coordinates": coordinates})
    )
    text = plan_text(BOX).replace("  checkpoints:\n", "  geometry: route.geojson\n  checkpoints:\n")
    plan = tmp_path / "plan.yaml"
    plan.write_text(text.replace("at_m: 450", at_end))
    return plan


@pytest.mark.parametrize(
    ("pair", "says"),
    [
        (["37.6196", "55.7537"], "coordinates[1]: '37.6196' is not a number"),
        ([True, 55.7537], "coordinates[1]: true is not a number"),
        ([37.6196], "coordinates[1]: must be a [lon, lat] pair of numbers"),
        ([37.6196, 95.0], "coordinates[1]: [37.6196, 95] is out of range"),
    ],
)
def test_geometry_coordinates_are_numbers_in_range(
    cli: Run, tmp_path: Path, pair: list[object], says: str
) -> None:
    plan = _geo_plan(tmp_path, [[37.6178, 55.7556], pair])
    out = tmp_path / "out.csv"
    r = cli("schedule", plan, "--format", "csv", "-o", out)
    assert r.code == 2 and not out.exists(), r.err
    first = r.err.splitlines()[0]
    # The geometry file and the place in it, not paired with a line of the plan.
    assert first.startswith(f"error: {tmp_path / 'route.geojson'}: {says}"), r.err
    assert "plan.yaml" not in r.err


def test_a_checkpoint_beyond_the_end_of_the_geometry_is_refused(cli: Run, tmp_path: Path) -> None:
    # Two points 0.0018° of latitude apart on a meridian: about 200 m of route
    # (1° of latitude is about 111.3 km at 55.75° N), so at_m 450 is past its end.
    plan = _geo_plan(tmp_path, [[37.62, 55.75], [37.62, 55.7518]])
    out = tmp_path / "out.csv"
    r = cli("schedule", plan, "--format", "csv", "-o", out)
    assert r.code == 2 and not out.exists(), r.err
    assert "plan.yaml:8: route.checkpoints[2].at_m: at_m 450 m is beyond the end" in r.err
    assert "its geometry is 200 m long" in r.err


def test_a_control_character_in_a_named_catalogue_is_refused_at_its_line(
    cli: Run, tmp_path: Path
) -> None:
    (tmp_path / "equipment.yaml").write_text(
        'version: 1\nequipment:\n  - {model: "T\\e[2J", class: tank, length_m: 8, speed_kmh: 18}\n',
        encoding="utf-8",
    )
    err = refused(cli, "equipment: equipment.yaml\n" + plan_text(BOX), tmp_path)
    assert "equipment.yaml:3: equipment[0].model: contains a control character (U+001B)" in err
    assert "\x1b" not in err
