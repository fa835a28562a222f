"""``paradeops lineup`` end to end: the file written (comments kept), the report, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import Run

PLAN = """\
# The parade of the lineup tests: five floats of 10 m at one speed.
version: 1
parade: {name: Test parade, date: 2025-05-09, timezone: Europe/Moscow, start: "10:00:00"}
route:
  checkpoints:
    - {id: start, at_m: 0}
    - {id: tribune, at_m: 180, reviewing: true}
    - {id: release, at_m: 450}
units:
  # x1 opens the parade as planned
  - {id: x1, kind: float, length_m: 10, speed_kmh: 3.6}
  # the first band
  - {id: b1, kind: float, length_m: 10, speed_kmh: 3.6, tags: [band]}  # brass
  - {id: x2, kind: float, length_m: 10, speed_kmh: 3.6}
  # the second band
  - id: b2
    kind: float
    length_m: 10
    speed_kmh: 3.6
    tags: [band]
  - {id: x3, kind: float, length_m: 10, speed_kmh: 3.6}
# end of the plan
"""
RULES = """\
version: 1
keep_order: [[b2, b1]]
apart: [{tags: [band], min_units: 3}]
"""


def files(tmp_path: Path, rules: str = RULES) -> tuple[Path, Path, Path]:
    plan, rules_file = tmp_path / "plan.yaml", tmp_path / "rules.yaml"
    plan.write_text(PLAN)
    rules_file.write_text(rules)
    return plan, rules_file, tmp_path / "new.yaml"


def test_writes_the_plan_in_the_new_order_with_every_comment_kept(
    cli: Run, tmp_path: Path
) -> None:
    plan, rules, new = files(tmp_path)
    r = cli("lineup", plan, "--rules", rules, "-o", new, "--time-limit", "2")
    assert r.code == 0, r.err
    text = new.read_text()
    ids = [u["id"] for u in yaml.safe_load(text)["units"]]
    assert ids[0] == "b2" and ids[-1] == "b1"  # 3 units between the bands: the ends
    for comment in ("# The parade of the lineup tests", "# the first band", "# brass",
                    "# the second band", "# end of the plan"):  # fmt: skip
        assert text.count(comment) == 1, comment
    # Each unit's comment stays above it: "the second band" right above b2.
    lines = text.splitlines()
    assert lines[lines.index("  # the second band") + 1] == "  - id: b2"
    assert "# brass" in next(line for line in lines if "id: b1" in line)
    assert "Before and after" in r.out and "apart[0]" in r.out
    assert "CP-SAT" in r.out and "local search" in r.out


def test_json_report_has_the_issue_s_shape(cli: Run, tmp_path: Path) -> None:
    plan, rules, new = files(tmp_path)
    r = cli("lineup", plan, "--rules", rules, "-o", new, "--format", "json", "--time-limit", "2")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert set(doc) == {"order", "before", "after", "rules", "status", "gap"}
    assert set(doc["before"]) == {"duration_s", "held_s", "max_gap_m", "window_slack_s"}
    assert set(doc["after"]) == set(doc["before"])
    assert doc["order"][0] == "b2" and doc["order"][-1] == "b1"
    assert doc["rules"] == [
        # b2 then b1: placed 4 apart, not next to each other
        {"rule": "keep_order[0]", "satisfied": True, "binding": False},
        # 3 units between them, the least allowed
        {"rule": "apart[0]", "satisfied": True, "binding": True},
    ]
    assert doc["status"] in ("optimal", "feasible") and 0 <= doc["gap"] <= 1
    # One speed, no gaps to open: the same duration either way, 4 × 30 s + 460 s.
    assert doc["before"]["duration_s"] == doc["after"]["duration_s"] == 580.0
    assert doc["before"]["window_slack_s"] is None


def test_unknown_unit_and_tag_are_located_and_nothing_is_written(
    cli: Run, tmp_path: Path
) -> None:
    plan, rules, new = files(tmp_path, "version: 1\nkeep_order: [[b2, b9]]\napart:\n"
                                       "  - {tags: [bnad], min_units: 1}\n")  # fmt: skip
    r = cli("lineup", plan, "--rules", rules, "-o", new)
    assert r.code == 2
    assert f"{rules}:2: keep_order[0][1]: no unit 'b9' in the plan" in r.err
    assert f"{rules}:4: apart[0].tags[0]: no unit of the plan carries tag 'bnad'" in r.err
    assert "did you mean 'band'?" in r.err
    assert not new.exists()


def test_conflicting_rules_exit_2_naming_them_at_their_lines(cli: Run, tmp_path: Path) -> None:
    plan, rules, new = files(tmp_path, "version: 1\nfixed: {first: [x1]}\n"
                                       "keep_order: [[b1, x1]]\n"
                                       "apart: [{tags: [band], min_units: 1}]\n")  # fmt: skip
    r = cli("lineup", plan, "--rules", rules, "-o", new)
    assert r.code == 2
    assert "these rules cannot all hold: fixed.first, keep_order[0]" in r.err
    assert f"{rules}:2: fixed.first" in r.err and f"{rules}:3: keep_order[0]" in r.err
    assert "apart[0]" not in r.err
    assert not new.exists()


def test_a_window_no_order_can_keep_exits_1_and_says_so(cli: Run, tmp_path: Path) -> None:
    # The heads reach the tribune at 10:03:00 at the earliest: a window before it is missed.
    plan, rules, new = files(tmp_path, "version: 1\nwindow: [{tags: [band], at: tribune, "
                                       'head_between: ["09:00", "09:30"]}]\n')  # fmt: skip
    r = cli("lineup", plan, "--rules", rules, "-o", new, "--format", "json", "--time-limit", "2")
    assert r.code == 1
    (report,) = json.loads(r.out)["rules"]
    assert report == {"rule": "window[0]", "satisfied": False, "binding": False}
    assert new.exists()


def test_bad_yaml_and_bad_values_in_the_rules_are_located(cli: Run, tmp_path: Path) -> None:
    plan, rules, new = files(tmp_path, "version: 1\napart: [{tags: [band], min_units: 0}]\n"
                                       "objective: [held_time, speed]\n")  # fmt: skip
    r = cli("lineup", plan, "--rules", rules, "-o", new)
    assert r.code == 2
    assert f"{rules}:2: apart[0].min_units" in r.err
    assert f"{rules}:3: objective" in r.err and "'speed'" in r.err
    assert not new.exists()


def test_a_tag_that_is_not_a_lowercase_word_is_located_in_the_plan(
    cli: Run, tmp_path: Path
) -> None:
    plan, rules, new = files(tmp_path)
    plan.write_text(PLAN.replace("tags: [band]}  # brass", "tags: [Band]}  # brass"))
    r = cli("lineup", plan, "--rules", rules, "-o", new)
    assert r.code == 2
    assert f"{plan}:13: units[1].tags[0]: tag 'Band' is not a lowercase word" in r.err
    assert not new.exists()


def test_the_plan_cannot_go_to_stdout_with_the_report(cli: Run, tmp_path: Path) -> None:
    # -o - would print the plan and the report one after the other: the JSON
    # report would no longer parse, nor the plan as YAML.
    plan, rules, _ = files(tmp_path)
    r = cli("lineup", plan, "--rules", rules, "-o", "-", "--format", "json")
    assert r.code == 2
    assert "--output: the new plan cannot go to stdout: the report does" in r.err
    assert "name a file for the new plan" in r.err
    assert r.out == ""


def test_a_seed_beyond_the_solver_s_range_is_refused(cli: Run, tmp_path: Path) -> None:
    plan, rules, new = files(tmp_path)
    r = cli("lineup", plan, "--rules", rules, "-o", new, "--seed", str(2**31))
    assert r.code == 2 and "--seed" in r.err and "Traceback" not in r.err
    assert not new.exists()


def test_a_plan_naming_files_is_not_written_into_another_folder(
    cli: Run, tmp_path: Path
) -> None:
    (tmp_path / "route.geojson").write_text(
        '{"type": "LineString", "coordinates": [[37.6, 55.75], [37.61, 55.75]]}'
    )
    plan, rules, _ = files(tmp_path)
    plan.write_text(PLAN.replace("route:\n", "route:\n  geometry: route.geojson\n"))
    elsewhere = tmp_path / "out"
    elsewhere.mkdir()
    r = cli("lineup", plan, "--rules", rules, "-o", elsewhere / "new.yaml", "--time-limit", "2")
    assert r.code == 2, r.err
    assert "'route.geojson'" in r.err and "beside the plan" in r.err
    assert not (elsewhere / "new.yaml").exists()
    beside = tmp_path / "new.yaml"
    r = cli("lineup", plan, "--rules", rules, "-o", beside, "--time-limit", "2")
    assert r.code == 0, r.err
    assert cli("validate", beside).code == 0
