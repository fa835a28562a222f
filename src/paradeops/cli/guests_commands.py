"""``guests status|history|announcements|import|event add`` and ``seat``: protocol tools."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table
from rich.text import Text

from paradeops.cli.app import app, err, out
from paradeops.cli.output import (
    WidthOpt,
    image_format,
    say_note,
    say_written,
    use_width,
    write_output,
)
from paradeops.errors import Problem, UserError
from paradeops.extras import require
from paradeops.io.guestfiles import (
    dump_yaml,
    import_guests,
    load_guests,
    load_tribunes,
    parse_guests,
)
from paradeops.model.yamlsource import Locator, problems_from
from paradeops.protocol.announcements import check_announcements, moment_text
from paradeops.protocol.countries import country_name
from paradeops.protocol.guests import Event, EventKind, GuestBook, Moment, read_moment
from paradeops.protocol.ledger import (
    TRANSITIONS,
    Status,
    check_append,
    expected,
    seated_ids,
    status_as_of,
    time_issue,
)
from paradeops.reports.guests_json import (
    announcement_record,
    history_record,
    status_records,
)
from paradeops.reports.words import counted

if TYPE_CHECKING:
    from paradeops.protocol.announcements import AnnouncementCheck
    from paradeops.protocol.guests import Guest
    from paradeops.protocol.seating import Seating
    from paradeops.protocol.tribunes import Layout

guests_app = typer.Typer(
    name="guests",
    help="The guest list: attendance history, status, announcements, import.",
    no_args_is_help=True,
)
app.add_typer(guests_app, name="guests")

GuestsArg = Annotated[Path, typer.Argument(help="Guest file (guests.yaml)", show_default=False)]


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="What was known then: YYYY-MM-DD or an ISO datetime with offset"),
]


def parse_moment(text: str | None, field: str = "--as-of") -> Moment | None:
    return None if text is None else read_moment(text, field)


def _json(data: Any) -> None:
    out.file.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    out.file.flush()


def _country(book: GuestBook, code: str) -> str:
    return f"{code} {country_name(code, book.language)}"


@guests_app.command("status")
def status_command(
    guests: GuestsArg,
    as_of: AsOfOpt = None,
    format: FormatOpt = Format.table,
    width: WidthOpt = None,
) -> None:
    """Every guest's status, derived from the history (as of a date), in precedence order."""
    use_width(width)
    book = load_guests(guests)
    moment = parse_moment(as_of)
    records = status_records(book, moment)
    if format is Format.json:
        _json(records)
        return
    table = Table(title=f"Guests as of {as_of or 'now (everything recorded)'}")
    for col in ("#", "guest", "country", "category", "status", "since", "reason"):
        table.add_column(col)
    for i, r in enumerate(records, start=1):
        style = None if r["expected"] else "dim"
        table.add_row(
            str(i),
            f"{r['name']} ({r['id']})",
            _country(book, r["country"]),
            r["category"],
            r["status"],
            r["since"] or "",
            r["reason"] or "",
            style=style,
        )
    out.print(table)
    count = len(expected(book, moment))
    out.print(Text(f"{count} of {len(records)} guests expected"))


@guests_app.command("history")
def history_command(
    guests: GuestsArg,
    guest: Annotated[str | None, typer.Option("--guest", help="Only this guest id")] = None,
    format: FormatOpt = Format.table,
    width: WidthOpt = None,
) -> None:
    """The attendance events as recorded (append-only), with the status each leads to."""
    use_width(width)
    book = load_guests(guests)
    by_id = book.by_id()
    if guest is not None and guest not in by_id:
        raise UserError(
            f"unknown guest id {guest!r}",
            file=str(guests),
            field="--guest",
            hint="`paradeops guests status` lists the ids",
        )
    state: dict[str, Status] = {}
    records: list[dict[str, Any]] = []
    for e in book.events:
        before = state.get(e.guest, Status.listed)
        after = Status(e.kind.value) if e.kind in TRANSITIONS[before] else before
        state[e.guest] = after
        if guest is None or e.guest == guest:
            records.append(history_record(e, by_id[e.guest].name, after))
    if format is Format.json:
        _json(records)
        return
    title = f"History of {guest}" if guest else "Attendance history"
    table = Table(title=title)
    for col in ("at", "guest", "event", "reason", "source"):
        table.add_column(col)
    for r in records:
        source = ", ".join(x for x in (r["by"], r["where"]) if x)
        table.add_row(r["at"], f"{r['name']} ({r['guest']})", r["kind"], r["reason"] or "", source)
    out.print(table)
    if guest is not None:
        out.print(Text(f"status now: {state.get(guest, Status.listed).value}"))
    elif not records:
        out.print(Text("no events recorded"))


@guests_app.command("announcements")
def announcements_command(
    guests: GuestsArg, format: FormatOpt = Format.table, width: WidthOpt = None
) -> None:
    """Each public announcement held against the history as of its date."""
    use_width(width)
    book = load_guests(guests)
    checks = check_announcements(book)
    by_id = book.by_id()
    records = [announcement_record(c) for c in checks]
    if format is Format.json:
        _json(records)
        return
    table = Table(title="Announcements against the history")
    for col in ("at", "by", "counts", "announced", "actual", "", "difference / changes"):
        table.add_column(col)
    for r, c in zip(records, checks, strict=True):
        notes = _announcement_notes(r, c, by_id)
        table.add_row(
            r["at"],
            f"{r['by']}" + (f", {r['where']}" if r["where"] else ""),
            f"{r['category']} ({r['counts']})",
            str(r["announced"]),
            str(r["actual"]),
            "✓" if r["matches"] else "✗",
            "\n".join(notes),
            style=None if r["matches"] else "red",
        )
    out.print(table)
    if not records:
        out.print(Text("no announcements recorded"))


def _announcement_notes(
    record: dict[str, Any], check: AnnouncementCheck, by_id: dict[str, Guest]
) -> list[str]:
    """How an announcement differs from the history, and who changed since the one before."""
    notes = []
    if record["difference"]:
        notes.append(
            f"differs by {', '.join(record['difference'])} "
            f"(history gives {record['announced']} as of {record['explained_at']})"
        )
    elif not record["matches"]:
        notes.append("no moment in the history gives this count")
    for ch in check.changes:
        sign = "+" if ch.counted_now else "−"
        why = f": {ch.reason}" if ch.reason else ""
        notes.append(f"{sign}{by_id[ch.guest].name} ({ch.status.value}{why})")
    return notes


@guests_app.command("import")
def import_command(
    table_file: Annotated[Path, typer.Argument(metavar="CSV", help="Guest list (.csv or .xlsx)")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write guests.yaml here")
    ] = None,
    host_country: Annotated[
        str | None,
        typer.Option("--host-country", help="ISO code of the host country (else the host row's)"),
    ] = None,
    invited_at: Annotated[
        str | None,
        typer.Option(
            "--invited-at",
            help="Record every guest as invited then (a date or an ISO datetime "
            "with offset); else the history starts empty",
        ),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="yaml or json")] = "yaml",
) -> None:
    """A CSV/XLSX guest list into the guests.yaml format (every problem at once, by row)."""
    if format not in ("yaml", "json"):
        raise UserError(f"unknown format {format!r}", field="--format", hint="yaml or json")
    moment = parse_moment(invited_at, "--invited-at")
    imported = import_guests(table_file, host_country, moment)
    data = imported.book
    say_note(f"note: {imported.note}")
    text = (
        json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if format == "json"
        else dump_yaml(data)
    )
    write_output(output, text)
    invited = f", {len(data['events'])} invited" if data["events"] else ""
    say_written(output, f": {counted(len(data['guests']), 'guest')}{invited}")


event_app = typer.Typer(
    name="event", help="Append to the attendance history.", no_args_is_help=True
)
guests_app.add_typer(event_app, name="event")

#: Which command-line argument each field of an event comes from, for messages.
EVENT_FIELDS = {
    "guest": "GUEST_ID",
    "at": "--at",
    "kind": "--kind",
    "reason": "--reason",
    "by": "--by",
    "where": "--where",
}


@event_app.command("add")
def event_add_command(
    guests: GuestsArg,
    guest_id: Annotated[
        str, typer.Argument(metavar="GUEST_ID", help="The guest's id", show_default=False)
    ],
    kind: Annotated[EventKind, typer.Option("--kind", help="What happened", show_default=False)],
    at: Annotated[
        str,
        typer.Option(
            "--at", help="When: YYYY-MM-DD or an ISO datetime with offset", show_default=False
        ),
    ],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (a cancellation's reason)")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who said it")] = None,
    where: Annotated[
        str | None, typer.Option("--where", help="Where it was said or published (needs --by)")
    ] = None,
) -> None:
    """Append one event to the book's history in place (comments and layout kept).

    The ledger checks it first, as the service does: a known guest, not dated
    before that guest's last event, a step the guest's status allows.
    """
    from paradeops.io.guest_events import append_event_text, replace_file
    from paradeops.io.planfile import decode_text, read_bytes

    file = str(guests)
    original = read_bytes(guests)
    text = decode_text(original, file)
    book = parse_guests(text, file)
    event = _event(guest_id, kind, parse_moment(at, "--at"), reason, by, where, file)
    too_far = time_issue(event, dt.datetime.now(dt.UTC))
    issues = [too_far] if too_far is not None else check_append(book, event)
    if issues:
        raise UserError(
            problems=[
                Problem(i.message, file=file, field=EVENT_FIELDS.get(str(i.loc[-1])), hint=i.hint)
                for i in issues
            ]
        )
    new_text = append_event_text(text, file, event)
    if parse_guests(new_text, file).events != [*book.events, event]:
        raise UserError(
            "the event could not be appended to this file's layout",
            file=file,
            field="events",
            hint="write events: as a block list, one '- {...}' per line, and try again",
        )
    replace_file(guests, original, new_text)
    status = status_as_of(book.model_copy(update={"events": [*book.events, event]}))
    err.print(
        Text(
            f"appended to {file}: {guest_id} {kind.value} at {moment_text(event.at)}"
            f" (status now {status[guest_id].value})"
        ),
        soft_wrap=True,
    )


def _event(
    guest_id: str,
    kind: EventKind,
    at: Moment | None,
    reason: str | None,
    by: str | None,
    where: str | None,
    file: str,
) -> Event:
    """The event the options describe; a located UserError for each bad option."""
    if where is not None and by is None:
        raise UserError(
            "--where needs --by", field="--where", hint="say who said it: --by 'press office'"
        )
    data: dict[str, Any] = {"guest": guest_id, "at": at, "kind": kind.value}
    if reason is not None:
        data["reason"] = reason
    if by is not None:
        data["source"] = {"by": by, **({"where": where} if where is not None else {})}
    try:
        return Event.model_validate(data)
    except ValidationError as e:
        raise UserError(
            problems=[
                Problem(
                    p.message,
                    file=file,
                    field=EVENT_FIELDS.get((p.field or "").split(".")[-1], p.field),
                    hint=p.hint,
                )
                for p in problems_from(e, Locator(None), file)
            ]
        ) from None


class SeatFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


# The options of `seat`, one alias each so that its signature stays readable.
TribunesArg = Annotated[
    Path, typer.Argument(help="Tribune file (tribunes.yaml)", show_default=False)
]
SeatOutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="The seating in --format (default: stdout)")
]
SeatFormatOpt = Annotated[SeatFormat, typer.Option("--format", "-f", help="Output format")]
SeatChartOpt = Annotated[
    Path | None, typer.Option("--chart", help="Seating chart: FILE.png or FILE.svg")
]
SeatCsvOpt = Annotated[
    Path | None, typer.Option("--csv", hidden=True, help="Deprecated: use -o FILE --format csv")
]
IncludeInvitedOpt = Annotated[
    bool,
    typer.Option("--include-invited", help="Seat invited guests too, not only confirmed ones"),
]
TimeLimitOpt = Annotated[
    float, typer.Option("--time-limit", min=0.1, help="Solver time limit [s]")
]
GapOpt = Annotated[
    float, typer.Option("--gap", min=0.0, max=1.0, help="Stop within this relative gap")
]
AcceptFeasibleOpt = Annotated[
    bool,
    typer.Option(
        "--accept-feasible",
        help="Exit 0 even if the solver stopped at its time limit (still warned)",
    ),
]
ExplainOpt = Annotated[
    str | None,
    typer.Option("--explain", metavar="GUEST", help="Say why this guest sits where they sit"),
]


@app.command("seat")
def seat_command(
    guests: GuestsArg,
    tribunes: TribunesArg,
    output: SeatOutputOpt = None,
    format: SeatFormatOpt = SeatFormat.table,
    chart: SeatChartOpt = None,
    csv_out: SeatCsvOpt = None,
    as_of: AsOfOpt = None,
    include_invited: IncludeInvitedOpt = False,
    time_limit: TimeLimitOpt = 10.0,
    gap: GapOpt = 0.0,
    accept_feasible: AcceptFeasibleOpt = False,
    explain: ExplainOpt = None,
) -> None:
    """Seat the expected guests by precedence (exact on the precedence seats, CP-SAT after).

    Exit 1 if the solver stopped at its time limit, unless --accept-feasible.
    """
    require("ortools", what="paradeops seat")
    from paradeops.protocol.seating import SeatingError, seat
    from paradeops.protocol.tribunes import layout

    if output is not None and output.suffix.lower() in (".png", ".svg"):
        raise UserError(
            f"-o writes the seating as {format.value}, not a chart",
            field="--output",
            hint=f"draw the chart with --chart {output}",
        )
    chart_fmt = None if chart is None else image_format(chart, field="--chart", what="chart")
    if chart_fmt is not None:
        require("matplotlib", what="--chart")
    book = load_guests(guests)
    lay = layout(load_tribunes(tribunes))
    ids = seated_ids(book, parse_moment(as_of), include_invited=include_invited)
    if explain is not None and explain not in ids:
        raise UserError(
            f"guest {explain!r} is not seated",
            field="--explain",
            hint="`paradeops guests status` lists the ids and who is expected",
        )
    try:
        result = seat(book, ids, lay, time_limit_s=time_limit, gap_limit=gap)
    except SeatingError as e:
        raise UserError(str(e), file=str(tribunes), field=e.field, hint=e.hint) from None
    if chart is not None and chart_fmt is not None:
        from paradeops.reports.seating_chart import seating_chart

        write_output(chart, seating_chart(book, result, lay, fmt=chart_fmt, title=book.event or ""))
    if csv_out is not None:
        from paradeops.reports.seating_chart import seating_csv

        write_output(csv_out, seating_csv(book, result, lay))
        err.print(Text("--csv FILE is deprecated: use -o FILE --format csv"))
    _write_seating(output, format, book, result, lay, len(ids), explain, accept_feasible)
    for path in (chart, csv_out, output):
        say_written(path)
    for warning in result.warnings():
        err.print(Text(f"warning: {warning}"))
    if result.stopped_early and not accept_feasible:
        raise typer.Exit(1)


def _write_seating(
    output: Path | None,
    format: SeatFormat,
    book: GuestBook,
    result: Seating,
    lay: Layout,
    guests: int,
    explain: str | None,
    accept_feasible: bool,
) -> None:
    """The seating (or ``--explain``'s answer) in ``--format``, to ``-o`` or the terminal."""
    from paradeops.protocol.seating_explain import explain as explain_seat
    from paradeops.reports.seating_chart import seating_csv, seating_json
    from paradeops.reports.seating_text import (
        explanation_json,
        explanation_lines,
        seating_table,
        summary_lines,
    )

    if explain is not None:
        why = explain_seat(book, result, lay, explain)
        _seat_write(
            output,
            _json_text(explanation_json(why))
            if format is SeatFormat.json
            else explanation_lines(why),
        )
    elif format is SeatFormat.json:
        _seat_write(output, _json_text(seating_json(book, result, lay)))
    elif format is SeatFormat.csv:
        _seat_write(output, seating_csv(book, result, lay))
    else:
        _seat_write(
            output,
            [
                seating_table(seating_json(book, result, lay), guests, len(lay.seats)),
                *summary_lines(result, accept_feasible),
            ],
        )


def _json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def _seat_write(path: Path | None, content: str | list[Any]) -> None:
    """Text as is, rich items rendered: to ``path``, or to the terminal."""
    from paradeops.reports.seating_text import render

    if isinstance(content, str):
        write_output(path, content)
    elif path is None:
        for item in content:
            out.print(item)
    else:
        write_output(path, render(*content))
