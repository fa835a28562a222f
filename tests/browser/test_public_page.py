"""The public tracker's page on a phone (390 x 844), in Debian's chromium.

The city parade is made public (incidents too); a spectator opens
``/public/N`` without signing in, the map (MapLibre, WebGL in software) draws
the route, they choose the grandstand and see ETA ranges, a marshal posts an
incident and its standard line appears; they tap the map and get the ETAs of
that spot. axe-core (vendored as test data, evaluated by Playwright, never
served) finds no serious or critical violation. Screenshots go to ``artefacts``.
Nothing may be blocked by the page's Content-Security-Policy.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.browser.support import BROWSER_MARKS, CHROMIUM, PLAN
from tests.browser.test_live_operations import page_of
from tests.service.server import Server, assign_marshal

pytestmark = BROWSER_MARKS
AXE = Path(__file__).resolve().parent / "data" / "axe-core" / "axe.min.js"
#: WebGL in software (SwiftShader) for the map; otherwise the flags of the other tests.
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RANGE = re.compile(r"\d\d:\d\d – \d\d:\d\d \(likely \d\d:\d\d\)")


def public_plan(server: Server) -> int:
    org = server.token("org")
    r = httpx.post(
        server.base + "/api/plans",
        content=PLAN.read_bytes(),
        headers={**org, "Content-Type": "application/yaml"},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    plan_id = int(r.json()["id"])
    assign_marshal(server.url_db, plan_id, ("start",))
    body = {"public": True, "incidents": True}
    r = httpx.put(f"{server.base}/api/plans/{plan_id}/public", json=body, headers=org)
    assert r.status_code == 200, r.text
    return plan_id


def test_public_page_on_a_phone(server: Server, artefacts: Path) -> None:
    from playwright.sync_api import sync_playwright

    plan_id = public_plan(server)
    trouble: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = page_of(ctx, trouble)
        page.goto(f"{server.base}/public/{plan_id}")
        page.wait_for_selector('#spot option[value="grandstand"]', state="attached")
        page.wait_for_selector("#map canvas")  # the map library ran (its worker from blob:)
        choose_the_grandstand(page)
        an_incident_appears(page, server, plan_id)
        page.screenshot(path=str(artefacts / "public-390.png"))
        tap_the_route(page)
        no_serious_accessibility_violations(page)
        browser.close()
    assert trouble == [], trouble


def choose_the_grandstand(page: Any) -> None:
    page.select_option("#spot", "grandstand")
    page.wait_for_selector("#eta .range")
    text = page.inner_text("#eta")
    assert "At Riverside Grandstand (TV)" in text and "Coming" in text, text
    assert RANGE.search(text), text
    page.wait_for_function("() => document.getElementById('now').textContent.startsWith('As of')")


def an_incident_appears(page: Any, server: Server, plan_id: int) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "code": "breakdown",
        "text": "Driver Smith says engine 3 is dead",
        "unit": "fire-engines",
    }
    r = httpx.post(
        f"{server.base}/api/plans/{plan_id}/incidents", json=body, headers=server.token("mar")
    )
    assert r.status_code == 201, r.text
    page.wait_for_selector("#incidents p.incident")
    text = page.inner_text("#incidents")
    assert "has broken down" in text and "Smith" not in text, text


def tap_the_route(page: Any) -> None:
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "() => /along the route/.test(document.getElementById('eta').textContent)"
    )
    assert RANGE.search(page.inner_text("#eta")) or "passed at" in page.inner_text("#eta")


def no_serious_accessibility_violations(page: Any) -> None:
    # Evaluated through the DevTools protocol, so the page's CSP does not apply to it.
    page.evaluate(AXE.read_text() + "\n;0")
    found = page.evaluate("async () => (await axe.run(document)).violations")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious
