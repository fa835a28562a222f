"""Bad plans, guest books, tribune files and rehearsal CSVs, written for the tests.

Each case is a good file with one thing broken, and what the message must
say: the line and a fragment of the field (``None`` where the whole file is
wrong). The test runs every case through the real CLI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

PLAN = """\
version: 1
parade: {name: Test parade, date: 2025-05-09, timezone: Europe/Moscow, start: "10:00:00"}
route:
  checkpoints:
    - {id: start, at_m: 0}
    - {id: tribune, at_m: 180, reviewing: true}
    - {id: release, at_m: 450}
units:
  - {id: box, kind: foot, ranks: 10, files: 10, rank_spacing_m: 1.4, cadence_spm: 116, pace_m: 0.8}
  - {id: t90m, kind: vehicles, count: 6, vehicle_length_m: 9.6, spacing_m: 25, speed_kmh: 20}
"""

GUESTS = """\
version: 1
host_country: RU
guests:
  - {id: host, name: The Host, country: RU, category: head_of_state, host: true}
  - {id: guest-a, name: Guest A, country: FR, category: minister, in_office_since: 2020-01-01}
events:
  - {guest: guest-a, at: 2025-05-01, kind: invited}
announcements:
  - {at: 2025-05-02, by: Office, count: 1}
"""

TRIBUNES = """\
version: 1
aisle: 1
sections:
  - id: centre
    rows:
      - {number: 1, seats: 10}
      - {number: 2, seats: 10}
"""

REHEARSAL = """\
unit,checkpoint,head,tail
box,start,2025-05-07T10:00:00+03:00,2025-05-07T10:00:12+03:00
box,tribune,2025-05-07T10:01:35+03:00,2025-05-07T10:01:47+03:00
t90m,start,2025-05-07T10:00:40+03:00,2025-05-07T10:01:20+03:00
"""


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # plan, guests, tribunes or rehearsal (a CSV checked against PLAN)
    text: str
    line: int | None  # None: the whole file is wrong
    field: str | None
    says: str = ""  # a fragment of the message


def _edit(base: str, old: str, new: str) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


def plan(name: str, old: str, new: str, line: int | None, field: str | None,
         says: str = "") -> Case:
    return Case(name, "plan", _edit(PLAN, old, new), line, field, says)


def guests(name: str, old: str, new: str, line: int | None, field: str | None,
           says: str = "") -> Case:
    return Case(name, "guests", _edit(GUESTS, old, new), line, field, says)


def tribunes(name: str, old: str, new: str, line: int | None, field: str | None,
             says: str = "") -> Case:
    return Case(name, "tribunes", _edit(TRIBUNES, old, new), line, field, says)


def rehearsal(name: str, old: str, new: str, line: int | None, field: str | None,
              says: str = "") -> Case:
    return Case(name, "rehearsal", _edit(REHEARSAL, old, new), line, field, says)


def _json_plan(speed: object) -> str:
    """PLAN as JSON, one field per line, with the tanks' speed replaced."""
    doc = {
        "version": 1,
        "parade": {"name": "P", "date": "2025-05-09", "timezone": "Europe/Moscow",
                   "start": "10:00:00"},
        "route": {"checkpoints": [{"id": "a", "at_m": 0}, {"id": "b", "at_m": 300}]},
        "units": [{"id": "t", "kind": "vehicles", "count": 2, "vehicle_length_m": 9.6,
                   "spacing_m": 20, "speed_kmh": speed}],
    }
    return json.dumps(doc, indent=2)


def _json_line(text: str, key: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if f'"{key}"' in line)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

_JSON_TRUE = _json_plan(True)
_JSON_DATE = _json_plan(20).replace('"2025-05-09"', '"2025-02-30"')

CASES: list[Case] = [
    # --- the file as a whole
    Case("empty file", "plan", "", None, None, "the file is empty"),
    Case("only a comment", "plan", "# nothing yet\n", None, None, "the file is empty"),
    Case("a list, not a plan", "plan", "- 1\n- 2\n", 1, None, "must be a mapping"),
    Case("alias bomb", "plan", BOMB, 6, None, "aliases expand"),
    Case("5,000 nested brackets", "plan", "[" * 5000, 1, None, "nested more than"),
    Case("deep block nesting", "plan", "".join("  " * i + f"k{i}:\n" for i in range(150)) + "  " * 150 + "v\n",
         101, None, "nested more than"),
    Case("an integer of 5,000 digits", "plan", _edit(PLAN, "count: 6", "count: " + "9" * 5000),
         10, None, "cannot be read"),
    Case("malformed YAML", "plan", _edit(PLAN, "units:\n", "units:\n  - {id: [\n"), 10, None,
         "not valid YAML"),
    Case("a duplicate key", "plan", _edit(PLAN, "start: \"10:00:00\"}", "start: \"10:00:00\", name: X}"),
         2, None, "duplicate key"),
    Case("a JSON plan with a boolean speed", "plan", _JSON_TRUE,
         _json_line(_JSON_TRUE, "speed_kmh"), "units[0].speed_kmh", "not a number"),
    Case("a JSON plan with a date that does not exist", "plan", _JSON_DATE,
         _json_line(_JSON_DATE, "date"), "parade.date", "not a date on the calendar"),
    # --- dates
    plan("a date that does not exist", "2025-05-09", "2025-02-30", 2, "parade.date",
         "not a date on the calendar"),
    plan("a month 13", "2025-05-09", "2025-13-01", 2, "parade.date", "not a date"),
    plan("a date with a time of day", "date: 2025-05-09", "date: 2025-05-09T10:00:00", 2,
         "parade.date", "time of day"),
    plan("a date in words", "date: 2025-05-09", "date: next Friday", 2, "parade.date",
         "not a date"),
    plan("a date as a number", "date: 2025-05-09", "date: 20250509", 2, "parade.date", "date"),
    plan("the last day of year 9999 at 23:50 (past the calendar)",
         'date: 2025-05-09, timezone: Europe/Moscow, start: "10:00:00"',
         'date: 9999-12-31, timezone: Europe/Moscow, start: "23:50:00"', 2, "parade.date",
         "at most 2200-12-31"),
    plan("a date in 1899", "date: 2025-05-09", "date: 1899-12-31", 2, "parade.date",
         "1900-01-01 or more"),
    plan("a date in year 1", "date: 2025-05-09", "date: 0001-01-01", 2, "parade.date",
         "1900-01-01 or more"),
    # --- booleans, types
    plan("a boolean speed", "speed_kmh: 20", "speed_kmh: true", 10, "units[1].speed_kmh",
         "not a number"),
    plan("boolean ranks", "ranks: 10", "ranks: true", 9, "units[0].ranks", "whole number"),
    plan("a quoted speed", "speed_kmh: 20", 'speed_kmh: "20"', 10, "units[1].speed_kmh",
         "must be a number"),
    plan("a fractional rank count", "ranks: 10", "ranks: 2.5", 9, "units[0].ranks",
         "whole number"),
    plan("a fractional file count", "files: 10", "files: 1.5", 9, "units[0].files",
         "whole number"),
    plan("a number as a checkpoint flag", "reviewing: true", "reviewing: 1", 6,
         "route.checkpoints[1].reviewing", "true or false"),
    plan("yes as a checkpoint flag", "reviewing: true", "reviewing: yes please", 6,
         "route.checkpoints[1].reviewing", "true or false"),
    plan("a number as a time zone", "timezone: Europe/Moscow", "timezone: 3", 2,
         "parade.timezone", "must be text"),
    plan("the parade as a word", "parade: {name: Test parade, date: 2025-05-09, timezone: Europe/Moscow, start: \"10:00:00\"}",
         "parade: Victory", 2, "parade", "must be a mapping"),
    plan("units as a mapping", "units:\n", "units:\n  oops: 1\nx:\n", 8, "units", "must be a list"),
    plan("a unit as a word", "  - {id: box, kind: foot, ranks: 10, files: 10, rank_spacing_m: 1.4, cadence_spm: 116, pace_m: 0.8}\n",
         "  - box\n", 9, "units[0]", "must be a mapping"),
    plan("the equipment as a number", "units:\n", "equipment: 5\nunits:\n", 8, "equipment",
         "must be text or a list"),
    # --- huge, negative, zero, not finite
    plan("1e20 ranks", "ranks: 10", "ranks: 1e20", 9, "units[0].ranks", "whole number"),
    plan("a million ranks", "ranks: 10", "ranks: 1000000", 9, "units[0].ranks", "at most"),
    plan("1e20 vehicles", "count: 6", "count: 1e20", 10, "units[1].count", "whole number"),
    plan("a checkpoint 1e300 m away", "at_m: 450", "at_m: 1e300", 7,
         "route.checkpoints[2].at_m", "at most"),
    plan("a checkpoint at .nan", "at_m: 450", "at_m: .nan", 7, "route.checkpoints[2].at_m",
         "finite"),
    plan("a checkpoint at .inf", "at_m: 450", "at_m: .inf", 7, "route.checkpoints[2].at_m",
         "finite"),
    plan("a speed of 5000 km/h", "speed_kmh: 20", "speed_kmh: 5000", 10, "units[1].speed_kmh",
         "at most 150"),
    plan("zero speed", "speed_kmh: 20", "speed_kmh: 0", 10, "units[1].speed_kmh",
         "greater than 0"),
    plan("negative spacing", "spacing_m: 25", "spacing_m: -1", 10, "units[1].spacing_m",
         "0 or more"),
    plan("zero ranks", "ranks: 10", "ranks: 0", 9, "units[0].ranks", "1 or more"),
    plan("negative ranks", "ranks: 10", "ranks: -3", 9, "units[0].ranks", "1 or more"),
    plan("negative personnel", "pace_m: 0.8}", "pace_m: 0.8, personnel: -1}", 9,
         "units[0].personnel", "0 or more"),
    plan("a show stop of 1e9 s", "pace_m: 0.8}", "pace_m: 0.8, show_stop: {at: tribune, duration_s: 1e9}}",
         9, "units[0].show_stop.duration_s", "at most 86400"),
    plan("a latitude of 200", "{id: release, at_m: 450}", "{id: release, at_m: 450, lon: 37, lat: 200}",
         7, "route.checkpoints[2].lat", "at most 90"),
    # --- kinds, names, fields
    plan("an unknown kind", "kind: foot", "kind: tank", 9, "units[0].kind", "unknown kind 'tank'"),
    plan("no kind", "kind: foot, ", "", 9, "units[0].kind", "no kind given"),
    plan("a misspelt field", "ranks: 10", "rnaks: 10", 9, "units[0].rnaks",
         "did you mean 'ranks'?"),
    plan("a misspelt section", "units:\n", "unit:\n", 8, "unit", "did you mean 'units'?"),
    plan("a missing count", "count: 6, ", "", 10, "units[1].count", "required field is missing"),
    plan("version 2", "version: 1", "version: 2", 1, "version", "not allowed here"),
    plan("an id with a space", "id: box", "id: my box", 9, "units[0].id", "not an identifier"),
    plan("an id of 70 characters", "id: box", "id: " + "b" * 70, 9, "units[0].id",
         "longer than 64"),
    plan("an empty name", "name: Test parade", 'name: ""', 2, "parade.name", "must not be empty"),
    plan("one checkpoint", "    - {id: tribune, at_m: 180, reviewing: true}\n    - {id: release, at_m: 450}\n",
         "", 4, "route.checkpoints", "at least 2"),
    plan("duplicate unit ids", "id: t90m", "id: box", 10, "units[1].id", "already used"),
    plan("lon without lat", "{id: release, at_m: 450}", "{id: release, at_m: 450, lon: 37.6}", 7,
         "route.checkpoints[2]", "both lon and lat"),
    # --- references
    plan("a target at an unknown checkpoint", "speed_kmh: 20}",
         "speed_kmh: 20, target: {at: stand, head: '10:05:00'}}", 10, "units[1].target.at",
         "unknown checkpoint 'stand'"),
    plan("a show stop at an unknown checkpoint", "pace_m: 0.8}",
         "pace_m: 0.8, show_stop: {at: nowhere, duration_s: 30}}", 9, "units[0].show_stop.at",
         "unknown checkpoint 'nowhere'"),
    plan("a speed limit to an unknown checkpoint", "units:\n",
         "  speed_limits:\n    - {from: start, to: stand, max_kmh: 12}\nunits:\n", 9,
         "route.speed_limits[0].to", "unknown checkpoint 'stand'"),
    Case("unknown equipment", "plan",  # an inline catalogue, so that the name is checked
         _edit(_edit(PLAN, "speed_kmh: 20}", "speed_kmh: 20, equipment: T-90M}"), "units:\n",
               "equipment:\n  - {model: T-72B3, class: tank, length_m: 9.5, speed_kmh: 20}\n"
               "units:\n"),
         12, "units[1].equipment", "unknown equipment 'T-90M'"),
    plan("an unknown equipment class", "units:\n",
         "equipment:\n  - {model: T-72B3, class: tnk, length_m: 9.5}\nunits:\n", 9,
         "equipment[0].class", "'tnk' is not allowed here"),
    plan("an unknown distribution", "units:\n",
         "simulation:\n  speed_factor: {dist: gauss, mean: 1, sd: 0.1}\nunits:\n", 9,
         "simulation.speed_factor.dist", "'gauss' is not allowed here"),
    plan("a distribution missing a parameter", "units:\n",
         "simulation:\n  speed_factor: {dist: normal, mean: 1}\nunits:\n", 9,
         "simulation.speed_factor", "needs sd"),
    plan("a simulation step of 5 s", "units:\n", "simulation:\n  step_s: 5\nunits:\n", 9,
         "simulation.step_s", "at most 0.25"),
    plan("an IDM acceleration as a boolean", "units:\n",
         "simulation:\n  idm:\n    foot: {accel_ms2: true}\nunits:\n", 10,
         "simulation.idm.foot.accel_ms2", "not a number"),
    plan("a band accompanying an unknown unit", "units:\n",
         "music:\n  bands:\n    - id: b1\n      accompanies: [ghost]\n"
         "      pieces: [{title: March, duration_s: 120, tempo_bpm: 116}]\nunits:\n", 11,
         "music.bands[0].accompanies[0]", "unknown unit 'ghost'"),
    plan("a tempo as a boolean", "units:\n",
         "music:\n  bands:\n    - id: b1\n      accompanies: [box]\n"
         "      pieces: [{title: March, duration_s: 120, tempo_bpm: true}]\nunits:\n", 12,
         "music.bands[0].pieces[0].tempo_bpm", "not a number"),
    plan("a rehearsal on 30 February", "units:\n",
         "rehearsals:\n  - {id: r1, date: 2025-02-30, start: '22:00:00', place: Alabino}\nunits:\n",
         9, "rehearsals[0].date", "not a date on the calendar"),
    plan("a rehearsal in year 9999", "units:\n",
         "rehearsals:\n  - {id: r1, date: 9999-12-31, start: '22:00:00', place: Alabino}\nunits:\n",
         9, "rehearsals[0].date", "at most 2200-12-31"),
    plan("a rehearsal of an unknown unit", "units:\n",
         "rehearsals:\n  - {id: r1, date: 2025-05-04, start: '22:00:00', place: Alabino, units: [ghost]}\nunits:\n",
         9, "rehearsals[0].units[0]", "unknown unit 'ghost'"),
    plan("an unknown time zone", "Europe/Moscow", "Europe/Moskva", 2, "parade.timezone",
         "unknown time zone 'Europe/Moskva'"),
    plan("a time zone offset", "Europe/Moscow", "UTC+3", 2, "parade.timezone",
         "unknown time zone"),
    # --- guest books
    guests("an office date that does not exist", "2020-01-01", "2020-02-30", 5,
           "guests[1].in_office_since", "not a date on the calendar"),
    guests("an event on 30 February", "at: 2025-05-01", "at: 2025-02-30", 7, "events[0].at",
           "not a date"),
    guests("an event without an offset", "at: 2025-05-01", "at: 2025-05-01T10:00:00", 7,
           "events[0].at", "no UTC offset"),
    guests("an announcement in month 13", "at: 2025-05-02", "at: 2025-13-02", 9,
           "announcements[0].at", "not a date"),
    guests("an unknown country", "country: FR", "country: XX", 5, "guests[1].country", "XX"),
    guests("a misspelt category", "category: minister", "category: minster", 5,
           "guests[1].category", "'minster' is not allowed here"),
    guests("an event of an unknown guest", "guest: guest-a", "guest: guest-b", 7,
           "events[0].guest", "guest-b"),
    guests("a boolean count", "count: 1", "count: true", 9, "announcements[0].count",
           "whole number"),
    guests("a negative count", "count: 1", "count: -1", 9, "announcements[0].count",
           "0 or more"),
    guests("a guest id with a space", "id: guest-a", "id: guest a", 5, "guests[1].id",
           "not an identifier"),
    guests("host as a word", "host: true", "host: maybe", 4, "guests[0].host", "true or false"),
    guests("an unknown event kind", "kind: invited", "kind: maybe", 7, "events[0].kind",
           "'maybe' is not allowed here"),
    guests("a misspelt guest field", "name: Guest A", "nmae: Guest A", 5, "guests[1].nmae",
           "did you mean 'name'?"),
    guests("guests as a word", "guests:\n  - {id: host, name: The Host, country: RU, category: head_of_state, host: true}\n"
           "  - {id: guest-a, name: Guest A, country: FR, category: minister, in_office_since: 2020-01-01}\n",
           "guests: everyone\n", 3, "guests", "must be a list"),
    Case("a guest book alias bomb", "guests", BOMB, 6, None, "aliases expand"),
    guests("host as yes", "host: true", "host: yes", 4, "guests[0].host", "true or false"),
    guests("host as 1", "host: true", "host: 1", 4, "guests[0].host", "true or false"),
    guests("an illustrative event as yes", "kind: invited}", "kind: invited, illustrative: yes}",
           7, "events[0].illustrative", "true or false"),
    guests("foreign_only as 0", "count: 1}", "count: 1, foreign_only: 0}", 9,
           "announcements[0].foreign_only", "true or false"),
    # --- tribunes
    tribunes("a host seat in a row that is not there", "aisle: 1\n",
             "aisle: 1\nhost_seat: {section: centre, row: 3, seat: 1}\n", 3, "host_seat.row",
             "not on the tribunes"),
    tribunes("a host seat in an unknown section", "aisle: 1\n",
             "aisle: 1\nhost_seat: {section: left, row: 1, seat: 1}\n", 3, "host_seat.section",
             "not on the tribunes"),
    tribunes("a host seat beyond the row's end", "aisle: 1\n",
             "aisle: 1\nhost_seat: {section: centre, row: 1, seat: 11}\n", 3, "host_seat.seat",
             "not on the tribunes"),
    tribunes("a section id used twice", "      - {number: 2, seats: 10}\n",
             "      - {number: 2, seats: 10}\n  - id: centre\n    rows:\n      - {number: 1, seats: 4}\n",
             8, "sections[1].id", "share the id 'centre'"),
    tribunes("a row number used twice", "{number: 2, seats: 10}", "{number: 1, seats: 10}", 7,
             "sections[0].rows[1].number", "lists row 1 twice"),
    tribunes("boolean seats", "seats: 10}\n      - {number: 2", "seats: true}\n      - {number: 2",
             6, "sections[0].rows[0].seats", "whole number"),
    tribunes("1e9 seats", "seats: 10}\n      - {number: 2", "seats: 1e9}\n      - {number: 2", 6,
             "sections[0].rows[0].seats", "whole number"),
    tribunes("5,000 seats in a row", "seats: 10}\n      - {number: 2",
             "seats: 5000}\n      - {number: 2", 6, "sections[0].rows[0].seats", "at most 1000"),
    tribunes("row 0", "number: 1", "number: 0", 6, "sections[0].rows[0].number", "1 or more"),
    tribunes("a negative aisle", "aisle: 1", "aisle: -1", 2, "aisle", "0 or more"),
    tribunes("a misspelt row field", "number: 2, seats: 10", "number: 2, seat: 10", 7,
             "sections[0].rows[1].seat", "unknown field"),
    # --- rehearsal CSVs
    rehearsal("a rehearsal time on 30 February", "box,start,2025-05-07T10:00:00",
              "box,start,2025-02-30T10:00:00", 2, "head", "cannot read time"),
    rehearsal("an unknown unit in a rehearsal", "t90m,start", "t72,start", 4, "unit",
              "unknown unit 't72'"),
    rehearsal("an unknown checkpoint in a rehearsal", "box,tribune", "box,stand", 3,
              "checkpoint", "unknown checkpoint 'stand'"),
    rehearsal("a time in words", "2025-05-07T10:01:35+03:00", "ten past", 3, "head",
              "cannot read time"),
]
