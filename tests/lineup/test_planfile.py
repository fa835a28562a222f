"""The plan rewritten in a new order: every unit's comments go with it, the rest stays."""

from __future__ import annotations

import json

import pytest
import yaml

from paradeops.lineup.planfile import reordered_plan

TEXT = """\
version: 1
units:   # the column
  # leads the parade
  - id: a   # first
    kind: foot
  # about b
  - id: b
    kind: mounted
    show_stop:
      at: x   # stop
      duration_s: 3

  # about c
  - {id: c, kind: float}
# trailing
other: 1
"""


def test_every_comment_follows_its_unit_and_the_list_keeps_its_head_and_tail() -> None:
    out = reordered_plan(TEXT, "p", ["c", "a", "b"])
    assert (
        out
        == """\
version: 1
units:   # the column
  # leads the parade

  # about c
  - {id: c, kind: float}
  - id: a   # first
    kind: foot
  # about b
  - id: b
    kind: mounted
    show_stop:
      at: x   # stop
      duration_s: 3
# trailing
other: 1
"""
    )


def test_the_same_order_gives_the_same_text() -> None:
    assert reordered_plan(TEXT, "p", ["a", "b", "c"]) == TEXT


def test_a_flow_style_list_is_reordered_too() -> None:
    out = reordered_plan("version: 1\nunits: [{id: a, k: 1}, {id: b, k: 2}]\n", "p", ["b", "a"])
    assert out == "version: 1\nunits: [{id: b, k: 2}, {id: a, k: 1}]\n"


def test_an_order_that_is_not_the_plan_s_units_is_refused() -> None:
    with pytest.raises(ValueError, match="every unit"):
        reordered_plan(TEXT, "p", ["a", "b"])


def test_units_with_anchors_are_re_emitted_so_that_every_alias_follows_its_anchor() -> None:
    text = """\
version: 1
units:
  - &slow {id: slow1, kind: float, speed_kmh: 2}
  - {<<: *slow, id: slow2}
  - {id: c, kind: float, speed_kmh: 3}
"""
    out = reordered_plan(text, "p.yaml", ["c", "slow2", "slow1"])
    units = yaml.safe_load(out)["units"]
    assert [u["id"] for u in units] == ["c", "slow2", "slow1"]
    assert units[1] == {"id": "slow2", "kind": "float", "speed_kmh": 2}  # merged as before


def test_a_json_plan_is_written_as_json() -> None:
    text = '{"version": 1, "units": [{"id": "a", "name": "Line\\u2028Sep"}, {"id": "b"}]}'
    doc = json.loads(reordered_plan(text, "p.json", ["b", "a"]))
    assert doc == {"version": 1, "units": [{"id": "b"}, {"id": "a", "name": "Line\u2028Sep"}]}
