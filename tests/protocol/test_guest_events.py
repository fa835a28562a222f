"""``guests event add``: the ledger decides, the file keeps every byte but the new line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paradeops.errors import UserError
from paradeops.io.guest_events import append_event_text, event_line
from paradeops.io.guestfiles import load_guests
from paradeops.protocol.guests import Event
from paradeops.protocol.ledger import Status, status_as_of
from tests.conftest import Run
from tests.protocol.conftest import EXAMPLE

BOOK = """\
# The guest book of a small ceremony.
version: 1
host_country: RU
guests:
  - {id: host, name: Host, country: RU, host: true}   # presides
  - {id: la, name: Thongloun Sisoulith, country: LA,
     category: head_of_state}
events:   # append-only
  - {guest: la, at: 2025-04-20, kind: invited}
  - guest: la
    at: 2025-04-25
    kind: confirmed

# Announcements follow.
announcements: []
"""


def added_lines(before: str, after: str) -> list[str]:
    """The lines of ``after`` not in ``before``, checking everything else is unchanged."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    added = [line for line in new if line not in old]
    assert [line for line in new if line not in added] == old
    return added


def test_add_keeps_comments_and_layout(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "guests.yaml"
    path.write_text(BOOK, encoding="utf-8")
    os.chmod(path, 0o640)
    r = cli("guests", "event", "add", path, "la", "--kind", "cancelled", "--at", "2025-05-06",
            "--reason", "severe case of COVID-19", "--by", "press reports",
            "--where", "article: Laos, 6 May")
    assert r.code == 0, r.err
    assert "status now cancelled" in r.err
    # after the last item (its block mapping), before the blank line and the comment
    assert added_lines(BOOK, path.read_text(encoding="utf-8")) == [
        "  - {guest: la, at: 2025-05-06, kind: cancelled, reason: severe case of COVID-19, "
        'source: {by: press reports, where: "article: Laos, 6 May"}}\n']
    after = path.read_text(encoding="utf-8")
    assert after.index("kind: cancelled") < after.index("# Announcements")
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert status_as_of(load_guests(path))["la"] is Status.cancelled


def test_add_to_the_example_changes_one_line(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "guests.yaml"
    before = (EXAMPLE / "guests.yaml").read_text(encoding="utf-8")
    path.write_text(before, encoding="utf-8")
    r = cli("guests", "event", "add", path, "by-leader", "--kind", "attended",
            "--at", "2025-05-09T10:00:00+03:00")
    assert r.code == 0, r.err
    after = path.read_text(encoding="utf-8")
    assert added_lines(before, after) == [
        '  - {guest: by-leader, at: "2025-05-09T10:00:00+03:00", kind: attended}\n']
    assert load_guests(path).events[-1].kind.value == "attended"


@pytest.mark.parametrize(("args", "message"), [
    (["la", "--kind", "invited", "--at", "2025-05-09"],
     "--kind: a guest who is confirmed cannot be invited"),
    (["la", "--kind", "declined", "--at", "2025-05-09"],
     "--kind: a guest who is confirmed cannot be declined"),
    (["la", "--kind", "cancelled", "--at", "2025-04-01"], "--at: event for 'la' dated"),
    (["lao", "--kind", "invited", "--at", "2025-05-01"], "GUEST_ID: unknown guest id 'lao'"),
    (["la", "--kind", "cancelled", "--at", "2025-05-06T10:00"], "--at: '2025-05-06T10:00' "
     "has no UTC offset"),
    (["la", "--kind", "cancelled", "--at", "2025-05-06", "--where", "TV"],
     "--where: --where needs --by"),
    (["la", "--kind", "cancelled", "--at", "2025-05-06", "--by", ""], "--by: "),
])
def test_refused_events_leave_the_file_as_it_was(cli: Run, tmp_path: Path, args: list[str],
                                                 message: str) -> None:
    path = tmp_path / "guests.yaml"
    path.write_text(BOOK, encoding="utf-8")
    r = cli("guests", "event", "add", path, *args)
    assert r.code == 2
    assert message in r.err
    assert path.read_text(encoding="utf-8") == BOOK
    assert [p.name for p in tmp_path.iterdir()] == ["guests.yaml"]


def test_a_bad_book_is_refused_before_anything(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "guests.yaml"
    bad = BOOK.replace("kind: confirmed", "kind: attended")
    path.write_text(bad, encoding="utf-8")
    r = cli("guests", "event", "add", path, "la", "--kind", "cancelled", "--at", "2025-05-06")
    assert r.code == 2 and f"{path}:12: events[1].kind" in r.err
    assert path.read_text(encoding="utf-8") == bad


def event(**extra: str) -> Event:
    return Event.model_validate({"guest": "la", "at": "2025-05-06", "kind": "invited", **extra})


@pytest.mark.parametrize(("tail", "expected"), [
    ("events: []  # none yet\n", "events:  # none yet\n  - {guest: la, at: 2025-05-06, "
                                  "kind: invited}\n"),
    ("events:\n", "events:\n  - {guest: la, at: 2025-05-06, kind: invited}\n"),
    ("", "events:\n  - {guest: la, at: 2025-05-06, kind: invited}\n"),
    ("events:\n- {guest: la, at: 2025-04-01, kind: invited}\n",
     "events:\n- {guest: la, at: 2025-04-01, kind: invited}\n"
     "- {guest: la, at: 2025-05-06, kind: invited}\n"),
])
def test_the_list_is_started_or_continued(tail: str, expected: str) -> None:
    head = "version: 1\nhost_country: RU\nguests:\n  - {id: la, name: L, country: LA}\n"
    assert append_event_text(head + tail, "g.yaml", event()) == head + expected


def test_crlf_files_stay_crlf_and_inline_lists_are_refused() -> None:
    text = "host_country: RU\r\nevents:\r\n  - {guest: la, at: 2025-04-01, kind: invited}\r\n"
    assert append_event_text(text, "g.yaml", event()).endswith(
        "invited}\r\n  - {guest: la, at: 2025-05-06, kind: invited}\r\n")
    with pytest.raises(UserError, match="inline"):
        append_event_text("events: [{guest: la, at: 2025-04-01, kind: invited}]\n", "g.yaml",
                          event())


def test_values_yaml_would_misread_are_quoted() -> None:
    line = event_line(event(reason="true"))
    assert line == '{guest: la, at: 2025-05-06, kind: invited, reason: "true"}'
    assert event_line(event(reason="a # b, {c}")).endswith('reason: "a # b, {c}"}')
    assert event_line(event(reason="Визит отменён")).endswith('reason: "Визит отменён"}')
