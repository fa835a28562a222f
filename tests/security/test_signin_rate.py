"""Sign-in floods are shed per address at the edge (users/signin_rate.py)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from fastapi.testclient import TestClient

from paradeops.service import create_app
from paradeops.service.settings import ServiceSettings
from paradeops.service.users.signin_rate import Buckets


def test_a_burst_then_one_per_second_per_address() -> None:
    b = Buckets(burst=3, per_s=1.0)
    t = 100.0
    # Three at once go through; the fourth waits for one token: 1 s.
    assert [b.take("a", t) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert b.take("a", t) == pytest.approx(1.0)
    # Another address has its own bucket.
    assert b.take("b", t) == 0.0
    # 0.25 s later a quarter token has come back: 0.75 s still to wait.
    t += 0.25
    assert b.take("a", t) == pytest.approx(0.75)
    # 0.75 s more: one whole token, taken; the next waits a whole second again.
    t += 0.75
    assert b.take("a", t) == 0.0
    assert b.take("a", t) == pytest.approx(1.0)
    # A long pause refills to the burst, never beyond it.
    t += 3600
    assert [b.take("a", t) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert b.take("a", t) > 0


def test_a_flood_of_sign_ins_from_one_address_is_answered_429_before_routing(
    client, database_url
) -> None:  # type: ignore[no-untyped-def]
    form = {"username": "org", "password": "wrong-password-here"}
    codes = [client.post("/api/token", data=form).status_code for _ in range(40)]
    # The first sign-ins reach the throttle (401, then its own 429); past the
    # edge's burst of 30 the edge answers 429 with Retry-After.
    assert codes[:5] == [401] * 5
    r = client.post("/api/token", data=form)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    assert "from this address" in r.json()["detail"]


def test_a_refusal_for_rate_is_held_before_it_is_sent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A flood asks again as soon as it is answered: the pause is what slows it down."""
    # A clock that stands still: no token comes back, so every refusal after the
    # burst waits a whole token (0.5 s at 2 a second), held for the 0.3 s pause.
    still = dt.datetime(2025, 5, 9, 7, 0, tzinfo=dt.UTC)
    app = create_app(
        str(tmp_path / "db.sqlite"),
        clock=lambda: still,
        settings=ServiceSettings(signin_tarpit_s=0.3),
    )
    form = {"username": "nobody", "password": "wrong-password-here"}
    try:
        with TestClient(app) as c:
            while (r := c.post("/api/token", data=form)).status_code != 429 or (
                "from this address" not in r.text
            ):
                pass
            t = time.perf_counter()
            assert c.post("/api/token", data=form).status_code == 429
            assert time.perf_counter() - t >= 0.25
    finally:
        app.state.ctx.db.dispose()
