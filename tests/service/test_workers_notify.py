"""What crosses workers, without a server: payloads, hostile ones, event ids, SQLite refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paradeops import api
from paradeops.service import notify
from paradeops.service.broadcast import ID_SPAN, Broadcaster, Channel
from paradeops.service.context import ServiceContext
from paradeops.service.control.actuals import Row
from paradeops.service.users.signin import current_secret
from paradeops.store import open_database
from paradeops.synthetic import SMALL_SERVICE_PLAN
from paradeops.timing.schedule import Schedule
from tests.cli.input_support import assert_refused, run_cli

ROW = Row("c1", "2025-05-09T07:00:01+00:00", "band", "start", "head", "2025-05-09T10:00:00+03:00")


# --- payloads -----------------------------------------------------------------------------


def test_rows_travel_in_one_payload_written_out() -> None:
    (payload,) = notify.row_payloads(123456, 7, [ROW, ROW._replace(id="c2", part="tail")])
    assert payload == (
        '{"o":123456,"p":7,"r":['
        '["c1","2025-05-09T07:00:01+00:00","band","start","head","2025-05-09T10:00:00+03:00"],'
        '["c2","2025-05-09T07:00:01+00:00","band","start","tail","2025-05-09T10:00:00+03:00"]]}'
    )
    assert notify.parse(payload) == (123456, 7, [ROW, ROW._replace(id="c2", part="tail")])


def test_a_batch_is_split_below_postgresqls_limit() -> None:
    # Each row is 86 bytes of JSON plus a comma; the head {"o":123456,"p":7,"r":[]} is 25:
    # (7800 - 25) // 87 = 89 rows fit in a payload, so 256 rows take 89 + 89 + 78.
    rows = [ROW._replace(id=f"c{i:03d}") for i in range(256)]
    assert len(orjson.dumps(list(rows[0]))) == 86
    payloads = list(notify.row_payloads(123456, 7, rows))
    assert [len(orjson.loads(p)["r"]) for p in payloads] == [89, 89, 78]
    assert [r for p in payloads for r in notify.parse(p)[2]] == rows  # type: ignore[index]


text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=2000)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(text, text, text, text, text, text), max_size=40))
def test_every_payload_fits_and_every_row_travels_or_makes_a_bare_change(
    fields: list[tuple[str, ...]],
) -> None:
    rows = [Row(*f) for f in fields]
    payloads = list(notify.row_payloads(5, 9, rows))
    assert all(len(p.encode()) <= notify.MAX_PAYLOAD for p in payloads)
    messages = [orjson.loads(p) for p in payloads]
    travelled = [Row(*x) for m in messages for x in m.get("r", [])]
    bare = sum("r" not in m for m in messages)
    # In order, nothing lost: a row too long for a payload of its own is a bare
    # change (the receiver reads the plan afresh).
    assert travelled == [r for r in rows if r in travelled]
    assert len(travelled) + bare == len(rows)
    assert bare == 0 or any(len(orjson.dumps(list(r))) > 7000 for r in rows)
    for p, m in zip(payloads, messages, strict=True):
        rs = [Row(*x) for x in m.get("r", [])]
        readable = "r" in m and all(len(f) <= notify.MAX_FIELD for r in rs for f in r)
        assert notify.parse(p) == (5, 9, rs if readable else None)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("", None),
        ("null", None),
        ("[1, 2]", None),
        ('{"o": 1}', None),
        ('{"o": 1, "p": 0}', None),  # plan ids start at 1
        ('{"o": 1, "p": 2147483648}', None),  # … and are 32-bit
        ('{"o": "1", "p": 2}', None),
        ('{"o": 1, "p": true}', None),  # a bool is not a plan id
        ('{"o": 1, "p": 2.0}', None),
        ("[" * 5000 + "]" * 5000, None),  # deeper than the parser goes
        ('{"o": 1, "p": 2}', (1, 2, None)),  # a bare change: read the plan afresh
        ('{"o": 1, "p": 2, "r": "x"}', (1, 2, None)),
        ('{"o": 1, "p": 2, "r": [["a"]]}', (1, 2, None)),  # a short row: afresh
        ('{"o": 1, "p": 2, "r": [[1, 2, 3, 4, 5, 6]]}', (1, 2, None)),
        ('{"o": 1, "p": 2, "r": [["' + "x" * 513 + '", "", "", "", "", ""]]}', (1, 2, None)),
        ('{"o": 1, "p": 2, "r": []}', (1, 2, [])),
    ],
)
def test_hostile_payloads_are_read_as_nothing_or_as_read_afresh(
    payload: str, expected: tuple[int, int, list[Row] | None] | None
) -> None:
    assert notify.parse(payload) == expected


# --- applying one ------------------------------------------------------------------------

OTHER = 222222  # another worker's tag


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[ServiceContext]:
    db = open_database(str(tmp_path / "db.sqlite"))
    yield ServiceContext(db=db, secret=b"k" * 32, broadcaster=Broadcaster(tag=111111))
    db.dispose()


@pytest.fixture
def schedule(tmp_path: Path) -> Schedule:
    (tmp_path / "plan.yaml").write_text(SMALL_SERVICE_PLAN)
    return api.schedule(tmp_path / "plan.yaml")


def signed(ctx: ServiceContext, message: dict[str, Any]) -> str:
    return notify.sign(current_secret(ctx), orjson.dumps(message).decode())


def test_a_signature_is_32_hex_digits_then_the_message() -> None:
    payload = notify.sign(b"k" * 32, '{"o":1,"p":2}')
    assert payload.endswith(' {"o":1,"p":2}') and len(payload) == 32 + 1 + 13
    assert notify.verify(b"k" * 32, payload) == ('{"o":1,"p":2}', True)
    assert notify.verify(b"j" * 32, payload) == ('{"o":1,"p":2}', False)
    assert notify.verify(b"k" * 32, '{"o":1,"p":2}') == ('{"o":1,"p":2}', False)
    assert notify.MAX_PAYLOAD + notify.MAC_CHARS + 1 < 8000


def test_signed_rows_join_the_actuals_and_wake_the_plan(
    ctx: ServiceContext, schedule: Schedule
) -> None:
    ctx.broadcaster.version(3)  # plan 3 looked at here: its actuals in memory
    ctx.actuals.view(lambda: [], 3, 1, schedule)
    notify.apply(ctx, signed(ctx, {"o": OTHER, "p": 3, "r": [list(ROW)]}))
    assert ctx.broadcaster.version(3) == 1
    (a,) = ctx.actuals.view(lambda: [], 3, 1, schedule).actuals
    assert (a.unit, a.checkpoint, a.part) == ("band", "start", "head")


def test_forged_rows_are_not_believed_the_plan_is_read_afresh(
    ctx: ServiceContext, schedule: Schedule
) -> None:
    ctx.broadcaster.version(3)
    ctx.actuals.view(lambda: [], 3, 1, schedule)
    forged = "0" * 32 + " " + orjson.dumps({"o": OTHER, "p": 3, "r": [list(ROW)]}).decode()
    notify.apply(ctx, forged)
    assert ctx.broadcaster.version(3) == 1
    reads: list[int] = []
    view = ctx.actuals.view(lambda: reads.append(1) or [], 3, 1, schedule)
    assert view.actuals == () and reads == [1]  # forgotten: read from the database again


def test_a_plan_never_looked_at_here_is_not_woken_nor_remembered(ctx: ServiceContext) -> None:
    notify.apply(ctx, signed(ctx, {"o": OTHER, "p": 4, "r": []}))
    notify.apply(ctx, '{"o": 222222, "p": 5}')  # unsigned: any id a forger likes
    assert ctx.broadcaster.plans() == []


def test_our_own_notifications_are_ignored(ctx: ServiceContext) -> None:
    ctx.broadcaster.version(3)
    notify.apply(ctx, signed(ctx, {"o": 111111, "p": 3, "r": []}))
    assert ctx.broadcaster.version(3) == 0
    notify.apply(ctx, signed(ctx, {"o": OTHER, "p": 3}))
    assert ctx.broadcaster.version(3) == 1


def test_an_unreadable_notification_is_dropped(ctx: ServiceContext) -> None:
    ctx.broadcaster.version(1)
    notify.apply(ctx, "not json")
    notify.apply(ctx, notify.sign(current_secret(ctx), "[1, 2]"))
    assert ctx.broadcaster.version(1) == 0


# --- event ids ---------------------------------------------------------------------------


def test_ids_name_the_worker_and_count_up_by_one() -> None:
    a = Channel(tag=123456)
    assert a.seq // ID_SPAN == 123456
    a.start({"n": 0})
    first = a.seq
    a.delta({"n": 1}, b'{"n":1}')
    a.delta({"n": 2}, b'{"n":2}')
    assert a.seq == first + 2
    # Its own watcher that saw the first delta gets the second only.
    assert a.catch_up(first + 1) == [a.history[1][1]]


def test_an_id_from_another_worker_gets_a_snapshot() -> None:
    a, b = Channel(tag=123456), Channel(tag=654321)
    for ch in (a, b):
        ch.start({"n": 0})
        ch.delta({"n": 1}, b'{"n":1}')
    (event,) = b.catch_up(a.seq)
    assert event.startswith(b"event: snapshot\nid: %d\n" % b.seq)
    (event,) = a.catch_up(b.seq)
    assert event.startswith(b"event: snapshot\n")


def test_tags_have_six_digits_and_ids_stay_below_2_to_the_63() -> None:
    tags = {Broadcaster().tag for _ in range(200)}
    assert all(100_000 <= t < 900_000 for t in tags) and len(tags) > 150
    assert (900_000 * ID_SPAN) + 10**13 < 2**63


# --- the command line --------------------------------------------------------------------


def test_several_workers_on_sqlite_exit_2_saying_why(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    sqlite, zero = run_cli(
        ["serve", "--database", str(db), "--workers", "2", "--port", "1"],
        ["serve", "--database", str(db), "--workers", "0"],
    )
    assert_refused(sqlite, "--workers: 2 workers need PostgreSQL", "one worker", within_s=10)
    assert not db.exists()  # refused before anything was made
    assert zero.code == 2 and "--workers" in zero.err
