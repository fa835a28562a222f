"""Starting the CLI: the lazy command list, --version, -v/-q, a missing optional extra.

Each check runs the real CLI in a child interpreter, so that what it imports
(and what it cannot import) is that of a fresh process.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from paradeops import __version__
from paradeops.cli import COMMANDS, ROOT_OPTIONS, SHORT_HELP

ROOT = Path(__file__).resolve().parents[2]
VICTORY = ROOT / "examples/victory-day-2025/plan.yaml"
HEAVY = ("typer", "numba", "ortools", "sqlalchemy", "fastapi", "pyproj", "pydantic")


def run(
    *args: str, code: str | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """``paradeops ARGS`` in a child interpreter, then ``code`` (which may print) in it."""
    script = textwrap.dedent(
        f"""
        import sys
        from paradeops.cli import main
        try:
            main({list(args)!r})
        except SystemExit as e:
            sys.stdout.flush()
            print(f"exit={{e.code}}", file=sys.stderr)
        {code or ""}
        """
    )
    p = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})},
    )
    assert "Traceback" not in p.stderr, p.stderr
    return p.returncode, p.stdout, p.stderr


LOADED = "print('loaded=' + ','.join(sorted(m for m in sys.modules if m.startswith(('paradeops.cli.',) + {heavy!r}) and '.' not in m.removeprefix('paradeops.cli.'))))"


def loaded_modules(stdout: str) -> set[str]:
    line = next(x for x in stdout.splitlines() if x.startswith("loaded="))
    return set(filter(None, line.removeprefix("loaded=").split(",")))


def test_help_lists_every_command_without_importing_any() -> None:
    _, out, err = run("--help", code=LOADED.format(heavy=HEAVY))
    assert "exit=0" in err
    for name, line in SHORT_HELP.items():
        assert name in out
        assert line.split()[0] in out
    for option in ROOT_OPTIONS:
        assert option in out
    assert loaded_modules(out) == set(), "paradeops --help imported these"


def test_no_arguments_is_the_help_and_a_usage_error() -> None:
    _, out, err = run()
    assert "exit=2" in err
    assert all(name in out for name in COMMANDS)


def test_a_command_help_imports_only_its_module() -> None:
    _, out, err = run("schema", "--help", code=LOADED.format(heavy=("numba", "ortools")))
    assert "exit=0" in err
    assert "JSON Schema" in out
    assert loaded_modules(out) == {
        "paradeops.cli.app",
        "paradeops.cli.plan_commands",
        "paradeops.cli.output",
    }


def test_the_static_table_is_the_commands_own_help() -> None:
    """SHORT_HELP cannot drift from the commands: each line is the first of the real help."""
    import typer.main

    from paradeops.cli import app, load_commands

    load_commands(None)
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    real = {n: c for n, c in group.commands.items() if not c.hidden}
    assert set(real) == set(COMMANDS) == set(SHORT_HELP)
    for name, command in real.items():
        assert (command.help or "").strip().splitlines()[0] == SHORT_HELP[name], name
    options = {opt for p in group.params for opt in p.opts}
    assert options | {"--help"} >= set(ROOT_OPTIONS)


def test_version_prints_the_package_version_and_imports_nothing_heavy() -> None:
    code, out, _ = run("--version", code=LOADED.format(heavy=HEAVY))
    assert code == 0
    assert out.splitlines()[0] == f"paradeops {__version__}"
    assert loaded_modules(out) == set()


def test_version_after_a_command_name_is_not_the_root_option() -> None:
    _, _, err = run("validate", "--version")
    assert "exit=2" in err
    assert "No such option" in err


@pytest.mark.parametrize(
    ("verbose", "quiet", "level"),
    [(0, False, logging.WARNING), (1, False, logging.INFO), (2, False, logging.DEBUG),
     (3, False, logging.DEBUG), (0, True, logging.ERROR)],
)  # fmt: skip
def test_log_level_of_the_flags(verbose: int, quiet: bool, level: int) -> None:
    from paradeops.cli.app import log_level

    assert log_level(verbose, quiet) == level


def test_verbose_says_more_on_stderr_and_quiet_less() -> None:
    _, out, err = run("validate", str(VICTORY))
    assert "exit=" not in err or "exit=0" in err
    assert "OK" in out
    assert "INFO" not in err and "DEBUG" not in err
    _, out, err = run("-v", "validate", str(VICTORY))
    assert "OK" in out
    assert "INFO paradeops.cli.plan_commands:" in err and "44 units read" in err
    assert "DEBUG" not in err
    _, out, err = run("-vv", "validate", str(VICTORY))
    assert "DEBUG paradeops.timing.engine: 38 ground units: the plain-Python kernel" in err
    _, out, err = run("-q", "validate", str(VICTORY))
    assert "OK" in out
    assert err.strip() in ("", "exit=0")


def test_quiet_and_verbose_together_are_a_usage_error() -> None:
    _, _, err = run("-q", "-v", "validate", str(VICTORY))
    assert "exit=2" in err
    assert "exclude each other" in err


def _without(module: str, tmp_path: Path) -> dict[str, str]:
    """An environment whose interpreters cannot import ``module`` (as if not installed)."""
    (tmp_path / "sitecustomize.py").write_text(
        textwrap.dedent(
            f"""
            import sys

            class _NotInstalled:
                def find_spec(self, name, path=None, target=None):
                    if name == {module!r} or name.startswith({module + "."!r}):
                        raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
                    return None

            sys.meta_path.insert(0, _NotInstalled())
            """
        )
    )
    return {
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(tmp_path), os.environ.get("PYTHONPATH", "")])
        )
    }


def test_a_command_of_a_missing_extra_names_the_extra(tmp_path: Path) -> None:
    env = _without("numba", tmp_path)
    _, _, err = run("simulate", str(VICTORY), "--runs", "2", env=env)
    assert "exit=2" in err
    assert "error: " in err
    assert "numba" in err and "'sim' extra" in err
    assert "pip install 'paradeops[sim]'" in err


def test_scheduling_needs_no_numba(tmp_path: Path) -> None:
    """The base install has no numba: every plan is scheduled by the plain kernel."""
    _, out, err = run("schedule", str(VICTORY), "-f", "csv", env=_without("numba", tmp_path))
    assert "exit=0" in err or "exit=1" in err
    assert out.count("\n") > 38


# The fast reader (libyaml) must give what the round-trip reader gives, or step aside.

SCALARS = [
    "10:00:00", "1:30", "010", "0o14", "0x1F", "1_000", "1e3", "1.", ".5", "-.5e-3", "+12",
    "-0", "yes", "no", "on", "off", "true", "False", "TRUE", "tRue", "null", "~", "", "NULL",
    ".inf", ".nan", "2025-05-09", "2025-02-30", "2025-5-9", "2025-05-09T10:00:00", "=",
    "<<", "'quoted'", '"dq\\u00e9"', '"a\\/b"', "|\n  block\n  text\n", ">\n  folded\n",
    "a # comment", "a#b", "Hurrah!", "!!str 10", "! 10", "&a 1", "[1, {a: b}]",
    "{a: 1, a: 2}", "1e400", "9" * 5000, "é", "\t", "@x", "[", '"open', "1,000", "*x",
]  # fmt: skip
KEYS = ["a", "1", "true", "~", "2025-05-09", "'x'", "1.5", "<<", "!!str k"]


def _round_trip(text: str) -> object:
    from paradeops.model import yamlsource

    doc = yamlsource._load(text, "f", yamlsource.Budget(yamlsource.DEFAULT_LIMITS))
    return yamlsource._plain(doc)


def _typed(x: object) -> object:
    """Values with their exact types, dates as dates (ruamel's are subclasses)."""
    import datetime as dt

    if isinstance(x, dict):
        return {k: _typed(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_typed(v) for v in x]
    if isinstance(x, dt.datetime):
        return ("datetime", x.isoformat())
    if isinstance(x, dt.date):
        return ("date", x.isoformat())
    return (type(x).__name__, x)


@pytest.mark.parametrize("key", KEYS)
def test_the_fast_reader_gives_the_round_trip_data_or_steps_aside(key: str) -> None:
    from paradeops.model.yaml_fast import plain_data

    taken = 0
    for value in SCALARS:
        for text in (f"{key}: {value}\n", f"l:\n  - {value}\n  - x\n{key}: 1\n"):
            fast = plain_data(text, 100)
            try:
                slow = _round_trip(text)
            except Exception:  # the round-trip reader refuses it: so must the fast one
                assert fast is None, text
                continue
            if fast is not None:
                taken += 1
                assert _typed(fast[0]) == _typed(slow), text
    # A merge key is never ordinary; a key read as a number, a date, true or
    # nothing is refused by both readers; the rest are mostly ordinary.
    assert taken > 10 or key in ("<<", "1", "true", "~", "2025-05-09", "1.5")


def test_the_fast_reader_finds_the_round_trip_lines() -> None:
    from paradeops.model import yamlsource

    def paths(x: object, pre: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
        out = [pre, (*pre, "missing"), (*pre, "Tag", 0)]
        items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else []
        for k, v in items:
            out += paths(v, (*pre, k))
        return out

    for plan in sorted((ROOT / "examples").rglob("*.yaml")):
        text = plan.read_text()
        data, fast = yamlsource.parse_yaml(text, str(plan))
        assert isinstance(fast, yamlsource._FastLocator), plan
        ref = yamlsource.Locator(
            yamlsource._load(text, str(plan), yamlsource.Budget(yamlsource.DEFAULT_LIMITS))
        )
        for loc in paths(data):
            assert fast.line(loc) == ref.line(loc), (plan, loc)


def test_the_fast_reader_resolves_scalars_by_ruamels_rules() -> None:
    from ruamel.yaml.resolver import implicit_resolvers

    from paradeops.model.yaml_fast import YAML12_RESOLVERS

    theirs = [
        (tag.rsplit(":", 1)[1], tuple(firsts), p.pattern, p.flags)
        for versions, tag, p, firsts in implicit_resolvers
        if (1, 2) in versions
    ]
    assert [(k, f, p.pattern, p.flags) for k, f, p in YAML12_RESOLVERS] == theirs
