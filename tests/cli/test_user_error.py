"""UserError hashes, pickles and compares by its problems."""

from __future__ import annotations

import functools
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paradeops.errors import Problem, UserError

texts = st.text(min_size=1, max_size=20)
problems = st.builds(
    Problem,
    texts,
    file=st.none() | texts,
    line=st.none() | st.integers(1, 10_000),
    field=st.none() | texts,
    hint=st.none() | texts,
)


def test_hashable_and_usable_in_a_set() -> None:
    a, b = UserError("x"), UserError("x")
    assert hash(a) == hash(b)
    assert {a, b, UserError("y")} == {UserError("x"), UserError("y")}


def test_equal_by_problems_and_type() -> None:
    assert UserError("x", line=3) == UserError(problems=[Problem("x", line=3)])
    assert UserError("x", line=3) != UserError("x", line=4)

    class Other(UserError):
        pass

    assert Other("x") != UserError("x")


def test_cached_function_may_raise_and_take_it() -> None:
    @functools.lru_cache
    def message(e: UserError) -> str:
        return str(e)

    assert message(UserError("x", file="p.yaml", line=2)) == "p.yaml:2: x"


def test_problems_are_a_tuple_and_the_text_joins_them() -> None:
    e = UserError("first", file="a.yaml", problems=[Problem("second", field="f", hint="do")])
    assert e.problems == (Problem("first", file="a.yaml"), Problem("second", field="f", hint="do"))
    assert str(e) == "a.yaml: first\nf: second\n  → do"
    assert e.args == (str(e),)


def test_needs_a_problem() -> None:
    with pytest.raises(ValueError):
        UserError()


def test_with_file_names_the_file_where_none_is_named() -> None:
    e = UserError(problems=[Problem("a", line=2), Problem("b", file="other.csv")])
    assert str(e.with_file("plan.yaml")) == "plan.yaml:2: a\nother.csv: b"


@given(st.lists(problems, min_size=1, max_size=4))
def test_pickle_round_trip_keeps_problems_and_type(found: list[Problem]) -> None:
    e = UserError(problems=found)
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is UserError
    assert back == e and hash(back) == hash(e)
    assert str(back) == str(e)


def test_pickle_round_trip_of_a_subclass() -> None:
    pytest.importorskip("fastapi")
    from paradeops.service.errors import TooLarge

    back = pickle.loads(pickle.dumps(TooLarge("too big", hint="smaller")))
    assert type(back) is TooLarge and str(back) == "too big\n  → smaller"
