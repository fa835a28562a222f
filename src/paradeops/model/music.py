"""The music program of a plan: bands, where they stand, their cue sheets.

Plan section ``music:`` (see docs/composition.md). Pure: pydantic models and
cross-reference checks on the plain data, yielding ``(loc, message, hint)``
like :mod:`paradeops.model.checks`. Timing and the coverage, overlap and
tempo checks are in :mod:`paradeops.composition.music`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from paradeops.model.input_types import (
    Flag,
    Fraction,
    Metres,
    PerMinute,
    PositiveMetres,
    PositiveSeconds,
    SignedMetres,
    SignedSeconds,
)

Loc = tuple[str | int, ...]
Issue = tuple[Loc, str, str]

_Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=64,
        description="Short identifier: letters, digits, '-', '_' or '.'",
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Piece(_Strict):
    """One piece on a cue sheet."""

    title: str = Field(min_length=1, description="Title of the piece", examples=["Slavianka"])
    composer: str | None = Field(None, description="Composer, for the programme")
    duration_s: PositiveSeconds = Field(description="Length of one playing [s]", examples=[180])
    tempo_bpm: PerMinute = Field(
        description="Beats per minute; one beat is one step", examples=[116]
    )
    cue: str | None = Field(
        None,
        description="Unit id: the piece starts when that unit's head reaches the band "
        "(the piece before is cut there, or repeated until then); the sheet also gives "
        "when it reaches the reviewing stand",
    )
    note: str | None = Field(None, description="Free text")


class Span(_Strict):
    """The units a band accompanies: from one unit to another, in order of march."""

    from_: str = Field(alias="from", description="First unit accompanied (order of march)")
    to: str = Field(description="Last unit accompanied")


class Band(_Strict):
    """A band playing in place beside the route, and its cue sheet."""

    id: _Id
    name: str | None = Field(None, description="Name for tables (default: the id)")
    at: str | None = Field(
        None, description="Checkpoint id; default the reviewing stand (or give at_m)"
    )
    offset_m: SignedMetres = Field(
        0.0, description="Along the route from `at` [m] (negative: before)"
    )
    at_m: Metres | None = Field(
        None,
        description="Position along the route [m], on the checkpoints' `at_m` scale; "
        "instead of `at` and `offset_m`",
        examples=[572],
    )
    accompanies: list[str] | Span = Field(
        description="Unit ids (the band plays from the first to the last of them, in order "
        "of march) or {from: X, to: Y}"
    )
    start_offset_s: SignedSeconds = Field(
        0.0,
        description="Start this long after the first unit's head comes within "
        "hearing_distance_m of the band [s]",
    )
    repeat: Literal["last", "sheet"] = Field(
        "last",
        description="When the pieces run out before the band stops (the last tail out of "
        "hearing): repeat the "
        "last piece, or the whole sheet (da capo)",
    )
    pieces: list[Piece] = Field(
        min_length=1, max_length=1000, description="The cue sheet, in the order played"
    )

    @property
    def label(self) -> str:
        return self.name or self.id


class MusicProgram(_Strict):
    """The ``music:`` section of a plan."""

    hearing_distance_m: PositiveMetres = Field(
        150.0,
        description="Two bands closer than this are heard together; a band this close "
        "to the reviewing stand is heard there; a band plays while the units it "
        "accompanies are this close to it",
    )
    tempo_tolerance_spm: Annotated[Fraction, Field(ge=0, le=300)] = Field(
        4.0, description="Largest allowed |tempo_bpm - cadence_spm|"
    )
    require_for_vehicles: Flag = Field(
        False, description="Vehicles and floats must be covered too (else silence is allowed)"
    )
    bands: list[Band] = Field(
        min_length=1, max_length=1000, description="Bands playing in place beside the route"
    )


@dataclass(frozen=True)
class _Known:
    """What the plain plan data says about units and checkpoints, for cross-references."""

    order: dict[Any, int]  # unit id -> place in the order of march
    kinds: dict[Any, Any]  # unit id -> kind
    cps: set[Any]
    # Positions known from the plain data (checkpoints placed by a geometry are not).
    where_m: dict[Any, float | None]
    stand: Any
    ends: tuple[float | None, float | None] | None


def _known(data: Mapping[str, Any]) -> _Known:
    units = [u for u in _list(data.get("units")) if isinstance(u, Mapping)]
    route = data.get("route")
    cp_list = [
        c
        for c in _list(route.get("checkpoints") if isinstance(route, Mapping) else None)
        if isinstance(c, Mapping)
    ]
    return _Known(
        order={u["id"]: i for i, u in enumerate(units) if isinstance(u.get("id"), str)},
        kinds={u["id"]: u.get("kind") for u in units if isinstance(u.get("id"), str)},
        cps={c.get("id") for c in cp_list},
        where_m={c.get("id"): _num(c.get("at_m")) for c in cp_list},
        stand=next((c.get("id") for c in cp_list if c.get("reviewing") is True), None),
        ends=(_num(cp_list[0].get("at_m")), _num(cp_list[-1].get("at_m"))) if cp_list else None,
    )


def music_issues(data: Any) -> Iterator[Issue]:
    """Cross-references of ``music:`` (plain data) to units and checkpoints."""
    if not isinstance(data, Mapping) or not isinstance(data.get("music"), Mapping):
        return
    known = _known(data)
    seen: set[str] = set()
    for b, raw in enumerate(_list(data["music"].get("bands"))):
        if not isinstance(raw, Mapping):
            continue
        loc: Loc = ("music", "bands", b)
        bid = raw.get("id")
        if isinstance(bid, str):
            if bid in seen:
                yield (*loc, "id"), f"band id {bid!r} is used twice", "give each band its own id"
            seen.add(bid)
        at = raw.get("at")
        if isinstance(at, str) and at not in known.cps:
            hint = "known: " + ", ".join(map(str, known.cps))
            yield (*loc, "at"), f"unknown checkpoint {at!r}", hint
        yield from _placement(raw, loc, known.where_m, known.stand, known.ends)
        refs = _accompanied(raw, loc)
        yield from _accompany_issues(raw, loc, refs, known)
        span = [
            known.order[ref]
            for _, ref in refs
            if isinstance(ref, str) and ref in known.order and known.kinds[ref] != "aircraft"
        ]
        yield from _cue_issues(raw, loc, known.order, span)


def _accompanied(raw: Mapping[str, Any], loc: Loc) -> list[tuple[Loc, Any]]:
    """Where each unit the band accompanies is named: a list, or ``from``/``to``."""
    acc = raw.get("accompanies")
    if isinstance(acc, list):
        return [((*loc, "accompanies", i), r) for i, r in enumerate(acc)]
    if isinstance(acc, Mapping):
        return [((*loc, "accompanies", k), acc.get(k)) for k in ("from", "to")]
    return []


def _accompany_issues(
    raw: Mapping[str, Any], loc: Loc, refs: list[tuple[Loc, Any]], known: _Known
) -> Iterator[Issue]:
    """Accompanied units that are unknown or aircraft, and a ``from`` after its ``to``."""
    span = []
    for where, ref in refs:
        if not isinstance(ref, str):
            continue
        if ref not in known.order:
            yield where, f"unknown unit {ref!r}", "use a unit id from `units`"
        elif known.kinds[ref] == "aircraft":
            yield where, f"{ref!r} is an aircraft unit", "bands accompany units on the road"
        else:
            span.append(known.order[ref])
    acc = raw.get("accompanies")
    if isinstance(acc, Mapping) and len(span) == 2 and span[0] > span[1]:
        yield (
            (*loc, "accompanies"),
            f"{acc.get('from')!r} marches after {acc.get('to')!r}",
            "swap from and to",
        )


def _cue_issues(
    raw: Mapping[str, Any], loc: Loc, order: Mapping[Any, int], span: list[int]
) -> Iterator[Issue]:
    """Cues: not on the first piece, known units among those accompanied, in order of march."""
    lo, hi = (min(span), max(span)) if span else (None, None)
    last_cue = -1
    for p, piece in enumerate(_list(raw.get("pieces"))):
        cue = piece.get("cue") if isinstance(piece, Mapping) else None
        if not isinstance(cue, str):
            continue
        where = (*loc, "pieces", p, "cue")
        if p == 0:
            yield where, "the first piece starts with the band", "remove cue, or start_offset_s"
        elif cue not in order:
            yield where, f"unknown unit {cue!r}", "use a unit id from `units`"
        elif lo is not None and hi is not None and not lo <= order[cue] <= hi:
            yield (
                where,
                f"{cue!r} is not among the units this band accompanies",
                ("cue a unit between the first and last accompanied"),
            )
        elif order[cue] <= last_cue:
            yield (
                where,
                f"{cue!r} does not march after the previous cue",
                ("cues follow the order of march"),
            )
        else:
            last_cue = order[cue]


def _placement(
    raw: Mapping[str, Any],
    loc: Loc,
    where_m: Mapping[Any, float | None],
    stand: Any,
    ends: tuple[float | None, float | None] | None,
) -> Iterator[Issue]:
    """``at_m`` or ``at`` + ``offset_m``, not both; the band stands on the route."""
    at_m = _num(raw.get("at_m"))
    if raw.get("at_m") is not None:
        given = [k for k in ("at", "offset_m") if raw.get(k) is not None]
        if given:
            yield (
                (*loc, "at_m"),
                f"both at_m and {' and '.join(given)} given",
                "place the band by at_m, or by at and offset_m",
            )
            return
        pos, field = at_m, "at_m"
    else:
        at = raw.get("at")
        base = where_m.get(at if isinstance(at, str) else stand)
        offset = _num(raw.get("offset_m", 0.0))
        pos = None if base is None or offset is None else base + offset
        field = "offset_m" if "offset_m" in raw else "at"
    lo, hi = ends if ends is not None else (None, None)
    if pos is None or lo is None or hi is None:
        return
    if not lo <= pos <= hi:
        yield (
            (*loc, field),
            f"the band stands at {pos:g} m, off the route ({lo:g} to {hi:g} m)",
            "place it between the first checkpoint and the last",
        )


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []
