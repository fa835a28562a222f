"""The Python API: what the CLI does, as functions that return typed results.

``import paradeops`` makes these names available lazily (see
``paradeops/__init__.py``), so that the CLI, which imports the package, does
not pay for them. Each function calls the same readers and core functions as
the matching CLI command; results are the core's own value objects, and those
with a ``to_frame()`` turn into pandas DataFrames when pandas is installed.

Every mistake in an input raises :class:`paradeops.UserError`, whose message
names the file, line and field, as the CLI prints it. A function whose library
comes with an optional extra (``simulate``: numba; guests and seating:
pycountry, pyuca, OR-Tools) raises a ``UserError`` saying which extra to
install when it is missing.

Docstrings are in the Google style (the docs site renders them with
mkdocstrings).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from paradeops.errors import UserError
from paradeops.extras import require
from paradeops.seeds import check_seed

if TYPE_CHECKING:
    from paradeops.composition.compose import Comparison
    from paradeops.model.plan import Plan
    from paradeops.protocol.announcements import AnnouncementCheck
    from paradeops.protocol.guests import GuestBook
    from paradeops.protocol.ledger import Status
    from paradeops.protocol.seating import Seating
    from paradeops.protocol.tribunes import Tribunes
    from paradeops.simulation.results import SimulationResult
    from paradeops.timing.schedule import Schedule

__all__ = [
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

#: A file name as the functions take it.
PathArg: TypeAlias = "str | os.PathLike[str]"
#: What a plan argument may be: the plan itself, or its file.
PlanArg: TypeAlias = "Plan | str | os.PathLike[str]"
#: An ``as_of`` moment: a day (everything recorded that day counts) or an aware
#: datetime, or either in ISO 8601 as the CLI's ``--as-of`` takes it.
Moment: TypeAlias = "dt.date | dt.datetime | str"

#: The CLI's bounds on ``--runs``.
MAX_RUNS = 1_000_000

_PROTOCOL_LIBRARIES = ("pycountry", "pyuca")


def load_plan(path: PathArg) -> Plan:
    """Read and check a plan file (YAML or JSON), with the files it names.

    Args:
        path: The plan file. A route geometry or equipment catalogue it names
            is read relative to the plan's folder.

    Returns:
        The checked plan.

    Raises:
        UserError: The file cannot be read, or has problems; every problem is
            listed with its file, line and field.

    Example:
        >>> plan = paradeops.load_plan("examples/victory-day-2025/plan.yaml")
        >>> len(plan.units)
        44
    """
    from paradeops.io.planfile import load_plan as read_plan

    return read_plan(_path(path, "path"))


def schedule(plan: PlanArg) -> Schedule:
    """The movement table: when every unit's head and tail pass every checkpoint.

    The same as ``paradeops schedule PLAN``: the timing engine's deterministic
    schedule, with its findings (``catch_up``, ``gap``, ``window``,
    ``flypast``) in ``Schedule.findings``.

    Args:
        plan: A plan from :func:`load_plan`, or the path of a plan file.

    Returns:
        The schedule; times are seconds from ``Schedule.reference`` (the
        parade's start, time-zone aware). ``Schedule.to_frame()`` gives one
        row per unit and checkpoint.

    Raises:
        UserError: The plan file has problems, or the plan cannot be timed.

    Example:
        >>> s = paradeops.schedule("examples/victory-day-2025/plan.yaml")
        >>> s.to_frame()[["unit_id", "checkpoint", "head"]].head(2)
    """
    from paradeops.timing.engine import schedule as compute_schedule

    loaded, file = _plan(plan)
    try:
        return compute_schedule(loaded)
    except UserError as e:
        raise e if file is None else e.with_file(file) from None


def simulate(
    plan: PlanArg,
    runs: int = 1000,
    seed: int | None = None,
    *,
    planned: Schedule | None = None,
) -> SimulationResult:
    """Monte Carlo runs of the parade: percentiles, P(held), P(gap), P(late).

    The same as ``paradeops simulate PLAN --runs RUNS --seed SEED``. Needs
    numba (the ``sim`` extra).

    Args:
        plan: A plan from :func:`load_plan`, or the path of a plan file.
        runs: How many runs, 1 to 1,000,000.
        seed: Any whole number from 0 to 2**128 - 1 for reproducible runs;
            None draws fresh entropy.
        planned: The plan's schedule if you already have it (else computed).

    Returns:
        The result; times are seconds from the plan's reference, as in the
        schedule. ``result.to_frame(schedule)`` gives one row per unit and
        checkpoint with clock times.

    Raises:
        UserError: Bad ``runs`` or ``seed``, a plan with problems, or numba
            not installed.

    Example:
        >>> r = paradeops.simulate(plan, runs=200, seed=7)
        >>> r.window.probability_late
    """
    _check_runs(runs)
    check_seed(seed, field="seed", named="seed", example="seed=42")
    require("numba", what="simulate")
    import numpy as np

    from paradeops.simulation import simulate as run_simulation

    loaded, file = _plan(plan)
    try:
        sched = planned if planned is not None else schedule(loaded)
        return run_simulation(loaded, sched, runs, np.random.default_rng(seed), seed=seed)
    except UserError as e:
        raise e if file is None else e.with_file(file) from None


def load_guests(path: PathArg) -> GuestBook:
    """Read and check a guest book (``guests.yaml``): guests, history, announcements.

    Needs pycountry and pyuca (the ``protocol`` extra).

    Args:
        path: The guest file.

    Returns:
        The guest book; every status is derived from its append-only history.

    Raises:
        UserError: The file cannot be read or has problems (every one, located),
            or the ``protocol`` extra is not installed.

    Example:
        >>> book = paradeops.load_guests("examples/victory-day-2025/guests.yaml")
        >>> len(book.guests)
    """
    require(*_PROTOCOL_LIBRARIES, what="load_guests")
    from paradeops.io.guestfiles import load_guests as read_guests

    return read_guests(_path(path, "path"))


def load_tribunes(path: PathArg) -> Tribunes:
    """Read and check a tribune file (``tribunes.yaml``): sections, rows, the host's seat.

    Args:
        path: The tribune file.

    Returns:
        The tribunes, as :func:`seat` and ``Seating.to_frame`` take them.

    Raises:
        UserError: The file cannot be read or has problems.

    Example:
        >>> tribunes = paradeops.load_tribunes("examples/victory-day-2025/tribunes.yaml")
    """
    require(*_PROTOCOL_LIBRARIES, what="load_tribunes")
    from paradeops.io.guestfiles import load_tribunes as read_tribunes

    return read_tribunes(_path(path, "path"))


def guest_status(guests: GuestBook | PathArg, as_of: Moment | None = None) -> dict[str, Status]:
    """Every guest's status, derived from the history, as known at ``as_of``.

    The same as ``paradeops guests status GUESTS --as-of AS_OF``.

    Args:
        guests: A guest book from :func:`load_guests`, or the path of one.
        as_of: What was known then: a date (the whole day counts) or an
            aware datetime, or either as ISO text (``"2025-05-05"``); None for
            everything recorded.

    Returns:
        Guest id → status (``listed``, ``invited``, ``confirmed``,
        ``declined``, ``cancelled``, ``attended``), in the book's order.

    Raises:
        UserError: A bad guest file, a naive ``as_of``, or the ``protocol``
            extra not installed.

    Example:
        >>> paradeops.guest_status(book, as_of="2025-05-05")["az-president"]
        <Status.confirmed: 'confirmed'>
    """
    require(*_PROTOCOL_LIBRARIES, what="guest_status")
    from paradeops.protocol.ledger import status_as_of

    return status_as_of(_book(guests), _moment(as_of))


def announcements(guests: GuestBook | PathArg) -> list[AnnouncementCheck]:
    """Each public announcement of the book held against the history at its date.

    The same as ``paradeops guests announcements GUESTS``.

    Args:
        guests: A guest book from :func:`load_guests`, or the path of one.

    Returns:
        One check per announcement, in the book's order: ``announcement.count``
        (what was said), ``actual`` (what the history gives), ``matches``,
        and the changes since the previous announcement.

    Raises:
        UserError: A bad guest file, or the ``protocol`` extra not installed.

    Example:
        >>> [c.actual for c in paradeops.announcements(book)]
    """
    require(*_PROTOCOL_LIBRARIES, what="announcements")
    from paradeops.protocol.announcements import check_announcements

    return check_announcements(_book(guests))


def seat(
    guests: GuestBook | PathArg,
    tribunes: Tribunes | PathArg,
    *,
    as_of: Moment | None = None,
    include_invited: bool = False,
    time_limit: float = 10.0,
    gap: float = 0.0,
) -> Seating:
    """Seat the expected guests by precedence: exact on the precedence seats, CP-SAT after.

    The same as ``paradeops seat GUESTS TRIBUNES``: the hosts, the guests
    confirmed (or attended) as of ``as_of``, and their interpreters. Needs
    OR-Tools (the ``seating`` extra) and the ``protocol`` extra.

    Args:
        guests: A guest book from :func:`load_guests`, or the path of one.
        tribunes: Tribunes from :func:`load_tribunes`, or the path of a file.
        as_of: Whom to seat: the statuses known then (a date or an aware
            datetime, or ISO text); None for everything recorded.
        include_invited: Seat guests still only invited, too.
        time_limit: The solver's time limit [s], at least 0.1.
        gap: Stop once within this relative gap of the lower bound (0 to 1).

    Returns:
        The seating: ``seats`` (guest id → seat index), ``status``
        (``OPTIMAL`` or ``FEASIBLE`` with its ``gap``), ``warnings()``.
        ``seating.to_frame(book, tribunes)`` gives one row per seated guest.

    Raises:
        UserError: Bad files or options, guests who cannot be seated as the
            rules ask (with what to change), or a missing extra.

    Example:
        >>> seating = paradeops.seat(book, tribunes, time_limit=5)
        >>> seating.status
        'OPTIMAL'
    """
    require("ortools", *_PROTOCOL_LIBRARIES, what="seat")
    from paradeops.protocol.ledger import seated_ids
    from paradeops.protocol.seating import SeatingError
    from paradeops.protocol.seating import seat as solve_seating
    from paradeops.protocol.tribunes import layout

    _check_solver_limits(time_limit, gap)
    book = _book(guests)
    stands, file = _tribunes(tribunes)
    lay = layout(stands)
    ids = seated_ids(book, _moment(as_of), include_invited=include_invited)
    try:
        return solve_seating(book, ids, lay, time_limit_s=time_limit, gap_limit=gap)
    except SeatingError as e:
        raise UserError(str(e), file=file, field=e.field, hint=e.hint) from None


def compose(plans: Sequence[PlanArg]) -> Comparison:
    """The composition of parades: counts by class, debuts, ratios to the first.

    The same as ``paradeops compose PLAN --vs OTHER …``: the first plan is
    compared with each of the others.

    Args:
        plans: Plans from :func:`load_plan`, or their paths; at least one.

    Returns:
        The comparison: ``parades`` (one composition each, in the order
        given) and ``ratios`` (the first's over each other's).
        ``comparison.to_frame()`` gives the counts by class, one column per
        parade.

    Raises:
        UserError: No plan, or a plan file with problems.

    Example:
        >>> cmp = paradeops.compose(["victory-day-2025/plan.yaml", "victory-day-2023/plan.yaml"])
        >>> cmp.ratios[0].text()
        '3.0× the vehicles of Victory Day Parade 2023'
    """
    from paradeops.composition.compose import compare

    if isinstance(plans, str | os.PathLike):
        raise UserError(
            "compose takes a list of plans, not one",
            field="plans",
            hint="compose([plan_2025, plan_2023])",
        )
    if not plans:
        raise UserError(
            "compose needs at least one plan", field="plans", hint="compose([plan_2025, plan_2023])"
        )
    return compare([_plan(p)[0] for p in plans])


# --------------------------------------------------------------- arguments


def _path(value: object, field: str) -> Path:
    """``value`` as a path; a UserError naming ``field`` if it is not one."""
    # Path("") is ".", the current folder: an empty name is a mistake, not a folder.
    if isinstance(value, str | os.PathLike) and os.fspath(value):
        return Path(value)
    raise UserError(f"{field} must be a file name (str or os.PathLike), got {value!r}", field=field)


def _plan(plan: PlanArg) -> tuple[Plan, str | None]:
    """The plan, read if a path was given, and the file it came from (for messages)."""
    from paradeops.model.plan import Plan

    if isinstance(plan, Plan):
        return plan, None
    path = _path(plan, "plan")
    return load_plan(path), str(path)


def _book(guests: GuestBook | PathArg) -> GuestBook:
    require(*_PROTOCOL_LIBRARIES, what="guests")
    from paradeops.protocol.guests import GuestBook

    return guests if isinstance(guests, GuestBook) else load_guests(_path(guests, "guests"))


def _tribunes(tribunes: Tribunes | PathArg) -> tuple[Tribunes, str | None]:
    from paradeops.protocol.tribunes import Tribunes

    if isinstance(tribunes, Tribunes):
        return tribunes, None
    path = _path(tribunes, "tribunes")
    return load_tribunes(path), str(path)


def _moment(as_of: Moment | None) -> dt.date | dt.datetime | None:
    """A date, or a datetime with its offset: a naive one would be read in no zone."""
    if isinstance(as_of, str):
        as_of = _parse_moment(as_of)
    if as_of is None or (isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime)):
        return as_of
    if isinstance(as_of, dt.datetime):
        if as_of.tzinfo is None or as_of.utcoffset() is None:
            raise UserError(
                f"as_of {as_of.isoformat()} has no UTC offset",
                field="as_of",
                hint="give a date, or a datetime with tzinfo (2025-05-07T12:00+03:00)",
            )
        return as_of
    raise UserError(
        f"as_of must be a date or a datetime, got {as_of!r}",
        field="as_of",
        hint="e.g. as_of=datetime.date(2025, 5, 5) or as_of='2025-05-05'",
    )


def _parse_moment(text: str) -> dt.date | dt.datetime:
    """``YYYY-MM-DD`` or an ISO datetime, as ``--as-of`` reads them."""
    from paradeops.protocol.guests import moment_from_text

    text = text.strip()
    try:
        return moment_from_text(text)
    except ValueError:
        raise UserError(
            f"as_of {text!r} is not a date",
            field="as_of",
            hint="write YYYY-MM-DD or 2025-05-07T12:00+03:00",
        ) from None


def _check_solver_limits(time_limit: float, gap: float) -> None:
    """The seating solver's time limit and relative gap, or a UserError naming the bad one."""
    if not time_limit >= 0.1:
        raise UserError(
            f"time_limit must be at least 0.1 s, got {time_limit}",
            field="time_limit",
            hint="e.g. time_limit=10",
        )
    if not 0.0 <= gap <= 1.0:
        raise UserError(
            f"gap must be from 0 to 1, got {gap}",
            field="gap",
            hint="e.g. gap=0.01 stops within 1 % of the bound",
        )


def _check_runs(runs: int) -> None:
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= MAX_RUNS:
        raise UserError(
            f"runs must be a whole number from 1 to {MAX_RUNS:,}, got {runs!r}",
            field="runs",
            hint="e.g. runs=1000",
        )
