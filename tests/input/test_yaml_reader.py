"""The fast YAML reader on what used to send a file to the slow one, and the located refusals.

Findings of the outside tester: one alias or one ``!!str`` sent a 10,000-unit
plan to the round-trip reader and past its deadline; the deadline was wall
time; comment megabytes were read in one unbounded call; keys read as
numbers or ``true`` were reported on line 1 with no field; control bytes and
a NUL in a path gave no line or a bare ValueError.
"""

from __future__ import annotations

import threading
import time

import pytest

import paradeops.api as api
from paradeops.errors import UserError
from paradeops.io.planfile import parse_plan
from paradeops.model import yamlsource
from paradeops.model.yaml_fast import plain_data, round_trip_chars
from paradeops.model.yaml_limits import Budget, ReadLimits, cpu_seconds
from tests.input.corpus import PLAN

#: A limit under which every text of these tests is "large": refused by the
#: fast reader itself, never handed to the round-trip reader. The deadline is
#: given apart (a minute), so that it is not what refuses.
TINY = ReadLimits(max_seconds=0.0)


def _large_budget() -> Budget:
    return Budget(TINY, deadline=cpu_seconds() + 60)


def _message(text: str, limits: ReadLimits = yamlsource.DEFAULT_LIMITS) -> str:
    with pytest.raises(UserError) as e:
        parse_plan(text, "plan.yaml", limits=limits)
    return str(e.value)


def _round_trip(text: str) -> object:
    budget = Budget(yamlsource.DEFAULT_LIMITS)
    return yamlsource._plain(yamlsource._load(text, "f", budget), budget)


# --- what used to go to the round-trip reader is read here ------------------------


def _units(n: int) -> str:
    """``n`` foot units, each kind an alias of the first's, the name tagged ``!!str``."""
    head = PLAN.split("units:\n")[0].replace("name: Test parade", "name: !!str 1945")
    unit = "  - {{id: u{i}, kind: {kind}, ranks: 2, files: 2, speed_kmh: 5}}\n"
    rows = [unit.format(i=0, kind="&k foot")]
    rows += [unit.format(i=i, kind="*k") for i in range(1, n)]
    return head + "units:\n" + "".join(rows)


def test_a_large_plan_with_aliases_and_a_tag_is_read_by_the_fast_reader() -> None:
    text = _units(300)
    assert len(text) > round_trip_chars(TINY)  # too large for the round-trip reader here
    fast = plain_data(text, budget=_large_budget())
    assert fast is not None
    data, _ = fast
    assert data["parade"]["name"] == "1945"  # !!str: text, not the number
    assert [u["kind"] for u in data["units"]] == ["foot"] * 300
    assert data == _round_trip(text)


def test_the_standard_tags_are_valued_as_the_round_trip_reader_values_them() -> None:
    text = (
        "a: !!str 10\nb: !!int '12'\nc: !!float 1\nd: !!bool 'false'\ne: !!null ''\n"
        "f: !!seq [1]\ng: !!map {h: !!str true}\ni: ! 7\nj: ! x\n"
    )
    want = {"a": "10", "b": 12, "c": 1.0, "d": False, "e": None, "f": [1],
            "g": {"h": "true"}, "i": 7, "j": "x"}  # fmt: skip
    fast = plain_data(text)
    assert fast is not None and fast[0] == want
    assert _round_trip(text) == want
    for key, value in want.items():
        assert type(fast[0][key]) is type(value), key


def test_aliased_lists_are_copies_and_their_lines_are_the_anchors() -> None:
    text = "a: &x\n  - 1\n  - 2\nb: *x\nc:\n  - *x\n"
    fast = plain_data(text)
    assert fast is not None
    data, lines = fast
    assert data == {"a": [1, 2], "b": [1, 2], "c": [[1, 2]]}
    assert data["a"] is not data["b"]  # changing one does not change the other
    locator = yamlsource._FastLocator(lines, data)
    ref = yamlsource.Locator(yamlsource._load(text, "f", Budget(yamlsource.DEFAULT_LIMITS)))
    # An alias is the anchored node in the round-trip document: its line is the anchor's.
    for loc in [("a",), ("a", 1), ("b",), ("b", 1), ("c", 0), ("c", 0, 1)]:
        assert locator.line(loc) == ref.line(loc), loc
    assert locator.line(("c", 0, 1)) == 3


# --- bounded as it reads ----------------------------------------------------------


def test_the_deadline_counts_the_reading_threads_cpu_not_its_waits() -> None:
    budget = Budget(ReadLimits(max_seconds=0.2))
    time.sleep(0.4)  # waiting (for the GIL, for a loaded machine) costs no CPU
    budget.check_time(1)

    def other() -> None:  # another thread's work is not this reader's either
        end = cpu_seconds() + 0.4
        while cpu_seconds() < end:
            pass

    t = threading.Thread(target=other)
    t.start()
    t.join()
    budget.check_time(1)
    end = cpu_seconds() + 0.3
    while cpu_seconds() < end:
        pass
    with pytest.raises(UserError, match="longer than 0.2 s") as e:
        budget.check_time(7)
    assert e.value.problems[0].line == 7


class _RunsOut(Budget):
    """A budget whose time runs out at the reader's 10th look at the clock."""

    looks = 0

    @property
    def deadline(self) -> float:
        self.looks += 1
        return float("inf") if self.looks < 10 else float("-inf")

    @deadline.setter
    def deadline(self, value: float) -> None:
        pass


def test_comment_megabytes_are_read_in_chunks_with_the_clock_looked_at() -> None:
    line = "# " + "x" * 77 + "\n"  # 80 bytes
    text = line * (8 * 1024 * 1024 // len(line)) + "a: 1\n"
    with pytest.raises(UserError, match="took longer than") as e:
        plain_data(text, budget=_RunsOut(yamlsource.DEFAULT_LIMITS))
    # Refused while reading: past the first chunks (16 kB, 200 lines each), long
    # before the end (104,857 lines), not before the first byte or after the last.
    where = e.value.problems[0].line
    assert where is not None and 1_000 < where < 10_000, where


def test_a_comment_only_file_is_empty_at_once() -> None:
    text = "# nothing\n" * 1_000_000  # 10 MB
    assert "the file is empty" in _message(text, ReadLimits(max_bytes=11 * 1024 * 1024))


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("  - {id: box", "  - {<<: {speed_kmh: 5}, id: box", "a merge key (<<)"),
        ("  - {id: box", "  - !unit {id: box", "the tag '!unit'"),
        ("  - {id: box, kind: foot", "  - {id: box, kind: !!int x", "the tag '!!int'"),
        ("ranks: 10", "ranks: 0x0A", "the value '0x0A'"),
    ],
)
def test_a_large_unusual_text_is_refused_at_once_located(old: str, new: str, says: str) -> None:
    text = PLAN.replace(old, new, 1)
    with pytest.raises(UserError) as e:
        plain_data(text, budget=_large_budget())
    (problem,) = e.value.problems
    assert problem.line == 9, e.value  # the first unit's line
    assert problem.message.startswith(f"{says} is read only in files up to 0 kB"), e.value
    assert plain_data(text) is None  # a small text: the round-trip reader reads it


def test_a_large_text_that_is_not_yaml_is_refused_at_its_line() -> None:
    text = PLAN.replace("units:\n", "units:\n  - {id: [\n", 1)
    with pytest.raises(UserError, match="not valid YAML") as e:
        plain_data(text, budget=_large_budget())
    assert e.value.problems[0].line == 10  # as the round-trip reader says (corpus.py)


def test_a_large_text_with_a_duplicate_key_names_both_lines() -> None:
    text = PLAN.replace("units:\n", "version: 2\nunits:\n", 1)
    with pytest.raises(UserError, match="duplicate key 'version'") as e:
        plain_data(text, budget=_large_budget())
    assert e.value.problems[0].line == 8
    assert "line 1" in str(e.value.problems[0].hint)


# --- located messages --------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "got"),
    [
        ("version: 1\n", "version: 1\ntrue: 1\n", 2, None, "true"),
        ("version: 1\n", "version: 1\n1: x\n", 2, None, "1"),
        ("    - {id: tribune", "    - {2025-05-09: x, id: tribune", 6, "route.checkpoints[1]", "2025-05-09"),
        ("  - {id: box,", "  - {~: 1, id: box,", 9, "units[0]", "nothing"),
        ("  - {id: t90m,", "  - {1.5: 2, id: t90m,", 10, "units[1]", "1.5"),
        ("  - {id: t90m,", "  - {[a]: 2, id: t90m,", 10, "units[1]", "a list"),
    ],
)  # fmt: skip
def test_a_key_that_is_not_text_is_named_at_its_line(
    old: str, new: str, line: int, field: str | None, got: str
) -> None:
    text = PLAN.replace(old, new, 1)
    # A small file: the round-trip reader says it (a list as a key it finds while
    # building the mapping, where the field is not known).
    shown = field if got != "a list" else None
    where = f"plan.yaml:{line}" + (f": {shown}" if shown else "")
    first = _message(text).splitlines()[0]
    assert first == f"{where}: a key must be text, got {got}", first
    with pytest.raises(UserError) as e:  # a large one: the fast reader, in the same words
        plain_data(text, budget=_large_budget())
    (problem,) = e.value.problems
    assert (problem.line, problem.field, problem.message) == (
        line,
        field,
        f"a key must be text, got {got}",
    )


@pytest.mark.parametrize(
    ("char", "line", "column"), [("\x07", 2, 15), ("\x1b", 9, 10), ("\x00", 1, 1), ("\x9b", 10, 3)]
)
def test_a_control_byte_is_named_with_its_line_and_column(
    char: str, line: int, column: int
) -> None:
    lines = PLAN.splitlines(keepends=True)
    text_line = lines[line - 1]
    lines[line - 1] = text_line[: column - 1] + char + text_line[column - 1 :]
    message = _message("".join(lines))
    code = f"U+{ord(char):04X}"
    assert message.startswith(
        f"plan.yaml:{line}: the file contains a control character ({code}) at column {column}"
    ), message
    assert "remove it" in message


def test_a_path_with_a_nul_is_a_user_error_naming_it() -> None:
    for load in (api.load_plan, api.load_guests):
        with pytest.raises(UserError) as e:
            load("plans/a\0b.yaml")
        assert str(e.value).startswith("plans/a\\0b.yaml: the file name contains a NUL"), e.value


def test_a_standard_tag_with_no_value_is_located_not_a_traceback() -> None:
    # ruamel's constructor raised IndexError here (a traceback in the CLI).
    message = _message(PLAN.replace("version: 1\n", "version: !!int\n", 1))
    assert message.startswith("plan.yaml:1: '' cannot be read as a value"), message
