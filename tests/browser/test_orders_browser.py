"""A hold-and-release order from the control room to the marshal's phone, offline too.

In Debian's chromium: an organiser issues a hold of the rear mounted police at the
start; the control room lists it as waiting; the marshal's phone shows it on top
(for its checkpoint), taps *Seen* while offline (kept unsent, the button moves on to
*Unit told*), sends it when the network returns, then *Unit told* and *Done*; the
order is then executed in the service (every step by ``mar``) and leaves the
control room's waiting list. Screenshots at 390 x 844 and 1440 x 900 go to
``artefacts``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from tests.browser.support import BROWSER_MARKS, PARADE
from tests.browser.test_incidents_browser import uploaded
from tests.browser.test_live_operations import count_is, page_of, sign_in
from tests.service.server import Server

pytestmark = BROWSER_MARKS
UNIT = "mounted-police-rear"


def test_order_to_the_marshal_and_back(  # type: ignore[no-untyped-def]
    server: Server, browser, artefacts: Path
) -> None:
    trouble: list[str] = []
    plan_id = uploaded(server)
    org_ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    org = page_of(org_ctx, trouble)
    sign_in(org, server.base, "org")
    org.goto(f"{server.base}/plans/{plan_id}/control")
    org.wait_for_function("() => document.body.dataset.updates >= 1")
    body = {
        "id": uuid.uuid4().hex,
        "unit": UNIT,
        "checkpoint": "start",
        "action": "hold",
        "seconds": 40,
    }
    url = f"{server.base}/api/plans/{plan_id}/orders"
    r = httpx.post(url, json=body, headers=server.token("org"), timeout=30)
    assert r.status_code == 201, r.text
    org.wait_for_selector('#orders .order[data-order="issued"]')
    assert f"hold {UNIT} at start for 40 s" in org.inner_text("#orders")
    org.screenshot(path=str(artefacts / "control-order-1440.png"), full_page=True)

    mar_ctx = browser.new_context(viewport={"width": 390, "height": 844})
    mar = page_of(mar_ctx, trouble)
    mar.clock.set_system_time(PARADE)
    sign_in(mar, server.base, "mar")
    mar.goto(f"{server.base}/plans/{plan_id}/marshal")
    mar.wait_for_selector(f'#order-list li[data-order="{body["id"]}"] button')
    assert f"HOLD {UNIT} for 40 s" in mar.inner_text("#orders")
    mar.wait_for_function("() => navigator.serviceWorker.controller !== null")
    mar_ctx.set_offline(True)
    mar.click(f'#order-list li[data-order="{body["id"]}"] button')  # Seen
    count_is(mar, "unsent-count", 1)
    mar.wait_for_selector('#order-list li[data-state="confirmed"] button[data-step="ack"]')
    mar.screenshot(path=str(artefacts / "marshal-order-offline-390.png"), full_page=True)
    mar_ctx.set_offline(False)
    count_is(mar, "unsent-count", 0)
    mar.click('#order-list button[data-step="ack"]')  # Unit told
    mar.wait_for_selector('#order-list button[data-step="execute"]')
    mar.click('#order-list button[data-step="execute"]')  # Done
    count_is(mar, "unsent-count", 0)
    org.wait_for_selector('#orders .order[data-order="issued"]', state="detached")
    (stored,) = httpx.get(url, headers=server.token("org"), timeout=30).json()["issued"]
    assert stored["state"] == "executed"
    assert [(s["step"], s["by"]) for s in stored["steps"]] == [
        ("confirmed", "mar"),
        ("acknowledged", "mar"),
        ("executed", "mar"),
    ]
    assert trouble == [], trouble
    org_ctx.close()
    mar_ctx.close()
