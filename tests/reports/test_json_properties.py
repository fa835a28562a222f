"""The JSON of any schedule validates against its documented shape."""

from __future__ import annotations

import json

import jsonschema
from hypothesis import given

from paradeops.model.plan import Plan
from paradeops.reports.schedule_json import schedule_json_schema, schedule_to_json
from tests.timing.test_properties import COMMON, plans, scheduled

VALIDATOR = jsonschema.Draft202012Validator(schedule_json_schema())


@COMMON
@given(plans())
def test_schedule_json_validates_against_the_schema(plan: Plan) -> None:
    doc = json.loads(schedule_to_json(scheduled(plan)))
    VALIDATOR.validate(doc)
    assert [u["id"] for u in doc["units"]] == [u.id for u in plan.units]
