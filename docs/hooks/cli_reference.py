"""MkDocs hook: the CLI reference, generated from the Typer app when the site is built.

``docs/cli.md`` holds the introduction and :data:`MARKER`; the build puts
every command of ``paradeops`` in the marker's place, as ``--help`` describes
it (usage, arguments, options with their help and defaults). Nothing
generated is committed, so the page cannot fall behind the code.

Only the Click interface every Typer command offers is used (``get_params``,
``get_help_record``, ``collect_usage_pieces``, ``list_commands``), so the
page says what ``paradeops COMMAND --help`` says.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

from mkdocs.exceptions import PluginError

MARKER = "<!-- cli-reference -->"
PAGE = "cli.md"

# get_help_record puts defaults, ranges, "required" and env vars after the
# help in one bracket: "Output format  [default: table]".
_EXTRA = re.compile(r"\s*\[([^\[\]]*)\]\s*$")


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Fill the marker of the CLI page; every other page passes unchanged."""
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise PluginError(f"docs/{PAGE} lost its {MARKER} line: the CLI reference has no place")
    return markdown.replace(MARKER, render_reference())


def render_reference() -> str:
    """Markdown for every visible command: a summary table, ``paradeops`` itself (the
    options before any command), then a section per command."""
    root = _paradeops_context()
    commands = list(_subcommands(root))
    summary = ["| command | what it does |", "| --- | --- |"]
    summary += [
        f"| [`{ctx.command_path}`](#{_anchor(ctx)}) | {_cell(_first_paragraph(ctx))} |"
        for ctx in commands
    ]
    sections = [_section(ctx) for ctx in [root, *commands]]
    return "\n".join(summary) + "\n\n" + "\n".join(sections)


def _paradeops_context() -> Any:
    """The root context of the app with every command module registered."""
    import typer.main

    from paradeops.cli import load_commands
    from paradeops.cli.app import app

    load_commands(None)  # no argv: register every command, not just one
    group = typer.main.get_command(app)
    return group.make_context("paradeops", [], resilient_parsing=True)


def _subcommands(ctx: Any) -> Iterator[Any]:
    """Contexts of the visible commands below ``ctx``, depth first, each group before its own."""
    group = ctx.command
    if not hasattr(group, "list_commands"):
        return
    for name in _in_order(ctx.parent is None, group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = command.make_context(name, [], parent=ctx, resilient_parsing=True)
        yield sub
        yield from _subcommands(sub)


def _in_order(top: bool, names: list[str]) -> list[str]:
    """Top-level commands in the order of ``paradeops.cli.COMMANDS`` (plans first, the
    service last), not in the order their modules happened to register them."""
    if not top:
        return names
    from paradeops.cli import COMMANDS

    listed = [name for name in COMMANDS if name in names]
    return listed + [name for name in names if name not in COMMANDS]


def _anchor(ctx: Any) -> str:
    """``guests-event-add`` for ``paradeops guests event add``; ``paradeops`` for the root."""
    return "-".join(ctx.command_path.split()[1:]) or ctx.command_path


def _level(ctx: Any) -> int:
    """Heading level: ## for the root and a top-level command, one more per group above it."""
    return min(max(len(ctx.command_path.split()), 2), 6)


def _section(ctx: Any) -> str:
    command = ctx.command
    name = " ".join(ctx.command_path.split()[1:]) or ctx.command_path
    lines = [f"{'#' * _level(ctx)} {name} {{ #{_anchor(ctx)} }}", ""]
    lines += [_help_text(command.help or ""), ""]
    usage = " ".join([ctx.command_path, *command.collect_usage_pieces(ctx)])
    lines += ["```text", usage, "```", ""]
    arguments, options = _parameter_rows(ctx)
    for title, rows in (("argument", arguments), ("option", options)):
        if rows:
            lines += [f"| {title} | help |", "| --- | --- |", *rows, ""]
    return "\n".join(lines)


def _parameter_rows(ctx: Any) -> tuple[list[str], list[str]]:
    """Table rows of the arguments and of the options, in the order ``--help`` lists them."""
    arguments: list[str] = []
    options: list[str] = []
    help_option = ctx.command.get_help_option(ctx)
    for param in ctx.command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None or param is help_option:  # hidden; --help is said once, above
            continue
        names, help_text = record
        row = f"| `{names}` | {_cell(_with_extra(help_text))} |"
        (options if param.param_type_name == "option" else arguments).append(row)
    return arguments, options


def _with_extra(help_text: str) -> str:
    """The help with its bracketed defaults and limits set apart in italics."""
    match = _EXTRA.search(help_text)
    if match is None:
        return _prose(help_text)
    body, extra = _prose(help_text[: match.start()]), _prose(match.group(1))
    return f"{body} *{extra}*" if body else f"*{extra}*"


def _help_text(text: str) -> str:
    # Click's "\b" marks a paragraph not to rewrap; Markdown has no use for it.
    kept = [line for line in text.splitlines() if line.strip() != "\b"]
    return _prose("\n".join(kept).strip())


def _first_paragraph(ctx: Any) -> str:
    return _prose(" ".join((ctx.command.help or "").split("\n\n")[0].split()))


def _prose(text: str) -> str:
    """Help text as Markdown: ``<path>`` is text, not a tag; code spans stay as written."""
    return _outside_code(text, lambda part: html.escape(part, quote=False))


def _cell(text: str) -> str:
    """One table cell: one line, ``|`` outside code spans escaped so it stays one cell."""
    return _outside_code(" ".join(text.split()), lambda part: part.replace("|", "\\|"))


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    parts = text.split("`")
    # Even-numbered parts lie outside backticks; code spans escape themselves.
    return "`".join(change(p) if i % 2 == 0 else p for i, p in enumerate(parts))
