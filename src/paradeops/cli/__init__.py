"""Command-line adapter: parses arguments, calls the core, prints results.

Each command module registers its commands on :data:`paradeops.cli.app.app`
when imported. They pull in heavy libraries (numba, OR-Tools, SQLAlchemy,
FastAPI), so the root command (:class:`~paradeops.cli.app.LazyGroup`) lists
them from the static tables below and imports only the module of the
command being run. ``paradeops``, ``paradeops --help`` and ``--version``
are answered before even Typer is imported (:func:`main`). :func:`main`
turns a :class:`~paradeops.errors.UserError` (a missing optional extra among
them) into a short message on stderr and exit code 2.
"""

from __future__ import annotations

import os
import sys
import types
from typing import Any

#: Which module of :mod:`paradeops.cli` registers each top-level command, in
#: the order ``--help`` lists them.
COMMANDS = {
    "validate": "plan_commands",
    "schedule": "plan_commands",
    "graph": "plan_commands",
    "schema": "plan_commands",
    "staging": "staging_commands",
    "simulate": "simulate_commands",
    "lineup": "lineup_commands",
    "guests": "guests_commands",
    "seat": "guests_commands",
    "compose": "composition_commands",
    "music": "composition_commands",
    "rehearsals": "composition_commands",
    "calibrate": "composition_commands",
    "print": "print_commands",
    "serve": "service_commands",
    "user": "user_commands",
    "secret": "user_commands",
    "backup": "backup_commands",
    "restore": "backup_commands",
    "db": "backup_commands",
}

#: The first line of each command's help, for ``paradeops --help`` without
#: importing the command (tests/cli/test_startup.py keeps it equal to the real one).
SHORT_HELP = {
    "validate": "Check a plan and report every problem at once (exit 2 if any).",
    "schedule": "The movement table: when every unit's head and tail pass every checkpoint.",
    "graph": "The movement graph: time across, distance up, each unit a band.",
    "schema": "Print the JSON Schema of the plan file (for editors' autocompletion).",
    "staging": "Call times at the assembly areas, their occupancy over time, findings.",
    "simulate": "What the day may bring: head/tail percentiles, held units, gaps, the window.",
    "lineup": "Find the order of march by a rules file; write the plan in that order.",
    "guests": "The guest list: attendance history, status, announcements, import.",
    "seat": "Seat the expected guests by precedence (exact on the precedence seats, CP-SAT after).",
    "compose": "Composition: counts by class, personnel, vehicles, aircraft, debuts, ratios.",
    "music": (
        "Cue sheets per band, timed by the movement table; coverage, overlap and tempo checks."
    ),
    "rehearsals": "The rehearsal schedule; --ics exports it for people's calendars.",
    "calibrate": "Measured rehearsal times against the plan; fitted speed, step-off delay and gap.",
    "print": "The papers of the day as a PDF: run of show, marshals, announcer, units; badges.",
    "serve": "Run the service (HTTP API and pages); migrates the database first.",
    "user": "Accounts of the service.",
    "secret": "The key that signs sign-in tokens; the badge key.",
    "backup": "Write a consistent backup of the database, safe while the server runs.",
    "restore": "Restore a backup into a database: all of it or nothing (stop the server first).",
    "db": "Upkeep of the service's database schema.",
}

#: The root command's options and their help (the Typer callback uses these too).
ROOT_OPTIONS = {
    "--verbose": "Say more on stderr (-vv: debugging)",
    "--quiet": "Say only errors on stderr",
    "--version": "Print the version and exit",
    "--help": "Show this message and exit.",
}
_SHORT_NAMES = {"--verbose": "-v", "--quiet": "-q"}
ROOT_HELP = "Plan, time and run parades and state ceremonies."


def load_commands(argv: list[str] | None = None) -> None:
    """Register the commands ``argv`` needs (all of them when in doubt).

    The CLI itself loads commands lazily; this is for callers that want the
    full Typer app (the docs' generator, tests).
    """
    from paradeops.cli.app import import_command_module

    first = next((a for a in argv or [] if not a.startswith("-")), None)
    names = [first] if first in COMMANDS else list(COMMANDS)
    for name in names:
        import_command_module(name)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI (``argv`` defaults to the process arguments); exits with its code."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        from paradeops import __version__

        print(f"paradeops {__version__}")
        return
    if args in ([], ["--help"]):
        print_root_help()
        # As Typer does: no command at all is a usage error.
        sys.exit(0 if args else 2)
    _run(args)


def _run(args: list[str]) -> None:
    # ParadeOps uses no pydantic plugins, and looking for them reads the
    # metadata of every installed package (~60 ms of each run); a user's
    # own setting wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from rich.text import Text

    from paradeops.cli.app import app, err
    from paradeops.errors import UserError

    try:
        app(args=args)
    except UserError as e:
        err.print(Text("error: ", style="bold red") + Text(str(e)), soft_wrap=True)
        sys.exit(2)


def print_root_help() -> None:
    """``paradeops --help`` as Typer draws it, from the static tables: no command is imported."""
    from rich.console import Console, Group
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    options = Table(show_header=False, box=None, padding=(0, 1), pad_edge=False, expand=True)
    options.add_column(no_wrap=True)
    options.add_column(no_wrap=True)
    options.add_column(ratio=10)
    for option, help_text in ROOT_OPTIONS.items():
        short = _SHORT_NAMES.get(option, "")
        options.add_row(
            Text(option, style="bold cyan"), Text(short, style="bold green"), Text(help_text)
        )
    commands = Table(show_header=False, box=None, padding=(0, 1), pad_edge=False, expand=True)
    commands.add_column(style="bold cyan", no_wrap=True)
    commands.add_column(ratio=10)
    for name in COMMANDS:
        commands.add_row(name, SHORT_HELP[name])
    usage = Text.assemble(
        ("Usage: ", "yellow"), ("paradeops", "bold"), " [OPTIONS] COMMAND [ARGS]..."
    )
    Console(highlight=False).print(
        Group(
            Padding(usage, 1),
            Padding(ROOT_HELP, (0, 1, 1, 1)),
            Panel(options, border_style="dim", title="Options", title_align="left"),
            Panel(commands, border_style="dim", title="Commands", title_align="left"),
        )
    )


class _Package(types.ModuleType):
    """This package, whose ``app`` is the Typer app, imported when first asked for.

    ``from paradeops.cli import app`` (the docs' generator, tests) gets the
    Typer app, as it always has, while ``paradeops --help`` imports no Typer.
    Importing the submodule :mod:`paradeops.cli.app` would set the attribute
    to that module; the setter keeps the Typer app instead.
    """

    @property
    def app(self) -> Any:
        from paradeops.cli.app import app

        return app

    @app.setter
    def app(self, _submodule: Any) -> None:
        pass


sys.modules[__name__].__class__ = _Package

__all__ = ["COMMANDS", "ROOT_HELP", "SHORT_HELP", "app", "load_commands", "main"]
