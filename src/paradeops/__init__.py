"""ParadeOps: plan, time and run parades and state ceremonies.

The Python API, for notebooks and scripts::

    import paradeops

    plan = paradeops.load_plan("examples/victory-day-2025/plan.yaml")
    table = paradeops.schedule(plan).to_frame()      # needs pandas

The functions live in :mod:`paradeops.api` and are imported on first use:
the CLI imports this package, and must start without loading them.
"""

import typing as _typing

from paradeops.errors import Problem, UserError

if _typing.TYPE_CHECKING:
    from paradeops.api import (
        announcements,
        compose,
        guest_status,
        load_guests,
        load_plan,
        load_tribunes,
        schedule,
        seat,
        simulate,
    )

__version__ = "0.1.0"

__all__ = [
    "Problem",
    "UserError",
    "__version__",
    "announcements",
    "compose",
    "guest_status",
    "load_guests",
    "load_plan",
    "load_tribunes",
    "schedule",
    "seat",
    "simulate",
]

#: The API's functions, resolved from paradeops.api on first access.
_LAZY = frozenset(__all__) - {"Problem", "UserError", "__version__"}


def __getattr__(name: str) -> _typing.Any:
    if name in _LAZY:
        from paradeops import api

        value = getattr(api, name)
        globals()[name] = value  # later accesses skip this hook
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    # The public names (the lazy ones before their first use too) and the
    # submodules imported so far; private helpers stay out of completions.
    return sorted({*__all__, *(name for name in globals() if not name.startswith("_"))})
