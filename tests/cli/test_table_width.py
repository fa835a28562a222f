"""``--width N`` on every command that prints tables, full width when piped,
and ``-o -`` (stdout) says nothing on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Run

V25 = EXAMPLES / "victory-day-2025"
GUESTS = V25 / "guests.yaml"

# Each command, and a text its full-width table holds on one line.
COMMANDS = {
    "guests-status": (["guests", "status", GUESTS],
                      "President of the Central African Republic (cf-leader)"),
    "guests-history": (["guests", "history", GUESTS],
                       "cancelled │ severe case of COVID-19   "),
    "guests-announcements": (["guests", "announcements", GUESTS],
                             "Yuri Ushakov, Assistant to the President of Russia, briefing to "
                             "the press, Moscow"),
    "music": (["music", V25 / "plan.yaml"],
              "Central Military Band of the Ministry of Defence (in place opposite the tribune)"
              " — at 632 m"),
    "calibrate": (["calibrate", V25 / "plan.yaml", V25 / "rehearsal-general.csv"],
                  "┃ unit                    ┃ delay s ┃ pass err s ┃ speed × ┃  km/h ┃ pace m ┃"
                  " step-off s ┃ gap m ┃"),
}  # fmt: skip


@pytest.mark.parametrize("name", COMMANDS)
def test_piped_tables_are_whole_and_width_sets_the_columns(cli: Run, name: str) -> None:
    args, whole = COMMANDS[name]
    piped = cli(*args)  # captured, as in a pipe (COLUMNS says 200)
    assert piped.code == 0, piped.err
    assert whole in piped.out
    assert max(len(line) for line in piped.out.splitlines()) > 80
    narrow = cli(*args, "--width", "80")
    assert narrow.code == 0, narrow.err
    assert max(len(line) for line in narrow.out.splitlines()) <= 80
    assert whole not in narrow.out
    # The setting is per command: the next one without --width is whole again.
    assert cli(*args).out == piped.out


@pytest.mark.parametrize("name", COMMANDS)
def test_width_below_forty_is_refused(cli: Run, name: str) -> None:
    r = cli(*COMMANDS[name][0], "--width", "39")
    assert r.code == 2
    assert "--width" in r.err


@pytest.mark.parametrize(
    "args",
    [
        ["compose", V25 / "plan.yaml"],
        ["music", V25 / "plan.yaml"],
        ["simulate", V25 / "plan.yaml", "-n", "2", "--seed", "1"],
        ["schedule", V25 / "plan.yaml"],
        ["seat", GUESTS, V25 / "tribunes.yaml"],
    ],
    ids=lambda v: str(v[0]),
)
def test_output_to_stdout_says_nothing_on_stderr(cli: Run, tmp_path: Path,
                                                 args: list[object]) -> None:
    r = cli(*args, "-o", "-")
    assert r.code == 0, r.err
    assert r.out.strip()
    assert r.err == ""
    # To a file, the same output, and stderr says where it went.
    out = tmp_path / "out.txt"
    r = cli(*args, "-o", out)
    assert r.code == 0, r.err
    assert r.err == f"wrote {out}\n"
    assert out.read_text().strip()


def test_json_to_a_file_says_where_it_went(cli: Run, tmp_path: Path) -> None:
    for args in (["music", V25 / "plan.yaml"],
                 ["calibrate", V25 / "plan.yaml", V25 / "rehearsal-general.csv"]):
        out = tmp_path / "out.json"
        r = cli(*args, "-f", "json", "-o", out)
        assert r.code == 0, r.err
        assert r.err == f"wrote {out}\n"
        assert json.loads(out.read_text())["parade"] == "Victory Day Parade 2025"
