"""Writing results: all or nothing, never a half-written file."""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console, RenderableType
from rich.text import Text

from paradeops.cli.app import PIPE_WIDTH, err, out
from paradeops.errors import UserError
from paradeops.io.writefile import write_file

# The one grammar of every command: -o/--output is the command's main output
# in its --format (stdout without it), --chart is always a picture.
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the output here (in --format) instead of stdout"),
]
ChartOpt = Annotated[
    Path | None, typer.Option("--chart", help="Also draw a chart: FILE.png or FILE.svg")
]
#: A plan file argument (as ``plan_commands``'s), here so that a command module
#: can take one without importing the timing engine before its command runs.
PlanArg = Annotated[Path, typer.Argument(help="Plan file (YAML or JSON)", show_default=False)]
WidthOpt = Annotated[
    int | None,
    typer.Option("--width", min=40, help="Columns for tables (default: the terminal's; "
                 "piped or to a file: as wide as the table)"),
]  # fmt: skip


def plain_text(renderables: Sequence[RenderableType]) -> str:
    """Tables as plain text (no colour codes) for a file, as wide as they need
    (or ``--width``): a file has no screen edge."""
    buf = io.StringIO()
    width = out.fixed_width or PIPE_WIDTH
    console = Console(file=buf, width=width, color_system=None, force_terminal=False)
    for renderable in renderables:
        console.print(renderable)
    return buf.getvalue()


def emit(output: Path | None, renderables: Sequence[RenderableType]) -> None:
    """Tables to stdout, or as plain text to ``output`` (saying so on stderr;
    ``-`` is stdout, and nothing is said)."""
    if output is None:
        for renderable in renderables:
            out.print(renderable)
        return
    write_output(output, plain_text(renderables))
    say_written(output)


def say_written(path: Path | None, detail: str = "") -> None:
    """``wrote PATH`` on stderr for a file; nothing for stdout (none, ``-``) or under ``-q``."""
    if path is not None and str(path) != "-":
        say_note(f"wrote {path}{detail}")


def say_note(text: str) -> None:
    """A line for the user on stderr; nothing under ``-q``, which leaves errors only
    (the root logger's level, which the command line sets from -q/-v)."""
    if logging.getLogger().getEffectiveLevel() <= logging.WARNING:
        err.print(Text(text), soft_wrap=True)


def use_width(width: int | None) -> None:
    """Tables on stdout are ``width`` columns wide (``None``: the default rule)."""
    out.fixed_width = width


def chart_format(path: Path | None, *, what: str) -> Literal["png", "svg"] | None:
    """The format ``--chart`` asks for (``None`` without one), checked before any work."""
    return None if path is None else image_format(path, field="--chart", what=what)


def image_format(path: Path, *, field: str, what: str) -> Literal["png", "svg"]:
    """The image format a file name asks for; a UserError before any work if neither."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "png":
        return "png"
    if fmt == "svg":
        return "svg"
    raise UserError(
        f"cannot write a {what} as {path.suffix or 'a file without extension'}",
        field=field,
        hint="name the file .png or .svg",
    )


def write_output(
    path: Path | None, data: str | bytes, *, field: str | None = None, stdout_ok: bool = True
) -> None:
    """Write ``data`` to ``path`` atomically, or to stdout when ``path`` is None or ``-``.

    Goes through :func:`paradeops.io.writefile.write_file`: an existing path
    that is not a regular file (a link, a pipe, a device, a folder) is refused.
    ``field`` names the option in messages (default: the option of the
    running command that holds ``path``, else ``--output``). ``stdout_ok``
    false: the option does not take ``-``, so no refusal suggests it. A
    file the running command was also given by another argument or option
    (its plan, its guest book, another output) is refused: writing it would
    replace that file.
    """
    if path is None or str(path) == "-":
        if isinstance(data, bytes):
            raise UserError(
                "binary output cannot go to stdout",
                field=field or _option_of(path),
                hint="name a file to write",
            )
        out.file.write(data)
        out.file.flush()
        return
    option = field or _option_of(path)
    refuse_other_files(path, option)
    write_file(path, data, field=option, stdout_ok=stdout_ok)


def refuse_other_files(path: Path, option: str) -> None:
    """A UserError if ``path`` names a file the running command also has under
    another argument or option (same path once resolved, or a hard link)."""
    for name, other in _command_files(path):
        if _same_file(path, other):
            raise UserError(
                f"{path} is also the file of {name}: writing it would replace that file",
                field=option,
                hint="name another file to write",
            )


def refuse_input_as_output(output: Path | None, inputs: Sequence[Path], *, field: str) -> None:
    """A UserError if ``output`` is one of ``inputs`` (same path once resolved, or same
    file by another name: a hard link), checked before any work: writing it would
    replace the input."""
    if output is None or str(output) == "-":
        return
    for source in inputs:
        if _same_file(output, source):
            raise UserError(
                f"{output} is the input file {source}: writing it would replace the input",
                field=field,
                hint="name another file to write",
            )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare the names
        return a.resolve() == b.resolve()


def _command_files(path: Path) -> list[tuple[str, Path]]:
    """The running command's other file arguments and options, by name (``-`` left out)."""
    ctx = _current_context()
    if ctx is None:
        return []
    files = []
    for param in ctx.command.params:
        value = ctx.params.get(param.name) if param.name is not None else None
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, Path) and item is not path and str(item) != "-":
                if param.param_type_name == "argument":
                    name = (param.name or "file").upper()
                else:
                    name = str(max(param.opts, key=len))
                files.append((name, item))
    return files


def _current_context() -> Any:
    """The running command's Click context (Typer 0.2x runs its own copy of Click)."""
    for module in ("typer._click.globals", "click"):
        with contextlib.suppress(ImportError, AttributeError):
            ctx = importlib.import_module(module).get_current_context(silent=True)
            if ctx is not None:
                return ctx
    return None


def _option_of(path: Path | None) -> str:
    """The option of the running command whose value is ``path`` (for messages)."""
    ctx = _current_context()
    if ctx is not None and path is not None:
        for param in ctx.command.params:
            value = ctx.params.get(param.name) if param.name is not None else None
            if (
                param.param_type_name == "option"
                and isinstance(value, (str, Path))
                and Path(value) == path
            ):
                return str(max(param.opts, key=len))
    return "--output"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
