"""A typo in a guest event's date must not block that guest's history for good.

The tester's attack: ``POST /api/guests/az-president/events`` with
``{"at": "9999-12-31T23:59:59-23:59", "kind": "invited"}`` got 201, and every
later event for that guest was refused ("comes after one dated 9999-12-31").
Appended events are now dated from 1900 to a year after today, in the service
(its clock) and in ``guests event add``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Run
from tests.service.test_guests import GUESTS, upload_book

URL = "/api/guests/az-president/events"


def test_the_testers_event_is_refused_and_the_guest_goes_on(
    client: TestClient, org: dict[str, str]
) -> None:
    upload_book(client, org)
    before = client.get("/api/guests/az-president/history", headers=org).json()
    for at in ("9999-12-31T23:59:59-23:59", "2026-05-11", "1899-12-31", "0001-01-01"):
        r = client.post(URL, json={"at": at, "kind": "invited"}, headers=org)
        assert r.status_code == 400, (at, r.text)
        assert "at: the event is dated" in r.json()["detail"], r.text
    assert client.get("/api/guests/az-president/history", headers=org).json() == before
    # The service's clock says 2025-05-09: an event planned within the year is fine,
    # and the guest's history goes on after it.
    r = client.post(URL, json={"at": "2026-05-09", "kind": "invited"}, headers=org)
    assert r.status_code == 201, r.text
    r = client.post(URL, json={"at": "2026-05-10T10:00:00+03:00", "kind": "confirmed"}, headers=org)
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-23:59", "1899-12-31"])
def test_guests_event_add_refuses_a_date_out_of_range(cli: Run, tmp_path: Path, at: str) -> None:
    book = tmp_path / "guests.yaml"
    shutil.copy(GUESTS, book)
    before = book.read_bytes()
    r = cli("guests", "event", "add", book, "az-president", "--kind", "invited", "--at", at)
    assert r.code == 2, r
    assert "--at: the event is dated" in r.err and "Traceback" not in r.err, r.err
    assert book.read_bytes() == before
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date().isoformat()
    r = cli("guests", "event", "add", book, "az-president", "--kind", "invited", "--at", tomorrow)
    assert r.code == 0, r.err
