"""Validation errors in the project's words: the translation table and the union rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from paradeops.errors import UserError
from paradeops.io.planfile import parse_plan
from paradeops.model.input_messages import _MESSAGES, hint, message
from paradeops.protocol.guests import Guest
from tests.conftest import Run
from tests.input.corpus import PLAN
from tests.input.test_corpus import JARGON


def _problems(text: str) -> list[str]:
    with pytest.raises(UserError) as e:
        parse_plan(text, "plan.yaml")
    return [str(p) for p in e.value.problems]


def test_every_kind_in_the_table_reads_without_jargon() -> None:
    ctx = {"gt": 0, "ge": 0, "lt": 1, "le": 1, "min_length": 1, "max_length": 2,
           "actual_length": 0, "pattern": "^x$", "expected": "'a' or 'b'", "tag": "t",
           "discriminator": "'kind'", "expected_tags": "'a', 'b'", "error": "bad"}
    for kind in _MESSAGES:
        err = {"type": kind, "loc": ("x",), "msg": "Input should be odd", "input": True,
               "ctx": ctx}
        text = message(err) + " " + (hint(err) or "")
        assert text.strip(), kind
        assert not [j for j in JARGON if j in text], (kind, text)


def test_a_kind_not_in_the_table_loses_pydantics_phrasing() -> None:
    err = {"type": "url_parsing", "loc": ("x",), "msg": "Input should be a valid URL",
           "input": "x"}
    assert message(err) == "must be a valid URL"


def test_a_union_of_text_or_a_list_is_one_message_not_one_per_branch() -> None:
    text = PLAN.replace("units:\n", "equipment: 5\nunits:\n")
    (problem,) = _problems(text)
    assert "plan.yaml:8: equipment: must be text or a list" in problem
    assert "got 5" in problem


def test_inside_the_list_branch_only_the_lists_errors_are_reported() -> None:
    text = PLAN.replace("units:\n", "equipment:\n  - {model: X, class: tnk}\nunits:\n")
    problems = _problems(text)
    assert len(problems) == 1, problems
    assert "plan.yaml:9: equipment[0].class: 'tnk' is not allowed here; expected" in problems[0]


def test_the_idm_section_keeps_kind_names_as_fields() -> None:
    text = PLAN.replace("units:\n", "simulation:\n  idm:\n    float: {tau_s: -1}\nunits:\n")
    (problem,) = _problems(text)
    assert "simulation.idm.float.tau_s: must be 0 or more, got -1" in problem


def test_a_row_without_a_document_still_names_its_field() -> None:
    with pytest.raises(ValidationError) as e:
        Guest.model_validate({"id": "a b", "name": "A", "country": "FR"})
    from paradeops.model.yamlsource import Locator, problems_from

    (problem,) = problems_from(e.value, Locator(None), "guests.csv")
    assert problem.field == "id" and "is not an identifier" in problem.message


@pytest.mark.parametrize("seed", ["-5", str(2**128)])
def test_a_seed_numpy_refuses_is_exit_2_with_a_message(
    cli: Run, tmp_path: Path, seed: str
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN)
    r = cli("simulate", plan, "--runs", "1", "--seed", seed)
    assert r.code == 2, r
    assert r.err.startswith("error: --seed: the seed must be a whole number from 0")
    assert "Traceback" not in r.err
