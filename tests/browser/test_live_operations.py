"""End to end in Debian's chromium: sign in, upload the city parade example, check in (one
offline, the page reopened offline), undo, control room, sign out with a check-in unsent.

The pages never hold the session token, no page breaks its Content-Security-Policy, and
after sign-out the browser keeps no page and no queue. Screenshots of the control room
and the marshal page go to the ``artefacts`` folder (tests/conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from tests.browser.support import BROWSER_MARKS, PARADE, PLAN
from tests.service.server import PASSWORD, Server, assign_marshal

TIMEOUT_MS = 30_000
GUESTS = PLAN.parents[1] / "victory-day-2025" / "guests.yaml"
FIRST = "mounted-police"  # the first unit in its order of march
SECOND = "fire-engines"  # and the second
COOKIE = "paradeops_token"
#: Everything the browser keeps for the service after sign-out: caches, workers, storage.
KEPT = """async () => {
  const cached = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) cached.push(request.url);
  }
  const workers = (await navigator.serviceWorker.getRegistrations()).length;
  const stored = Object.keys(localStorage).filter((k) => k.startsWith("paradeops."));
  return { cached, workers, stored };
}"""

pytestmark = BROWSER_MARKS


def sign_in(page, base: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    page.fill('input[name="username"]', name)
    page.fill('input[name="password"]', PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r".*/$"))


def watch_for_trouble(page, trouble: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Collect what the page's console says about blocked content or script errors."""
    page.on(
        "console",
        lambda m: (
            trouble.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: trouble.append(str(e)))


def session_cookie(context) -> str:  # type: ignore[no-untyped-def]
    (value,) = [c["value"] for c in context.cookies() if c["name"] == COOKIE]
    assert value
    return str(value)


def count_is(page, box: str, n: int) -> None:  # type: ignore[no-untyped-def]
    # Predicates are functions, not strings: a string is eval'd, which the CSP forbids.
    page.wait_for_function(f"() => document.getElementById('{box}').textContent === '{n}'")


def test_upload_check_in_offline_and_watch(  # type: ignore[no-untyped-def]
    server: Server, browser, tmp_path: Path, artefacts: Path
) -> None:
    trouble: list[str] = []
    org_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    org = page_of(org_ctx, trouble)
    plan_id = organiser_uploads(org, org_ctx, server, tmp_path)
    org.goto(f"{server.base}/plans/{plan_id}/control")
    org.wait_for_function("() => document.body.dataset.updates >= 1")

    mar_ctx = browser.new_context(viewport={"width": 420, "height": 900})
    mar = page_of(mar_ctx, trouble)
    mar.clock.set_system_time(PARADE)  # the phone's clock: the parade's afternoon
    sign_in(mar, server.base, "mar")
    mar.goto(f"{server.base}/plans/{plan_id}/marshal")
    mar.wait_for_selector(f'button[data-unit="{FIRST}"][data-part="head"]')
    assert session_cookie(mar_ctx) not in mar.content()
    mar.select_option("#checkpoint", "start")
    marshal_undoes_a_wrong_tap(mar)
    marshal_taps_offline(mar, mar_ctx, artefacts)
    control_room_hears_both(org, server, plan_id, artefacts)
    protocol_officer_cancels_a_guest(org, mar, server, artefacts)
    marshal_signs_out_with_a_tap_unsent(mar, mar_ctx, server, plan_id)
    assert trouble == [], trouble
    org_ctx.close()
    mar_ctx.close()


def page_of(context: Any, trouble: list[str]) -> Any:
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch_for_trouble(page, trouble)
    return page


def organiser_uploads(org: Any, org_ctx: Any, server: Server, tmp_path: Path) -> int:
    """The city parade uploaded (its id); a malformed plan shows the CLI's message."""
    sign_in(org, server.base, "org")
    assert session_cookie(org_ctx) not in org.content()  # the page has no token, only the cookie
    org.set_input_files("#plan-file", str(PLAN))
    org.click("#upload-button")
    org.wait_for_url(re.compile(r".*/plans/\d+$"))
    plan_id = int(org.url.rsplit("/", 1)[1])
    assert "Riverside City Carnival 2025" in org.inner_text("h1")
    assign_marshal(server.url_db, plan_id, ("start",))

    org.goto(server.base + "/")
    bad = tmp_path / "bad.yaml"
    bad.write_text(PLAN.read_text().replace("ranks: 3", "ranks: -3", 1))
    org.set_input_files("#plan-file", str(bad))
    org.click("#upload-button")
    org.wait_for_selector("#upload-error:not([hidden])")
    assert "bad.yaml:" in org.inner_text("#upload-error")
    return plan_id


def marshal_undoes_a_wrong_tap(mar: Any) -> None:
    """A wrong tap, undone within the minute: voided on the service, not counted."""
    mar.click(f'button[data-unit="{SECOND}"][data-part="head"]')
    count_is(mar, "sent-count", 1)
    mar.click("#sent button.undo")
    mar.wait_for_selector("#sent li.voided")
    count_is(mar, "sent-count", 0)
    mar.click(f'button[data-unit="{FIRST}"][data-part="head"]')
    count_is(mar, "sent-count", 1)


def marshal_taps_offline(mar: Any, mar_ctx: Any, artefacts: Path) -> None:
    """Offline: the tap is kept, shown as unsent; the page even reopens (the service
    worker's static shell and the phone's copy of the plan), and sends it when the
    network returns."""
    mar.wait_for_function("() => navigator.serviceWorker.controller !== null")
    mar_ctx.set_offline(True)
    mar.click(f'button[data-unit="{FIRST}"][data-part="tail"]')
    count_is(mar, "unsent-count", 1)
    mar.reload()
    mar.wait_for_selector(f'button[data-unit="{FIRST}"][data-part="head"]')
    count_is(mar, "unsent-count", 1)
    assert "unsent" in mar.inner_text("#unsent")
    mar.screenshot(path=str(artefacts / "marshal-offline.png"), full_page=True)
    mar_ctx.set_offline(False)
    count_is(mar, "unsent-count", 0)
    count_is(mar, "sent-count", 2)
    mar.screenshot(path=str(artefacts / "marshal.png"), full_page=True)


def control_room_hears_both(org: Any, server: Server, plan_id: int, artefacts: Path) -> None:
    """The control room hears both without a reload, and not the undone one."""
    org.wait_for_function("() => document.body.dataset.checkins === '2'")
    assert org.locator("#graph circle.actual").count() == 2
    assert "tail at start" in org.inner_text(f'#units tr[data-unit="{FIRST}"]')
    org.screenshot(path=str(artefacts / "control-room.png"), full_page=True)

    org.goto(f"{server.base}/plans/{plan_id}/announcer")
    org.wait_for_selector("#script li")
    assert org.locator("#script li").first.get_attribute("data-unit") == FIRST


def protocol_officer_cancels_a_guest(org: Any, mar: Any, server: Server, artefacts: Path) -> None:
    """The example guest book uploaded, a cancellation appended; marshals read no guests."""
    org.goto(server.base + "/guests")
    org.set_input_files("#guests-file", str(GUESTS))
    org.click("#guests-upload-button")
    org.wait_for_selector('#guests tr[data-guest="la-president"]')
    assert org.locator("#announcements tr.matches").count() == 2
    org.select_option("#event-guest", "by-leader")
    org.select_option("#event-kind", "cancelled")
    org.fill("#event-at", "2025-04-01")  # before their confirmation: refused, saying why
    org.click("#event-button")
    org.wait_for_selector("#event-error:not([hidden])")
    assert "comes after one dated 2025-04-20" in org.inner_text("#event-error")
    org.fill("#event-at", "2025-05-06")
    org.fill("#event-reason", "illustrative: a late cancellation")
    org.click("#event-button")
    org.wait_for_function(
        """() => document.querySelector('#guests tr[data-guest="by-leader"] td.status')"""
        """.textContent === 'cancelled'"""
    )
    assert org.locator("#announcements tr.differs").count() == 1
    org.screenshot(path=str(artefacts / "guests.png"), full_page=True)
    mar.goto(server.base + "/guests")
    assert "Marshals do not read guests" in mar.inner_text("body")


def marshal_signs_out_with_a_tap_unsent(
    mar: Any, mar_ctx: Any, server: Server, plan_id: int
) -> None:
    """Offline the sign-out is refused, saying so, and the check-in stays; online it is
    sent first, then the browser forgets everything."""
    mar.goto(f"{server.base}/plans/{plan_id}/marshal")
    mar.wait_for_selector(f'button[data-unit="{SECOND}"][data-part="head"]')
    mar_ctx.set_offline(True)
    mar.click(f'button[data-unit="{SECOND}"][data-part="head"]')
    count_is(mar, "unsent-count", 1)
    said: list[str] = []
    mar.once("dialog", lambda d: (said.append(d.message), d.accept()))
    mar.click("#sign-out button")
    mar.wait_for_function("() => !document.querySelector('#sign-out button').disabled")
    assert said and "1 check-in has not reached the service" in said[0], said
    assert "nothing was discarded" in said[0]
    count_is(mar, "unsent-count", 1)
    assert mar.url.endswith("/marshal")
    mar_ctx.set_offline(False)
    mar.click("#sign-out button")
    mar.wait_for_url(re.compile(r".*/login$"))
    kept = mar.evaluate(KEPT)
    assert kept == {"cached": [], "workers": 0, "stored": []}, kept
    headers = server.token("org")
    stored = httpx.get(f"{server.base}/api/plans/{plan_id}/checkins", headers=headers).json()
    assert (SECOND, "head") in {(c["unit"], c["part"]) for c in stored}  # sent, not dropped
    mar.goto(f"{server.base}/plans/{plan_id}/marshal")
    assert "/login" in mar.url  # the session is over: no page from anywhere
