from __future__ import annotations

import json
from pathlib import Path

from paradeops.composition.compose import compare, composition
from paradeops.io.planfile import load_plan

EX = Path(__file__).resolve().parents[2] / "examples"
EX25, EX23 = EX / "victory-day-2025" / "plan.yaml", EX / "victory-day-2023" / "plan.yaml"

CATALOGUE = """\
version: 1
equipment:
  - {model: Tank-A, class: tank, length_m: 10, speed_kmh: 18}
  - {model: Truck-B, class: tank-truck, length_m: 20, speed_kmh: 15}
  - {model: Jet-C, class: aircraft}
"""


def _plan(write, base_plan, units: str, year: int = 2025) -> object:
    write(CATALOGUE, "equipment.yaml")
    text = base_plan(units).replace("2025-05-09", f"{year}-05-09")
    text = text.replace("Test parade", f"Parade {year}")
    return load_plan(write(text + "equipment: equipment.yaml\n", f"plan{year}.yaml"))


NEW = """\
  - {id: t, kind: vehicles, equipment: Tank-A, count: 6, spacing_m: 10, debut: true}
  - {id: k, kind: vehicles, equipment: Truck-B, count: 3, spacing_m: 10}
  - {id: j, kind: aircraft, equipment: Jet-C, count: 4, over: stand, at: "10:05:00"}
"""
OLD = """\
  - {id: t, kind: vehicles, equipment: Tank-A, count: 3, spacing_m: 10}
  - {id: j, kind: aircraft, equipment: Jet-C, count: 2, over: stand, at: "10:05:00"}
"""


def test_counts_by_hand(write, base_plan) -> None:
    c = composition(_plan(write, base_plan, NEW))
    # personnel: 11 x 4 + 11 x 5 = 99; vehicles 6 + 3; aircraft 4
    assert (c.personnel, c.vehicles, c.aircraft) == (99, 9, 4)
    assert c.by_class == {"tank": 6, "aircraft": 4, "tank-truck": 3}
    assert c.declared_debuts == ("Tank-A",)


def test_catalogue_fills_length_and_speed(write, base_plan) -> None:
    plan = _plan(write, base_plan, NEW)
    t = plan.units[2]
    assert (t.vehicle_length_m, t.speed_kmh) == (10, 18)


def test_debuts_and_ratios_by_hand(write, base_plan) -> None:
    new, old = _plan(write, base_plan, NEW, 2025), _plan(write, base_plan, OLD, 2023)
    cmp = compare([new, old])
    first, second = cmp.parades
    assert first.debuts == ("Truck-B",)  # Tank-A and Jet-C flew in 2023
    assert second.debuts == ()  # nothing earlier to compare with
    assert any("Tank-A is marked debut" in n for n in first.notes)
    (r,) = cmp.ratios
    assert r.vs == "Parade 2023"
    assert r.vehicles == 9 / 3 and r.aircraft == 4 / 2 and r.personnel == 1.0
    assert r.text() == "3.0× the vehicles of Parade 2023"


def test_2025_vs_2023_end_to_end(cli, tmp_path) -> None:
    chart = tmp_path / "c.png"
    got = cli("compose", EX25, "--vs", EX23, "--format", "json", "--chart", chart)
    assert got.code == 0, got.err
    doc = json.loads(got.out)
    p25, p23 = doc["parades"]
    assert (p25["name"], p23["name"]) == ("Victory Day Parade 2025", "Victory Day Parade 2023")
    assert (p25["vehicles"], p23["vehicles"]) == (99, 33)
    assert doc["ratios"][0]["vs"] == "Victory Day Parade 2023"
    assert doc["ratios"][0]["vehicles"] == 3.0
    assert {"Bumerang", "Kurganets-25", "KamAZ-65225 tank transporter"} <= set(p25["debuts"])
    assert sum(p25["by_class"].values()) == 99 + p25["aircraft"]
    assert p25["by_class"]["tank-truck"] == 3 and p25["by_class"]["tractor"] == 6
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = cli("compose", EX25, "--vs", EX23)
    assert "3.0× the vehicles of Victory Day Parade 2023" in table.out


def test_unknown_equipment_names_the_line(cli, write, base_plan) -> None:
    write(CATALOGUE, "equipment.yaml")
    units = "  - {id: t, kind: vehicles, equipment: Tank-AA, count: 2, spacing_m: 5}\n"
    path = write(base_plan(units) + "equipment: equipment.yaml\n")
    got = cli("compose", path)
    assert got.code == 2
    assert f"{path}:12: units[2].equipment: unknown equipment 'Tank-AA'" in got.err
    assert "did you mean 'Tank-A'" in got.err


def test_vehicle_without_figures_or_catalogue(cli, write, base_plan) -> None:
    path = write(base_plan("  - {id: t, kind: vehicles, count: 2, spacing_m: 5}\n"))
    got = cli("validate", path)
    assert got.code == 2
    assert "no vehicle_length_m" in got.err and "no speed_kmh" in got.err


def test_bad_catalogue_file(cli, write, base_plan) -> None:
    write("version: 1\nequipment:\n  - {model: X, class: spaceship}\n", "equipment.yaml")
    path = write(base_plan() + "equipment: equipment.yaml\n")
    got = cli("compose", path)
    assert got.code == 2
    assert "equipment.yaml:3" in got.err and "class" in got.err


def test_composition_of_examples_loads_all() -> None:
    assert composition(load_plan(EX23)).vehicles == 33
