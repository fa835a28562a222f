"""The seed check the CLI's ``--seed`` and the API's ``seed=`` share (paradeops/seeds.py)."""

from __future__ import annotations

import pytest

from paradeops.errors import Problem, UserError
from paradeops.seeds import MAX_SEED, check_seed


def api_check(seed: object) -> None:
    check_seed(seed, field="seed", named="seed", example="seed=42")


@pytest.mark.parametrize("seed", [None, 0, 42, 2**128 - 1])
def test_seeds_numpy_takes_pass(seed: object) -> None:
    api_check(seed)


def test_the_largest_seed_is_128_bits() -> None:
    assert MAX_SEED == 340282366920938463463374607431768211455


@pytest.mark.parametrize(
    ("seed", "shown"),
    [(-1, "-1"), (2**128, "340282366920938463463374607431768211456"), (True, "True"),
     (1.0, "1.0"), ("7", "'7'")],
)
def test_other_seeds_are_named_with_the_rule(seed: object, shown: str) -> None:
    with pytest.raises(UserError) as caught:
        api_check(seed)
    assert caught.value.problems == (
        Problem(
            f"seed must be a whole number from 0 to 2**128 - 1, got {shown}",
            field="seed",
            hint="e.g. seed=42; the same seed gives the same runs",
        ),
    )


def test_the_cli_names_its_option() -> None:
    with pytest.raises(UserError) as caught:
        check_seed(-5, field="--seed", named="the seed", example="--seed 42")
    assert str(caught.value) == (
        "--seed: the seed must be a whole number from 0 to 2**128 - 1, got -5\n"
        "  → e.g. --seed 42; the same seed gives the same runs"
    )
