"""The seeds of the Monte Carlo runs: checked before NumPy sees them (its own refusal
of a bad seed is a traceback). Pure; the CLI and the Python API name the seed each
their own way."""

from __future__ import annotations

from paradeops.errors import UserError

__all__ = ["MAX_SEED", "check_seed"]

#: NumPy takes seeds of 0 or more; 2**128 is as much entropy as its generator holds.
MAX_SEED = 2**128 - 1


def check_seed(seed: object, *, field: str, named: str, example: str) -> None:
    """Nothing for None or a whole number from 0 to :data:`MAX_SEED`; else a UserError
    on ``field`` that calls the seed ``named`` and sets one as ``example`` does."""
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise UserError(
            f"{named} must be a whole number from 0 to 2**128 - 1, got {seed!r}",
            field=field,
            hint=f"e.g. {example}; the same seed gives the same runs",
        )
