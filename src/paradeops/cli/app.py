"""The Typer application every command module registers on, loading them lazily.

The root command lists every command from :data:`paradeops.cli.COMMANDS`
and :data:`paradeops.cli.SHORT_HELP` without importing the command modules
(they pull in numba, OR-Tools, SQLAlchemy, FastAPI); running a command, or
asking for its own help, imports just its module (:class:`LazyGroup`).
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Annotated, Any

import typer
import typer.main
from rich.console import Console, ConsoleDimensions
from typer.core import TyperCommand, TyperGroup

from paradeops import __version__
from paradeops.cli import COMMANDS, ROOT_OPTIONS, SHORT_HELP


def import_command_module(name: str) -> None:
    """Import the module that registers command ``name`` on :data:`app`.

    A library of an optional extra that is not installed is the user's
    missing-extra error (exit 2), not an import traceback.
    """
    from paradeops.extras import EXTRA_OF_MODULE, missing_extra_error

    try:
        importlib.import_module(f"paradeops.cli.{COMMANDS[name]}")
    except ModuleNotFoundError as e:
        missing = (e.name or "").split(".")[0]
        if missing not in EXTRA_OF_MODULE:
            raise  # not a library of an extra: a broken install or a bug, shown as it is
        extra = EXTRA_OF_COMMAND.get(name)
        raise missing_extra_error(missing, f"paradeops {name}", extra=extra) from None


#: Commands whose extra brings more than the library their module imports
#: first: ``seat``'s module needs pycountry (``protocol``), but seating also
#: needs OR-Tools, and ``seating`` brings both.
EXTRA_OF_COMMAND = {"seat": "seating"}


class LazyGroup(TyperGroup):
    """The root command: lists every command, imports a command's module when it is used."""

    listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        loaded = super().list_commands(ctx)
        return [*COMMANDS, *(name for name in loaded if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        known = self.commands.get(cmd_name)
        if known is not None or cmd_name not in COMMANDS:
            return known
        if self.listing:
            # Only its line in the list is needed: no import.
            return TyperCommand(cmd_name, help=SHORT_HELP[cmd_name])
        import_command_module(cmd_name)
        command = typer.main.get_command(app)
        assert isinstance(command, TyperGroup)
        self.commands.update(command.commands)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    name="paradeops",
    help="Plan, time and run parades and state ceremonies.",
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Columns of stdout when it is a file or a pipe: no table there is this wide,
#: so none is cut or squeezed to fit.
PIPE_WIDTH = 10_000


class OutputConsole(Console):
    """stdout: as wide as the terminal; piped or redirected, as wide as the tables.

    Rich otherwise takes the width of whichever standard stream is a
    terminal (stderr, when stdout is piped), or 80, and cuts tables to it.
    ``fixed_width`` (``--width N``) overrides both.
    """

    fixed_width: int | None = None

    @property
    def size(self) -> ConsoleDimensions:
        dims = super().size
        if self.fixed_width is not None:
            return ConsoleDimensions(self.fixed_width, dims.height)
        if not self.is_terminal:
            return ConsoleDimensions(PIPE_WIDTH, dims.height)
        return dims

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self.fixed_width, self.height = new_size


# Findings and tables go to stdout; problems with the input go to stderr.
out = OutputConsole(highlight=False)
err = Console(stderr=True, highlight=False)


def _print_version(wanted: bool) -> None:
    if wanted:
        print(f"paradeops {__version__}")
        raise typer.Exit()


def log_level(verbose: int, quiet: bool) -> int:
    """The level of ``-v`` (INFO), ``-vv`` (DEBUG), ``-q`` (ERROR), or WARNING."""
    if quiet and verbose:
        raise typer.BadParameter("--quiet and --verbose exclude each other", param_hint="-q/-v")
    if quiet:
        return logging.ERROR
    return (logging.WARNING, logging.INFO)[verbose] if verbose < 2 else logging.DEBUG


class _CliLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler the CLI installs (and replaces when run again in one process)."""


def configure_logging(level: int) -> None:
    """Log lines at ``level`` and above to stderr; the library only ever logs.

    Other handlers (the service's, a test runner's) are left in place.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _CliLogHandler)]:
        root.removeHandler(old)
    handler = _CliLogHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


@app.callback()
def _group(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose", "-v", count=True, show_default=False, help=ROOT_OPTIONS["--verbose"]
        ),
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=ROOT_OPTIONS["--quiet"])] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help=ROOT_OPTIONS["--version"]
        ),
    ] = False,
) -> None:
    # The docstring is the group's help: ROOT_HELP, which print_root_help shows too.
    """Plan, time and run parades and state ceremonies."""
    # A callback keeps `paradeops` a group of commands even when only one
    # command module is loaded (`python -m paradeops.service` loads `serve`).
    configure_logging(log_level(verbose, quiet))
