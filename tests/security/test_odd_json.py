"""Odd JSON on every JSON route: a located 422, never the input, never a 500.

The tester's attack: ``{"at": 1e400}``, ``NaN`` or a lone surrogate ``"\\ud800"``
in a check-in (either way in: the fast path and the FastAPI route), a void, the
check-in window or a guest event made the 422 answer itself unencodable, so
each request was a 500 with a traceback logged at ERROR; a 60 kB reason came
back in full. Against the real app (its whole ASGI stack, middlewares included).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.support import checkin, upload
from tests.service.test_guests import upload_book

#: Values written as raw JSON text (``json.dumps`` cannot write them all).
ODD = {"huge": "1e400", "nan": "NaN", "surrogate": '"\\ud800"'}
KINDS = ["application/json", "application/x-checkin+json"]


def _body(kind: str, field: str) -> str:
    """A good check-in whose ``field`` holds the odd value."""
    doc = {"id": "abcdefgh-1", "unit": "band", "checkpoint": "start", "part": "head",
           "at": "2025-05-09T10:00:00+03:00"}  # fmt: skip
    text = json.dumps(doc)
    assert text.count(json.dumps(doc[field])) == 1
    return text.replace(json.dumps(doc[field]), ODD[kind])


def _assert_located_422(r: Any, field: str, *, echo: str | None = None) -> None:
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert any(field in [str(p) for p in d["loc"]] for d in detail), detail
    assert all("input" not in d and "ctx" not in d for d in detail), detail
    if echo is not None:
        assert echo not in r.text


@pytest.mark.parametrize("ctype", KINDS)
def test_odd_checkin_is_a_located_422(
    client: TestClient,
    org: dict[str, str],
    mar: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    ctype: str,
) -> None:
    pid = upload(client, org)
    with caplog.at_level(logging.INFO):
        for kind in ODD:
            for field in ("at", "unit", "id", "part", "checkpoint"):
                r = client.post(
                    f"/api/plans/{pid}/checkins",
                    content=_body(kind, field).encode(),
                    headers={**mar, "Content-Type": ctype},
                )
                _assert_located_422(r, field)
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert client.get(f"/api/plans/{pid}/checkins", headers=org).json() == []
    # The body itself was good: it is stored (the fast path still takes it).
    r = client.post(
        f"/api/plans/{pid}/checkins",
        content=_body("nan", "at").replace("NaN", '"2025-05-09T10:00:00+03:00"'),
        headers={**mar, "Content-Type": ctype},
    )
    assert r.status_code == 201, r.text


def test_void_window_and_guest_event_refuse_odd_json(
    client: TestClient, org: dict[str, str], mar: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    pid = upload(client, org)
    c = checkin("band", "start", "head", "10:00:00")
    assert client.post(f"/api/plans/{pid}/checkins", json=c, headers=mar).status_code == 201
    upload_book(client, org)
    void = f"/api/plans/{pid}/checkins/{c['id']}/void"
    window = f"/api/plans/{pid}/checkin-window"
    event = "/api/guests/az-president/events"
    ok_event = '{"at": %s, "kind": "invited", "reason": %s}'
    cases = [
        ("POST", void, '{"reason": "\\ud800"}', "reason"),
        ("POST", void, '{"reason": NaN}', "reason"),
        ("PUT", window, '{"from": 1e400, "until": "2025-05-10T00:00:00+03:00"}', "from"),
        ("PUT", window, '{"from": "2025-05-08T00:00:00+03:00", "until": "\\udfff"}', "until"),
        ("PUT", window, '{"from": -Infinity, "until": NaN}', "until"),
        ("POST", event, ok_event % ("1e400", '"x"'), "at"),
        ("POST", event, ok_event % ('"2025-05-06T18:00:00+03:00"', '"\\ud800x"'), "reason"),
        (
            "POST",
            event,
            '{"at": "2025-05-06T18:00:00+03:00", "kind": "invited", "\\ud800": 1}',
            "\\ud800",
        ),  # fmt: skip
        ("POST", event, "[NaN]", "0"),
    ]
    with caplog.at_level(logging.INFO):
        for method, url, body, field in cases:
            r = client.request(
                method,
                url,
                content=body.encode(),
                headers={**org, "Content-Type": "application/json"},
            )
            _assert_located_422(r, field)
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    # Nothing was stored: the check-in is not voided, the guest's history is as it was.
    assert client.get(f"/api/plans/{pid}/checkins", headers=org).json()[0]["void"] is None


def test_a_long_value_is_not_sent_back(
    client: TestClient, org: dict[str, str], mar: dict[str, str]
) -> None:
    pid = upload(client, org)
    c = checkin("band", "start", "head", "10:00:00")
    assert client.post(f"/api/plans/{pid}/checkins", json=c, headers=mar).status_code == 201
    marker = "reason-" + "z" * 60_000
    r = client.post(
        f"/api/plans/{pid}/checkins/{c['id']}/void", json={"reason": marker}, headers=org
    )
    _assert_located_422(r, "reason", echo="zzzzzzzzzz")
    assert len(r.content) < 1000
    assert r.json()["detail"][0]["msg"] == "is longer than 500 characters"
    # The same for an unknown field named by the client: its name is cut short.
    bad = {**checkin("band", "start", "head", "10:00:00"), "k" * 5000: 1}
    r = client.post(f"/api/plans/{pid}/checkins", json=bad, headers=mar)
    assert r.status_code == 422 and len(r.content) < 1000, r.text
    assert r.json()["detail"][0]["msg"] == "unknown field"
