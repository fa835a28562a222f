"""Special files given where a file is expected: refused with a message, never a hang.

Issue 10 ("Input"): a named pipe given as the plan made ``paradeops`` wait
forever; /dev/zero would be read until memory ran out.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.input_support import assert_refused, run_cli


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_with_no_writer_is_refused_not_waited_on(tmp_path: Path) -> None:
    pipe = tmp_path / "plan.yaml"
    os.mkfifo(pipe)
    guests = tmp_path / "guests.yaml"
    os.mkfifo(guests)
    plan_run, guests_run = run_cli(
        ["validate", str(pipe)], ["guests", "status", str(guests)], timeout=60
    )
    assert_refused(plan_run, f"{pipe}: is a named pipe, not a file", "save the data to a file")
    assert_refused(guests_run, f"{guests}: is a named pipe, not a file")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_before_it_is_read() -> None:
    (ran,) = run_cli(["validate", "/dev/zero"], timeout=60)
    assert_refused(ran, "/dev/zero: is a device, not a file")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    (ran, table) = run_cli(
        ["schedule", str(tmp_path)], ["guests", "import", str(tmp_path)], timeout=60
    )
    assert_refused(ran, f"{tmp_path}: is a folder, not a file", "give the file itself")
    assert_refused(table, f"{tmp_path}: is a folder, not a file")


def test_a_catalogue_that_is_a_pipe_is_refused_at_the_plans_equipment_line(
    tmp_path: Path,
) -> None:
    os.mkfifo(tmp_path / "equipment.yaml")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "version: 1\n"
        "parade: {name: P, date: 2025-05-09, timezone: Europe/Moscow, start: '10:00:00'}\n"
        "route:\n  checkpoints:\n    - {id: a, at_m: 0}\n    - {id: b, at_m: 300, reviewing: true}\n"
        "equipment: equipment.yaml\n"
        "units:\n  - {id: t, kind: vehicles, count: 2, equipment: T-90M, spacing_m: 20}\n"
    )
    (ran,) = run_cli(["validate", str(plan)], timeout=60)
    assert ran.code == 2 and "Traceback" not in ran.err
    assert "equipment.yaml: is a named pipe, not a file" in ran.err
