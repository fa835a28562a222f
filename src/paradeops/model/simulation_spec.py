"""The plan's ``simulation:`` section: what may go wrong on the day, and how likely.

Every field has a default, so a plan without the section can still be
simulated. Distributions are written as one mapping with a ``dist`` tag::

    simulation:
      step_off_delay_s: {dist: lognormal, median: 4, sigma: 0.8}
      speed_factor: {dist: normal, mean: 1.0, sd: 0.03}
      show_stop_overrun_s: {dist: triangular, low: -5, mode: 5, high: 40}
      units:
        t-90m: {speed_factor: {dist: fixed, value: 0.92}}   # a what-if
      idm:
        vehicles: {accel_ms2: 0.8, decel_ms2: 1.5, tau_s: 1.2}
      incident_duration_s:
        breakdown: {median_s: 900, p90_s: 2400}   # floats towed, not repaired

Parameters are checked here (pydantic, ``extra="forbid"``), so an impossible
distribution is reported with its file and line like any other plan field.
Samples are drawn from it by :mod:`paradeops.simulation.sampling`.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from paradeops.errors import ValueAt
from paradeops.model.input_types import MAX_DURATION_S, Fraction, Metres, Real, Seconds

DistKind = Literal["fixed", "normal", "lognormal", "uniform", "triangular"]

#: Which parameters each distribution takes (all required).
PARAMETERS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, defer_build=True)


class Distribution(_Strict):
    """A random quantity: ``fixed`` (no noise), ``normal``, ``lognormal``
    (``median`` and ``sigma`` of the logarithm: right-skewed, never negative),
    ``uniform`` or ``triangular``."""

    dist: DistKind = Field(description="fixed, normal, lognormal, uniform or triangular")
    value: Real | None = Field(None, description="fixed: the value")
    mean: Real | None = Field(None, description="normal: the mean")
    sd: Real | None = Field(None, description="normal: the standard deviation (0 or more)")
    median: Real | None = Field(None, description="lognormal: the median (above 0)")
    sigma: Real | None = Field(
        None, description="lognormal: the standard deviation of the logarithm (0 or more)"
    )
    low: Real | None = Field(None, description="uniform, triangular: the smallest value")
    mode: Real | None = Field(None, description="triangular: the most likely value")
    high: Real | None = Field(None, description="uniform, triangular: the largest value")

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        wanted = PARAMETERS[self.dist]
        given = {k for k in ("value", "mean", "sd", "median", "sigma", "low", "mode", "high")
                 if getattr(self, k) is not None}
        missing = [k for k in wanted if k not in given]
        extra = sorted(given - set(wanted))
        usage = f"{self.dist} takes {', '.join(wanted)}"
        if missing:
            raise ValueError(f"{self.dist} distribution needs {', '.join(missing)} ({usage})")
        if extra:
            raise ValueError(f"{self.dist} distribution takes no {', '.join(extra)} ({usage})")
        for k in wanted:
            if not math.isfinite(getattr(self, k)):
                raise ValueError(f"{k} must be a finite number")
        if self.dist == "normal" and (self.sd or 0.0) < 0:
            raise ValueError(f"sd must be 0 or more, got {self.sd:g}")
        if self.dist == "lognormal":
            if (self.median or 0.0) <= 0:
                raise ValueError(f"a lognormal median must be above 0, got {self.median:g}")
            if (self.sigma or 0.0) < 0:
                raise ValueError(f"sigma must be 0 or more, got {self.sigma:g}")
        if self.dist == "uniform" and not (self.low or 0.0) <= (self.high or 0.0):
            raise ValueError(f"low ({self.low:g}) must not exceed high ({self.high:g})")
        if self.dist == "triangular":
            lo, mo, hi = self.low or 0.0, self.mode or 0.0, self.high or 0.0
            if not lo <= mo <= hi:
                raise ValueError(f"need low <= mode <= high, got {lo:g}, {mo:g}, {hi:g}")
        return self

    def bounds(self) -> tuple[float, float]:
        """The smallest and largest value it can take."""
        if self.dist == "fixed":
            assert self.value is not None
            return self.value, self.value
        if self.dist in ("uniform", "triangular"):
            assert self.low is not None and self.high is not None
            return self.low, self.high
        if self.dist == "lognormal":
            return 0.0, math.inf
        assert self.sd is not None and self.mean is not None
        return (-math.inf, math.inf) if self.sd > 0 else (self.mean, self.mean)

    @classmethod
    def fixed(cls, value: float) -> Distribution:
        return cls(dist="fixed", value=value)


def _d(**kw: float | str) -> Distribution:
    return Distribution.model_validate(kw)


def _positive_factor(d: Distribution | None) -> Distribution | None:
    """A speed factor must be above 0 (samples are also clipped to [0.2, 3])."""
    if d is None:
        return d
    low, _ = d.bounds()
    centre = d.mean if d.dist == "normal" else low
    if d.dist != "lognormal" and (centre is None or centre <= 0):
        raise ValueError(
            "a speed factor must be above 0 (1.0 is the planned speed, 0.92 is 8 % slow)"
        )
    return d


class IdmParams(_Strict):
    """Intelligent Driver Model parameters (Treiber, Hennecke & Helbing 2000)."""

    accel_ms2: Annotated[Fraction, Field(gt=0, le=10)] = Field(
        1.0, description="Maximum acceleration a [m/s²]"
    )
    decel_ms2: Annotated[Fraction, Field(gt=0, le=10)] = Field(
        1.5, description="Comfortable braking b [m/s²]"
    )
    tau_s: Annotated[Fraction, Field(ge=0, le=10)] = Field(
        1.0, description="Desired time headway T [s]"
    )
    delta: Annotated[Fraction, Field(gt=0, le=20)] = Field(4.0, description="Acceleration exponent")
    min_gap_m: Metres | None = Field(
        None, description="Jam distance s0 to the unit ahead; default defaults.min_gap_m"
    )


class IdmByKind(_Strict):
    """IDM parameters for the agent leading each unit (and every vehicle and float)."""

    foot: IdmParams = Field(
        default_factory=lambda: IdmParams(accel_ms2=1.5, decel_ms2=2.0),
        description="Formations on foot",
    )
    band: IdmParams = Field(
        default_factory=lambda: IdmParams(accel_ms2=1.5, decel_ms2=2.0),
        description="Bands",
    )
    mounted: IdmParams = Field(default_factory=IdmParams, description="Mounted formations")
    vehicles: IdmParams = Field(default_factory=IdmParams, description="Vehicles")
    float: IdmParams = Field(
        default_factory=lambda: IdmParams(accel_ms2=0.5, decel_ms2=1.0),
        description="Floats",
    )


class RankKeeping(_Strict):
    """How the ranks behind a formation's first rank keep their distance (docs/simulation.md)."""

    relax_s: Annotated[Fraction, Field(gt=0, le=30)] = Field(
        2.0, description="Time in which a rank closes an error in its distance to the rank ahead"
    )
    max_pace_factor: Annotated[Fraction, Field(ge=1, le=2)] = Field(
        1.15, description="A rank may lengthen its pace by at most this factor to close up"
    )
    accel_ms2: Annotated[Fraction, Field(gt=0, le=10)] = Field(
        1.5, description="How quickly a rank changes speed (one pace to full speed)"
    )


class UnitOverride(_Strict):
    """What-ifs for one unit: replace the parade-wide distributions."""

    step_off_delay_s: Distribution | None = Field(
        None, description="Replaces simulation.step_off_delay_s for this unit [s]"
    )
    speed_factor: Distribution | None = Field(
        None, description="Replaces simulation.speed_factor for this unit"
    )
    show_stop_overrun_s: Distribution | None = Field(
        None, description="Replaces simulation.show_stop_overrun_s for this unit [s]"
    )

    _factor = field_validator("speed_factor")(_positive_factor)


IncidentCode = Literal[
    "breakdown", "medical", "weather", "security", "show_stop_overrun", "crowd", "other"
]
INCIDENT_CODES: tuple[IncidentCode, ...] = (
    "breakdown",
    "medical",
    "weather",
    "security",
    "show_stop_overrun",
    "crowd",
    "other",
)
#: The standard normal's 90th percentile: a lognormal's P90 is its median × e^(σ·Z90).
Z90 = NormalDist().inv_cdf(0.9)
#: The shortest median accepted [s]: with the day as the longest P90, σ stays under 9
#: (a sub-second median would let e^(σz) overflow in the draws).
MIN_INCIDENT_MEDIAN_S = 1.0
#: The defaults' P90 over median: σ = ln 1.9 / Z90 ≈ 0.50 (one in ten lasts past
#: 1.9 times the typical time, one in ten ends within half of it).
DEFAULT_P90_RATIO = 1.9


class IncidentDuration(_Strict):
    """How long an incident of one code holds its unit: lognormal (right-skewed, never
    negative, the usual model of incident and repair durations), given by the two
    figures an organiser can state: the typical time (median) and the time only one
    incident in ten outlasts (90th percentile). σ of the logarithm is
    ln(p90_s / median_s) / 1.2816; p90_s equal to median_s is a fixed duration."""

    median_s: Annotated[Real, Field(ge=MIN_INCIDENT_MEDIAN_S, le=MAX_DURATION_S)] = Field(
        description="Half of these incidents are over by then [s]; the control room and "
        "the announcer expect an open one to last this long",
        examples=[600],
    )
    p90_s: Annotated[Real, Field(ge=MIN_INCIDENT_MEDIAN_S, le=MAX_DURATION_S)] = Field(
        description="Nine in ten are over by then [s]; at least median_s",
        examples=[1140],
    )

    @model_validator(mode="after")
    def _p90_not_below_median(self) -> IncidentDuration:
        if self.p90_s < self.median_s:
            raise ValueAt(
                ("p90_s",),
                f"p90_s ({self.p90_s:g}) must be at least median_s ({self.median_s:g}): "
                "nine incidents in ten are over by p90_s, half of them by median_s",
            )
        return self

    @property
    def sigma(self) -> float:
        """The standard deviation of the duration's logarithm."""
        return math.log(self.p90_s / self.median_s) / Z90


def _typical(median_s: float) -> IncidentDuration:
    return IncidentDuration(median_s=median_s, p90_s=DEFAULT_P90_RATIO * median_s)


class IncidentDurations(_Strict):
    """How long an incident holds its unit, by code. The defaults' medians are what
    organisers of street parades report; each P90 is 1.9 times its median (σ ≈ 0.5).
    A code left out keeps its default."""

    breakdown: IncidentDuration = Field(
        _typical(600.0), description="A float or vehicle repaired or towed off (~10 min)"
    )
    medical: IncidentDuration = Field(
        _typical(300.0), description="A participant helped off the route (~5 min)"
    )
    weather: IncidentDuration = Field(_typical(900.0), description="A squall waited out (~15 min)")
    security: IncidentDuration = Field(
        _typical(600.0), description="A check, or an object cleared (~10 min)"
    )
    show_stop_overrun: IncidentDuration = Field(
        _typical(120.0), description="A performance run long (~2 min)"
    )
    crowd: IncidentDuration = Field(
        _typical(300.0), description="Spectators cleared off the route (~5 min)"
    )
    other: IncidentDuration = Field(_typical(300.0), description="Anything else (~5 min)")

    @model_validator(mode="before")
    @classmethod
    def _known_codes(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key not in INCIDENT_CODES:
                    raise ValueAt(
                        (str(key),),
                        f"{key!r} is not an incident code: give one of "
                        + ", ".join(INCIDENT_CODES),
                    )
        return data

    def of(self, code: str) -> IncidentDuration:
        """The duration of ``code``'s incidents (``other``'s for a code not listed)."""
        found = getattr(self, code, None) if code in INCIDENT_CODES else None
        return found if isinstance(found, IncidentDuration) else self.other

    def medians(self) -> dict[str, float]:
        """Each code's median [s]: how long the projection expects an open incident to last."""
        return {code: self.of(code).median_s for code in INCIDENT_CODES}


class SimulationSpec(_Strict):
    """The ``simulation:`` section of a plan."""

    step_off_delay_s: Distribution = Field(
        default_factory=lambda: _d(dist="lognormal", median=3.0, sigma=0.8),
        description="Seconds a unit steps off after its planned moment (gap opened or clock time)",
    )
    speed_factor: Distribution = Field(
        default_factory=lambda: _d(dist="normal", mean=1.0, sd=0.03),
        description="Each unit's march speed is its planned speed times this",
    )
    show_stop_overrun_s: Distribution = Field(
        default_factory=lambda: _d(dist="triangular", low=-5.0, mode=0.0, high=30.0),
        description="Seconds a show stop runs longer than planned (negative: shorter)",
    )
    units: dict[str, UnitOverride] = Field(
        default_factory=dict, description="Per-unit what-ifs, by unit id"
    )
    idm: IdmByKind = Field(
        default_factory=IdmByKind,
        description="How the head of each kind of unit accelerates and follows (IDM)",
    )
    ranks: RankKeeping = Field(
        default_factory=RankKeeping,
        description="How ranks behind the first keep their distance",
    )
    unit_following: Literal["iidm", "idm"] = Field(
        "iidm",
        description="How a unit's first agent follows the unit ahead: the improved IDM "
        "(Treiber & Kesting 2013; no slowing while the gap exceeds the desired one, so a "
        "planned gap costs no time) or the plain IDM (a little slower at any gap)",
    )
    step_s: Annotated[Fraction, Field(ge=0.001, le=0.25)] = Field(
        0.05,
        description="Simulation time step [s]; the default keeps the error at the stand under "
        "0.2 s on long columns (docs/simulation.md); up to 0.25 for quicker, rougher runs "
        "(larger steps are unstable); at least 0.001 (a parade of hours would take days)",
    )
    held_threshold_s: Seconds = Field(
        5.0,
        description="A unit is held in a run when its head reaches the reviewing stand "
        "this much later than it would have with the road ahead empty",
    )
    incident_duration_s: IncidentDurations = Field(
        default_factory=IncidentDurations,
        description="How long an incident holds its unit, by code (median and P90 of a "
        "lognormal): the control room expects the median, the public ETA ranges draw from it",
    )

    _factor = field_validator("speed_factor")(_positive_factor)
