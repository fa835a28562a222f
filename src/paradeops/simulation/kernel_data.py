"""The named groups of arrays the compiled kernel reads and writes.

Plain ``NamedTuple``s of NumPy arrays: Numba passes them to compiled code as
structs (no Python objects inside the loop), and each field says what it holds.
Per-agent and per-unit groups are the same in every run; a run's draws, state
and record are one row of the chunk's ``[runs, …]`` arrays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Agent models (docs/simulation.md): the IDM, rank keeping, the improved IDM.
MODEL_IDM, MODEL_RANK, MODEL_IIDM = 0, 1, 2
#: How a unit steps off: a gap behind the unit ahead, a clock time, with its real unit (ghost).
RULE_GAP, RULE_TIME, RULE_GHOST = 0, 1, 2
#: A unit's mode on the road; STARTING: released, its first (partial) step still to come.
WAITING, ACTIVE, RETIRED, STARTING = 0, 1, 2, 3
#: Where a unit's head is with its show stop.
STOP_NONE, STOP_STOPPED, STOP_DONE = 0, 1, 2


class Agents(NamedTuple):
    """Per agent, in order of march (a leader has a smaller index than its follower)."""

    unit: IntArray
    leader: IntArray  # the agent ahead, -1 for the first of the column
    length: FloatArray  # from front to back [m]
    model: IntArray  # MODEL_*
    speed_ratio: FloatArray  # desired speed / the unit's desired speed
    accel: FloatArray  # a [m/s²]
    decel: FloatArray  # b [m/s²]
    tau: FloatArray  # IDM time headway T; rank keeping: relaxation time [s]
    delta: FloatArray  # IDM acceleration exponent
    s0: FloatArray  # IDM jam distance; rank keeping: the distance to keep [m]
    inv_2sqrt_ab: FloatArray  # 1 / (2·sqrt(a·b)), the IDM's braking term, hoisted


class Units(NamedTuple):
    """Per unit: real ground units and their ghosts, in the layout's order."""

    first: IntArray  # its first agent (the head)
    last: IntArray  # its last agent (the tail)
    rule: IntArray  # RULE_*
    prev: IntArray  # the unit ahead, -1 for none
    next: IntArray  # the unit behind, -1 for none
    gap: FloatArray  # RULE_GAP: steps off once the tail ahead is this far past the start [m]
    ghost: IntArray  # its ghost, -1 for none
    stop_x: FloatArray  # show stop position [m], inf for none
    retire_x: FloatArray  # frozen once its tail is past this point [m]
    length: FloatArray  # planned road space, for speed limits [m]
    free_x: FloatArray  # release point: past it, it holds no one [m]


class Route(NamedTuple):
    """Speed limits and the points where passing times are recorded."""

    limit_from: FloatArray  # [m]
    limit_to: FloatArray  # [m]
    limit_speed: FloatArray  # [m/s]
    probes: FloatArray  # ascending [m]
    stand: int  # index of the reviewing stand among the probes


class Clock(NamedTuple):
    t0: float  # time of the first step [s]
    dt: float  # step [s]
    n_steps: int  # at most this many steps
    #: Units in free flow cruise in one move (docs/simulation.md); False: every
    #: agent every step (the full model, which the shortcut must agree with).
    shortcuts: bool = True
    #: Plain marching takes the kernel's fast step (the same results to the
    #: bit); False: the full step everywhere (tests compare the two).
    fast_step: bool = True


class Draws(NamedTuple):
    """Per run and unit (``[runs, units]``, or one run's row): the day's deviations."""

    release_t: FloatArray  # when it steps off [s]; inf until a RULE_GAP unit's gap opens
    speed: FloatArray  # desired march speed [m/s]
    delay: FloatArray  # step-off delay after its gap opened [s]
    stop_s: FloatArray  # show-stop duration [s]


class Motion(NamedTuple):
    """Per run and agent (``[runs, agents]`` or a row): front position [m] and speed [m/s]."""

    x: FloatArray
    v: FloatArray


class Record(NamedTuple):
    """What a run leaves behind (``[runs, …]`` or a run's rows); NaN where never reached."""

    head_t: FloatArray  # [units, probes] when the unit's front passes each probe [s]
    tail_t: FloatArray  # [units, probes] when its back passes [s]
    gap_m: FloatArray  # [units] road empty ahead of its head as the head reaches the stand [m]


class Outcomes(NamedTuple):
    """Per run of a chunk."""

    updates: IntArray  # agent positions computed
    finished: BoolArray  # every unit retired before the last step


class UnitState(NamedTuple):
    """One run's per-unit bookkeeping, created by the kernel."""

    mode: IntArray  # WAITING, ACTIVE, RETIRED
    stop: IntArray  # STOP_*
    stop_until: FloatArray  # end of the show stop [s]
    head_next: IntArray  # the next probe its head will pass
    tail_next: IntArray  # the next probe its tail will pass


class Outcome(NamedTuple):
    """One run's result."""

    updates: int
    finished: bool


class Step(NamedTuple):
    """An agent's position and speed at the end of a step."""

    x: float
    v: float


class Ahead(NamedTuple):
    """What an agent sees in front: the bumper-to-bumper gap [m] (inf: nobody) and its speed."""

    gap: float
    speed: float


class Release(NamedTuple):
    next_t: float  # the earliest step-off still to come [s], inf for none
    highest: int  # the highest unit index on the road


class Advance(NamedTuple):
    updates: int  # agent positions computed
    next_release: float  # the earliest step-off still to come [s]
