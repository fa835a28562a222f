"""The plan format lives in this repository, generated from the models, described for editors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from paradeops.model.plan_docs import REGENERATE, render
from tests.conftest import ROOT, Run

DOC = ROOT / "docs" / "plan-format.md"


def test_the_committed_plan_format_is_what_the_generator_writes() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        f"docs/plan-format.md is out of date with the models: run `{REGENERATE}` and commit it"
    )


def _properties(schema: Any, where: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every property of every object in a JSON Schema, with its path."""
    if isinstance(schema, Mapping):
        for name, prop in (schema.get("properties") or {}).items():
            yield f"{where}.{name}", prop
        for key, value in schema.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for i, item in enumerate(schema):
            yield from _properties(item, f"{where}[{i}]")


def test_every_field_of_the_schema_has_a_description(cli: Run) -> None:
    r = cli("schema")
    assert r.code == 0, r.err
    schema = json.loads(r.out)
    props = list(_properties(schema))
    assert len(props) > 100  # the walk reaches the nested sections
    missing = [path for path, prop in props if not str(prop.get("description", "")).strip()]
    assert not missing, missing


def _rows(text: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip().strip("|").split(" | ")]
        for line in text.splitlines()
        if line.startswith("| `")
    ]


def test_every_documented_field_has_type_default_description_and_example() -> None:
    rows = _rows(render())
    assert len(rows) > 100
    for field, kind, _unit, default, _limits, description, example in rows:
        assert kind != "—" and default != "—" and description != "—", field
        assert example != "—", f"{field} has no example"


def test_the_docs_give_units_and_bounds_of_the_fields_that_have_them() -> None:
    rows = {(r[0], r[1]): r for r in _rows(render())}
    ranks = next(r for (f, _), r in rows.items() if f == "`ranks`")
    assert ranks[1] == "whole number" and "≤ 10 000" in ranks[4] and ranks[6] == "`ranks: 10`"
    speed = next(r for (f, _), r in rows.items() if f == "`max_kmh`")
    assert speed[2] == "km/h" and "> 0" in speed[4] and "≤ 150" in speed[4]


#: Places outside this repository that files used to point to.
_OUTSIDE = re.compile(r"DESIGN\.md|/work/shared|\.\./shared|seed/victory")


def test_nothing_points_outside_the_repository() -> None:
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    for folder in ("src", "examples"):
        files += [
            p for p in (ROOT / folder).rglob("*")
            if p.is_file() and p.suffix in (".py", ".md", ".yaml", ".json", ".csv", ".txt")
            and "egg-info" not in str(p)
        ]
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in files
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if _OUTSIDE.search(line)
    ]
    assert not found, found


def test_the_readme_points_to_the_plan_format() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/plan-format.md)" in readme
    assert Path(ROOT / "docs" / "plan-format.md").exists()
