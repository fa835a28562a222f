"""An incident from a marshal's phone, offline, to the control room and the announcer.

In Debian's chromium: the marshal reports a breakdown of the fire engines while the
phone is offline (kept, shown unsent, the page even reloaded), it is sent when the
network returns, the control room shows it (and the projection holds the unit), the
announcer gets a line for it, and the marshal clears it from the phone. Screenshots at
a phone's viewport (390 x 844) and a desktop's (1440 x 900) go to ``artefacts``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx

from tests.browser.support import BROWSER_MARKS, PARADE, PLAN
from tests.browser.test_live_operations import count_is, page_of, sign_in
from tests.service.server import Server, assign_marshal

pytestmark = BROWSER_MARKS
UNIT, UNIT_NAME = "fire-engines", "Riverside Fire and Rescue engines"
#: The breakdown's expected duration (paradeops.live.incidents.DEFAULT_DURATION_S) [s].
BREAKDOWN_S = 600


def uploaded(server: Server) -> int:
    """The city parade as plan N, the marshal assigned its start."""
    r = httpx.post(
        server.base + "/api/plans",
        content=PLAN.read_bytes(),
        headers={**server.token("org"), "Content-Type": "application/yaml"},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    plan_id = int(r.json()["id"])
    assign_marshal(server.url_db, plan_id, ("start",))
    return plan_id


def test_incident_offline_to_control_room_and_announcer(  # type: ignore[no-untyped-def]
    server: Server, browser, artefacts: Path
) -> None:
    trouble: list[str] = []
    plan_id = uploaded(server)
    org_ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    org = page_of(org_ctx, trouble)
    sign_in(org, server.base, "org")
    org.goto(f"{server.base}/plans/{plan_id}/control")
    org.wait_for_function("() => document.body.dataset.updates >= 1")

    mar_ctx = browser.new_context(viewport={"width": 390, "height": 844})
    mar = page_of(mar_ctx, trouble)
    mar.clock.set_system_time(PARADE)  # the phone's clock: the parade's afternoon
    sign_in(mar, server.base, "mar")
    mar.goto(f"{server.base}/plans/{plan_id}/marshal")
    mar.wait_for_selector(f'#incident-unit option[value="{UNIT}"]', state="attached")
    marshal_reports_offline(mar, mar_ctx, artefacts)
    control_room_shows_it(org, server, plan_id, artefacts)
    announcer_has_a_line(org, server, plan_id, artefacts)
    marshal_clears_it(mar, org, server, plan_id)
    assert trouble == [], trouble
    org_ctx.close()
    mar_ctx.close()


def marshal_reports_offline(mar: Any, mar_ctx: Any, artefacts: Path) -> None:
    mar.wait_for_function("() => navigator.serviceWorker.controller !== null")
    mar_ctx.set_offline(True)
    mar.click("#incident-open")
    mar.select_option("#incident-code", "breakdown")
    mar.select_option("#incident-unit", UNIT)
    mar.fill("#incident-text", "Engine 3 will not start")
    mar.click("#incident-send")
    count_is(mar, "unsent-count", 1)
    mar.reload()  # the shell and the queue come back without a network
    mar.wait_for_selector("#unsent li")
    assert "incident breakdown fire-engines" in mar.inner_text("#unsent")
    assert "unsent" in mar.inner_text("#unsent")
    mar.screenshot(path=str(artefacts / "marshal-incident-offline-390.png"), full_page=True)
    mar_ctx.set_offline(False)
    count_is(mar, "unsent-count", 0)
    mar.wait_for_selector("#sent li.incident button.clear")


def control_room_shows_it(org: Any, server: Server, plan_id: int, artefacts: Path) -> None:
    org.wait_for_selector('#incidents .incident[data-code="breakdown"]')
    shown = org.inner_text("#incidents")
    assert UNIT_NAME in shown and "Engine 3 will not start" in shown and "(mar)" in shown
    # The phone's clock is on UTC (12:00); the control room says the parade's (London).
    assert "since 13:0" in shown, shown
    org.screenshot(path=str(artefacts / "control-incident-1440.png"), full_page=True)
    # The projection holds the engines where they are for the breakdown's expected 600 s:
    # at Bridge Street (450 m, ahead of them) they are at least that much later than planned.
    status = httpx.get(
        f"{server.base}/api/plans/{plan_id}/status", headers=server.token("org"), timeout=30
    ).json()
    unit = next(u for u in status["units"] if u["id"] == UNIT)
    bridge = next(p for p in unit["passes"] if p["checkpoint"] == "bridge-street")
    late = dt.datetime.fromisoformat(bridge["head"]) - dt.datetime.fromisoformat(
        bridge["planned_head"]
    )
    assert late.total_seconds() >= BREAKDOWN_S - 1, bridge


def announcer_has_a_line(org: Any, server: Server, plan_id: int, artefacts: Path) -> None:
    org.goto(f"{server.base}/plans/{plan_id}/announcer")
    org.wait_for_selector("#incidents .incident .line")
    line = org.inner_text("#incidents .incident .line")
    assert line.startswith(f"The parade is paused: {UNIT_NAME} has broken down near "), line
    org.screenshot(path=str(artefacts / "announcer-incident-1440.png"), full_page=True)


def marshal_clears_it(mar: Any, org: Any, server: Server, plan_id: int) -> None:
    mar.click("#sent li.incident button.clear")
    mar.wait_for_selector("#sent li.incident.cleared")
    org.wait_for_selector("#incidents .incident", state="detached")
    stored = httpx.get(
        f"{server.base}/api/plans/{plan_id}/incidents", headers=server.token("org"), timeout=30
    ).json()
    assert [(i["unit"], i["cleared"]["cleared_by"]) for i in stored] == [(UNIT, "mar")]
