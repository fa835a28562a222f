"""The corpus of bad files: each exits 2 with a located message in plain words, quickly.

Issue 10 ("Input"): tracebacks, hangs, values accepted but wrong, and
messages in pydantic's words. Every case of :mod:`tests.input.corpus` runs
through the real CLI in a child process (a hang fails the test), and every
message is checked against a list of the library's phrases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.input_support import Ran, run_cli
from tests.input.corpus import BOMB, CASES, GUESTS, PLAN, REHEARSAL, TRIBUNES, Case

#: Phrases of pydantic (or Python) that must never reach a user.
JARGON = (
    "input tag",
    "discriminator",
    "pattern '^",
    "Input should be",
    "input should be",
    "type=",
    "pydantic",
    "validation error",
    "Value error,",
    "Assertion failed",
    "errors.pydantic.dev",
    "should have zero time",
    "Traceback",
    "Error:",  # a Python exception's name, e.g. "ValueError:"
    "union",
    "literal_error",
    "function-after",
)

_SUFFIX = {"plan": "plan.yaml", "guests": "guests.yaml", "tribunes": "tribunes.yaml",
           "rehearsal": "rehearsal.csv"}


def _command(case: Case, folder: Path) -> list[str]:
    name = _SUFFIX[case.kind]
    if case.text.lstrip().startswith("{"):
        name = "plan.json"
    path = folder / name
    path.write_text(case.text)
    if case.kind == "plan":
        return ["validate", str(path)]
    if case.kind == "guests":
        return ["guests", "status", str(path)]
    good_guests = folder / "good-guests.yaml"
    good_guests.write_text(GUESTS)
    if case.kind == "tribunes":
        return ["seat", str(good_guests), str(path)]
    good_plan = folder / "good-plan.yaml"
    good_plan.write_text(PLAN)
    return ["calibrate", str(good_plan), str(path)]


def _good_commands(folder: Path) -> list[list[str]]:
    (folder / "rehearsal.csv").write_text(REHEARSAL)
    (folder / "tribunes.yaml").write_text(TRIBUNES)
    return [
        _command(Case("good plan", "plan", PLAN, None, None), folder),
        _command(Case("good guests", "guests", GUESTS, None, None), folder),
        ["seat", str(folder / "good-guests.yaml"), str(folder / "tribunes.yaml")],
        _command(Case("good rehearsal", "rehearsal", REHEARSAL, None, None), folder),
    ]


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Case, Path, Ran]]:
    """Every case run once, all in one child interpreter with a time limit."""
    commands = []
    folders = []
    for i, case in enumerate(CASES):
        folder = tmp_path_factory.mktemp(f"case{i}")
        folders.append(folder)
        commands.append(_command(case, folder))
    # The good files first: each must pass (so a case fails by its edit only),
    # and the commands' modules are then imported, so that the time of a
    # case is the time its file takes.
    warm = tmp_path_factory.mktemp("good")
    good = _good_commands(warm)
    results = run_cli(*good, *commands, timeout=300)
    for command, result in zip(good, results, strict=False):
        assert result.code == 0, (command, result)
    results = results[len(good):]
    return {
        case.name: (case, folder, result)
        for case, folder, result in zip(CASES, folders, results, strict=True)
    }


def test_the_corpus_is_large_and_covers_every_kind_of_file() -> None:
    assert len(CASES) >= 60
    assert {c.kind for c in CASES} == {"plan", "guests", "tribunes", "rehearsal"}


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_bad_file_exits_2_with_a_located_message(
    ran: dict[str, tuple[Case, Path, Ran]], name: str
) -> None:
    case, folder, result = ran[name]
    assert result.code == 2, result
    assert result.err.startswith("error: "), result.err
    assert "Traceback" not in result.err, result.err
    assert result.seconds < 2.0, result
    first = result.err.splitlines()[0]
    file = next(str(p) for p in folder.iterdir() if not p.name.startswith("good-"))
    where = file if case.line is None else f"{file}:{case.line}:"
    assert where in first, (where, result.err)
    if case.field is not None:
        assert f": {case.field}" in first, (case.field, result.err)
    assert case.says in result.err, (case.says, result.err)


def test_no_message_carries_library_jargon(ran: dict[str, tuple[Case, Path, Ran]]) -> None:
    found = [
        (name, phrase, result.err)
        for name, (_, _, result) in ran.items()
        for phrase in JARGON
        if phrase in result.err
    ]
    assert not found, found


def test_the_alias_bomb_is_refused_in_under_a_second(
    ran: dict[str, tuple[Case, Path, Ran]],
) -> None:
    for name in ("alias bomb", "a guest book alias bomb"):
        case, _, result = ran[name]
        assert case.text == BOMB
        assert result.code == 2 and result.seconds < 1.0, result
