"""Every kind of bad plan: a located one- or two-line message, exit 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run, plan_text

TANKS = "- {id: t90m, kind: vehicles, count: 6, vehicle_length_m: 9.6, spacing_m: 25, speed_kmh: 20}\n"
BOX = "- {id: box, kind: foot, ranks: 10, files: 10, rank_spacing_m: 1.4, cadence_spm: 116, pace_m: 0.8}\n"


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def refused(cli: Run, plan: Path, tmp_path: Path) -> str:
    """Runs ``schedule -o``; checks exit 2, no traceback, no output; returns stderr."""
    out = tmp_path / "out.json"
    r = cli("schedule", plan, "--format", "json", "-o", out)
    assert r.code == 2, (r.out, r.err)
    assert "Traceback" not in r.err
    assert not out.exists()
    assert r.err.startswith("error: ")
    return r.err


CASES = {
    "malformed YAML": (
        plan_text(BOX).replace("units:\n", "units:\n  - {id: [\n"),
        ["plan.yaml:10", "not valid YAML", "indentation"],
    ),
    "unknown field": (
        plan_text(BOX.replace("ranks: 10", "ranks: 10, colour: red")),
        ["plan.yaml:9", "units[0].colour", "unknown field", "spelling"],
    ),
    "missing field": (
        plan_text(TANKS.replace("count: 6, ", "")),
        ["plan.yaml:9", "units[0].count", "required field is missing", "add this field"],
    ),
    "zero speed": (
        plan_text(TANKS.replace("speed_kmh: 20", "speed_kmh: 0")),
        ["plan.yaml:9", "units[0].speed_kmh", "greater than 0", "positive number"],
    ),
    "negative length": (
        plan_text(TANKS.replace("vehicle_length_m: 9.6", "vehicle_length_m: -9.6")),
        ["plan.yaml:9", "units[0].vehicle_length_m", "greater than 0"],
    ),
    "duplicate unit ids": (
        plan_text(BOX + BOX),
        ["plan.yaml:10", "units[1].id", "'box' is already used by units[0]", "its own id"],
    ),
    "checkpoints out of order": (
        plan_text(BOX, checkpoints="- {id: start, at_m: 0}\n- {id: tribune, at_m: 180, reviewing: true}\n- {id: release, at_m: 150}\n"),
        ["plan.yaml:7", "route.checkpoints[2].at_m", "not after 'tribune'", "order the parade reaches"],
    ),
    "speed limit naming an unknown checkpoint": (
        plan_text(BOX, extra="  speed_limits:\n    - {from: tribune, to: nowhere, max_kmh: 12}\n"),
        ["plan.yaml:9", "route.speed_limits[0].to", "unknown checkpoint 'nowhere'", "known checkpoints: start, tribune, release"],
    ),
    # The box (13.1 m with its last rank) at 116 × 0.8 m/min: its tail passes
    # 185 m at 198.1 / 1.5467 = 128.08 s, so the tanks' head 5 m behind it
    # reaches the tribune at 10:02:08.08, to the nearest second 10:02:08.
    "a target that cannot be met": (
        plan_text(BOX + TANKS.replace("speed_kmh: 20}", "speed_kmh: 20, target: {at: tribune, head: '10:00:40'}}")),
        ["plan.yaml:10", "units[1].target", "cannot pass tribune at 10:00:40", "10:02:08 or later"],
    ),
    "unknown time zone": (
        plan_text(BOX).replace("Europe/Moscow", "Europe/Moskva"),
        ["plan.yaml:2", "parade.timezone", "unknown time zone 'Europe/Moskva'"],
    ),
    "unknown kind": (
        plan_text("- {id: x, kind: tank, count: 1}\n"),
        ["plan.yaml:9", "units[0]", "'tank'", "one of the kinds"],
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=lambda c: c.replace(" ", "-"))
def test_bad_plan_is_refused_with_place_and_fix(cli: Run, tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    err = refused(cli, write(tmp_path, text), tmp_path)
    for part in expected:
        assert part in err, f"{part!r} not in {err!r}"
    assert len(err.splitlines()) <= 2, err  # one problem: one or two lines


def test_every_problem_is_reported_at_once(cli: Run, tmp_path: Path) -> None:
    text = plan_text(
        BOX.replace("ranks: 10", "ranks: 10, colour: red") + BOX + TANKS.replace("speed_kmh: 20", "speed_kmh: -1"),
        extra="  speed_limits:\n    - {from: tribune, to: nowhere, max_kmh: 12}\n",
    )
    r = cli("validate", write(tmp_path, text))
    assert r.code == 2
    for part in ("units[0].colour", "units[2].speed_kmh", "route.speed_limits[0].to", "units[1].id"):
        assert part in r.err


def test_missing_plan_file(cli: Run, tmp_path: Path) -> None:
    err = refused(cli, tmp_path / "nope.yaml", tmp_path)
    assert "nope.yaml: no such file" in err and "check the path" in err


def test_a_50_mb_file_is_refused_before_it_is_read(cli: Run, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    err = refused(cli, big, tmp_path)
    assert "50.0 MB" in err and "limited to 10 MB" in err and "right file" in err


def _geo_plan(tmp_path: Path, geometry: str) -> Path:
    text = plan_text(
        BOX,
        checkpoints="- {id: a, lon: 37.6178, lat: 55.7556}\n- {id: b, lon: 37.6196, lat: 55.7537, reviewing: true}\n",
    ).replace("  checkpoints:\n", f"  geometry: {geometry}\n  checkpoints:\n")
    return write(tmp_path, text)


def test_geometry_file_that_does_not_exist(cli: Run, tmp_path: Path) -> None:
    err = refused(cli, _geo_plan(tmp_path, "route.geojson"), tmp_path)
    assert "plan.yaml:4: route.geometry: geometry file 'route.geojson' does not exist" in err
    assert "looked for" in err
    assert len(err.splitlines()) == 2  # checkpoints' lon/lat are not blamed too


def test_geometry_that_is_not_a_linestring(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "route.geojson").write_text(
        json.dumps({"type": "Feature", "geometry": {"type": "Point", "coordinates": [37.6, 55.7]}})
    )
    err = refused(cli, _geo_plan(tmp_path, "route.geojson"), tmp_path)
    assert "the geometry is a Point, not a LineString" in err
    assert "route.geojson" in err


def test_geometry_places_lonlat_checkpoints(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "route.geojson").write_text(
        json.dumps({"type": "LineString", "coordinates": [[37.6178, 55.7556], [37.6196, 55.7537]]})
    )
    r = cli("schedule", _geo_plan(tmp_path, "route.geojson"), "--format", "json")
    assert r.code == 0, r.err
    cps = json.loads(r.out)["checkpoints"]
    # Geodesic length of that stretch of Red Square on WGS 84 (Karney's inverse
    # problem: 239.8 m; a spherical haversine would give ~239.4 m).
    assert cps[1]["at_m"] == pytest.approx(239.8, abs=0.1)


def test_checkpoint_placed_beyond_the_longest_route(cli: Run, tmp_path: Path) -> None:
    # A geometry half-way round the earth: at_m from it is bounded as a written at_m is.
    (tmp_path / "route.geojson").write_text(
        json.dumps({"type": "LineString", "coordinates": [[37.6178, 55.7556], [-122.4, 37.8]]})
    )
    plan = _geo_plan(tmp_path, "route.geojson")
    plan.write_text(plan.read_text().replace("lon: 37.6196, lat: 55.7537", "lon: -122.4, lat: 37.8"))
    err = refused(cli, plan, tmp_path)
    assert "checkpoint 'b' is 9" in err and "km along the route" in err, err
    assert "over the longest route accepted (100 km)" in err, err


def test_checkpoint_far_from_the_route(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "route.geojson").write_text(
        json.dumps({"type": "LineString", "coordinates": [[37.6178, 55.7556], [37.6196, 55.7537]]})
    )
    plan = _geo_plan(tmp_path, "route.geojson")
    plan.write_text(plan.read_text().replace("lat: 55.7537", "lat: 55.7637"))
    err = refused(cli, plan, tmp_path)
    assert "checkpoint 'b' is" in err and "m from the route" in err and "lon, lat" in err
