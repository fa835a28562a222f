"""The music program of a plan: bands, where they stand, their cue sheets.

Plan section ``music:`` (see docs/composition.md). Pure: pydantic models and
cross-reference checks on the plain data, yielding ``(loc, message, hint)``
like :mod:`paradeops.model.checks`. Timing and the coverage, overlap and
tempo checks are in :mod:`paradeops.composition.music`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from paradeops.model.input_types import (
    Flag,
    Fraction,
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
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


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
        "(the piece before is cut there, or repeated until then)",
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
    at: str | None = Field(None, description="Checkpoint id; default the reviewing stand")
    offset_m: SignedMetres = Field(
        0.0, description="Along the route from `at` [m] (negative: before)"
    )
    accompanies: list[str] | Span = Field(
        description="Unit ids (the band plays from the first to the last of them, in order "
        "of march) or {from: X, to: Y}"
    )
    start_offset_s: SignedSeconds = Field(
        0.0, description="Start this long after the first unit's head reaches the band [s]"
    )
    repeat: Literal["last", "sheet"] = Field(
        "last",
        description="When the pieces run out before the last tail has passed: repeat the "
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
        "to the reviewing stand is heard there",
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


def music_issues(data: Any) -> Iterator[Issue]:
    """Cross-references of ``music:`` (plain data) to units and checkpoints."""
    if not isinstance(data, Mapping) or not isinstance(data.get("music"), Mapping):
        return
    units = [u for u in _list(data.get("units")) if isinstance(u, Mapping)]
    order = {u["id"]: i for i, u in enumerate(units) if isinstance(u.get("id"), str)}
    kinds = {u["id"]: u.get("kind") for u in units if isinstance(u.get("id"), str)}
    route = data.get("route")
    cps = {
        c.get("id")
        for c in _list(route.get("checkpoints") if isinstance(route, Mapping) else None)
        if isinstance(c, Mapping)
    }
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
        if isinstance(at, str) and at not in cps:
            yield (*loc, "at"), f"unknown checkpoint {at!r}", "known: " + ", ".join(map(str, cps))
        span: list[int] = []
        acc = raw.get("accompanies")
        refs: list[tuple[Loc, Any]] = []
        if isinstance(acc, list):
            refs = [((*loc, "accompanies", i), r) for i, r in enumerate(acc)]
        elif isinstance(acc, Mapping):
            refs = [((*loc, "accompanies", k), acc.get(k)) for k in ("from", "to")]
        for where, ref in refs:
            if not isinstance(ref, str):
                continue
            if ref not in order:
                yield where, f"unknown unit {ref!r}", "use a unit id from `units`"
            elif kinds[ref] == "aircraft":
                yield where, f"{ref!r} is an aircraft unit", "bands accompany units on the road"
            else:
                span.append(order[ref])
        if isinstance(acc, Mapping) and len(span) == 2 and span[0] > span[1]:
            yield (
                (*loc, "accompanies"),
                f"{acc.get('from')!r} marches after {acc.get('to')!r}",
                "swap from and to",
            )
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


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []
