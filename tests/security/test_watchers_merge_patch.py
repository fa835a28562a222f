"""JSON merge patch (RFC 7396), which the watchers' deltas are: the RFC's cases and properties."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paradeops.service.control.merge_patch import apply, diff, same

# RFC 7396, appendix A: (original, patch, result).
RFC_EXAMPLES: list[tuple[Any, Any, Any]] = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("original", "patch", "result"), RFC_EXAMPLES)
def test_apply_follows_the_rfc_examples(original: Any, patch: Any, result: Any) -> None:
    before = orjson.dumps(original)
    assert apply(original, patch) == result
    assert orjson.dumps(original) == before  # the target is not changed in place


scalars = (
    st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
keys = st.text(max_size=4)


def _json(objects_may_hold_null: bool) -> st.SearchStrategy[Any]:
    """JSON values; within arrays null is always possible, in objects only if asked."""

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        members = (inner | st.none()) if objects_may_hold_null else inner
        return st.lists(inner | st.none(), max_size=4) | st.dictionaries(keys, members, max_size=5)

    return st.recursive(scalars, extend, max_leaves=25)


documents = st.dictionaries(keys, _json(objects_may_hold_null=False), max_size=6)


@settings(max_examples=400, deadline=None)
@given(documents, documents)
def test_applying_the_diff_gives_the_target(a: dict[str, Any], b: dict[str, Any]) -> None:
    patch = diff(a, b)
    assert same(apply(a, patch), b)
    # What the browser receives is the JSON text: the same holds after a round trip.
    assert same(apply(orjson.loads(orjson.dumps(a)), orjson.loads(orjson.dumps(patch))), b)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_a_document_has_no_diff_from_itself(a: dict[str, Any]) -> None:
    assert diff(a, a) == {}
    assert diff(a, orjson.loads(orjson.dumps(a))) == {}


@settings(max_examples=200, deadline=None)
@given(documents, documents)
def test_the_diff_only_names_what_changed(a: dict[str, Any], b: dict[str, Any]) -> None:
    patch = diff(a, b)
    for name, value in patch.items():
        if value is None:
            assert name in a and name not in b
        else:
            assert name in b and not same(a.get(name), b[name])


def test_json_sameness_is_strict_about_kinds() -> None:
    # Python says True == 1 == 1.0; JSON (and a drawn page) does not.
    assert not same([True], [1]) and not same({"a": 1}, {"a": 1.0})
    assert diff({"a": [1]}, {"a": [True]}) == {"a": [True]}
    assert same({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]})


def test_a_small_change_in_a_large_collection_is_a_small_patch() -> None:
    points = {f"p{i}": {"t": float(i), "x": 100.0} for i in range(20_000)}
    before = {"checkins": 20_000, "actuals": points}
    after = {"checkins": 20_001, "actuals": {**points, "new": {"t": 1.5, "x": 0.0}}}
    patch = diff(before, after)
    assert patch == {"checkins": 20_001, "actuals": {"new": {"t": 1.5, "x": 0.0}}}
