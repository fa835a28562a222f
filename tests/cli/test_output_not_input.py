"""The output of a command is never its input file.

The tester's finding: ``paradeops print self.pdf --what run-of-show -o
self.pdf`` (a plan file named .pdf) replaced the plan by the PDF. ``print``
and ``staging`` refuse an output that is the input (same path once resolved,
or the same file under another name): exit 2 naming the option, nothing
written. And ``print`` does not take ``-``: its messages say so and never
suggest it.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import EXAMPLES, Run

CITY = EXAMPLES / "city-parade" / "plan.yaml"


def test_print_refuses_to_write_over_its_plan(cli: Run, tmp_path: Path) -> None:
    plan = tmp_path / "self.pdf"
    text = CITY.read_text()
    plan.write_text(text)
    r = cli("print", plan, "--what", "run-of-show", "-o", plan)
    assert r.code == 2, r.err
    assert "--output" in r.err and "input" in r.err
    assert plan.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["self.pdf"]
    # The same file by another way of naming it: relative with '..', and a hard link.
    sub = tmp_path / "sub"
    sub.mkdir()
    r = cli("print", plan, "--what", "run-of-show", "-o", sub / ".." / "self.pdf")
    assert r.code == 2 and "input" in r.err, r.err
    os.link(plan, tmp_path / "alias.pdf")
    r = cli("print", plan, "--what", "run-of-show", "-o", tmp_path / "alias.pdf")
    assert r.code == 2 and "input" in r.err, r.err
    assert plan.read_text() == text


def test_staging_refuses_to_write_over_its_plan(cli: Run, tmp_path: Path) -> None:
    text = CITY.read_text()
    plan = tmp_path / "plan.yaml"
    plan.write_text(text)
    for option in ("-o", "--chart"):
        r = cli("staging", plan, "--format", "json", option, tmp_path / "." / "plan.yaml")
        assert r.code == 2, r.err
        assert ("--output" if option == "-o" else "--chart") in r.err and "input" in r.err
        assert plan.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]


def test_print_to_stdout_names_a_pdf_file(cli: Run, tmp_path: Path) -> None:
    r = cli("print", CITY, "--what", "run-of-show", "-o", "-")
    assert r.code == 2
    assert "a PDF cannot go to standard output" in r.err and ".pdf file" in r.err
    assert "without extension" not in r.err
    assert not (Path.cwd() / "-").exists()


def test_print_refusing_a_pipe_does_not_suggest_stdout(cli: Run, tmp_path: Path) -> None:
    pipe = tmp_path / "out.pdf"
    os.mkfifo(pipe)
    r = cli("print", CITY, "--what", "run-of-show", "-o", pipe)
    assert r.code == 2 and "not a regular file" in r.err, r.err
    assert "use - for stdout" not in r.err
    link = tmp_path / "link.pdf"
    link.symlink_to(tmp_path / "elsewhere.pdf")
    r = cli("print", CITY, "--what", "run-of-show", "-o", link)
    assert r.code == 2 and "symbolic link" in r.err and "use - for stdout" not in r.err
    # A command that takes '-' still hears of it.
    r = cli("schedule", CITY, "--format", "json", "-o", pipe)
    assert r.code == 2 and "use - for stdout" in r.err


def test_outputs_that_never_take_dash_do_not_suggest_it(cli: Run, tmp_path: Path) -> None:
    from paradeops.store import open_database

    database = tmp_path / "paradeops.db"
    open_database(str(database)).dispose()
    pipe = tmp_path / "backup.db"
    os.mkfifo(pipe)
    r = cli("backup", "--database", database, "-o", pipe)  # binary: never stdout
    assert r.code == 2 and "not a regular file" in r.err, r.err
    assert "use - for stdout" not in r.err
    key_pipe = tmp_path / "badge.key"
    os.mkfifo(key_pipe)
    r = cli("secret", "rotate", "--badge", "--database", database, "--badge-key-file", key_pipe)
    assert r.code == 2 and "not a regular file" in r.err, r.err
    assert "use - for stdout" not in r.err


def test_no_command_writes_over_a_file_it_was_given(cli: Run, tmp_path: Path) -> None:
    """Every -o and --chart: the plan (also by another name), or one output over
    another, is refused naming both, before anything is written."""
    text = CITY.read_text()
    plan = tmp_path / "plan.yaml"
    plan.write_text(text)
    cases = [
        ("schedule", plan, "-o", plan),
        ("schedule", plan, "--format", "json", "-o", tmp_path / "sub" / ".." / "plan.yaml"),
        ("staging", plan, "-o", tmp_path / "s.png", "--chart", tmp_path / "s.png"),
        ("simulate", plan, "--runs", "2", "--format", "json", "-o", plan),
        ("simulate", plan, "--runs", "2", "-o", tmp_path / "x.png", "--chart", tmp_path / "x.png"),
    ]
    (tmp_path / "sub").mkdir()
    for args in cases:
        r = cli(*args)
        assert r.code == 2, (args, r.err)
        assert "is also the file of" in r.err and "would replace" in r.err, (args, r.err)
        assert plan.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml", "sub"]
    os.link(plan, tmp_path / "alias.yaml")
    r = cli("schedule", plan, "-o", tmp_path / "alias.yaml")
    assert r.code == 2 and "PLAN" in r.err and "--output" in r.err, r.err
    assert plan.read_text() == text
    # An output beside its input is written as before.
    r = cli("schedule", plan, "-o", tmp_path / "table.txt")
    assert r.code == 0, r.err
    assert (tmp_path / "table.txt").read_text().strip()
