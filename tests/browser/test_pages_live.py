"""The pages people use on the day, in Debian's chromium, at a phone's viewport (390 x 844)
and a desktop's (1440 x 900): the control room, the marshal's phone and the announcer.

The city parade replayed from 13:08 (Europe/London) with its first six units seen at the
start, 40 s late, and the fire engines broken down. The browser runs in New York's zone
(five hours behind London that day): every time a page shows must be the parade's.
Screenshots go to ``artefacts``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.browser.support import ARGS, BROWSER_MARKS, CHROMIUM, PLAN
from tests.browser.test_live_operations import page_of, sign_in
from tests.service.server import Server, add_users, assign_marshal

pytestmark = BROWSER_MARKS
LONDON = ZoneInfo("Europe/London")
#: Eight minutes after the city parade's step-off (13:00 on 2025-08-23, London).
NOW = dt.datetime(2025, 8, 23, 13, 8, tzinfo=LONDON)
#: The browser's zone: 08:08 there when it is 13:08 in London (BST +1, EDT -4).
BROWSER_ZONE = "America/New_York"
#: The first six units in the order of march (examples/city-parade/plan.yaml), seen at the start.
SEEN = (
    "mounted-police",
    "fire-engines",
    "float-riverside-rowing-club",
    "band-riverside-concert-band",
    "dance-capoeira-riverside",
    "float-old-town-traders",
)
#: The next three in the order of march: due next at the start, in this order.
DUE_NEXT = ("Riverside Runners", "Riverside Primary Schools float", "City of Riverside Pipe Band")
#: The first three at the stand (at 13:08 the first is 26 min away from it).
FIRST_AT_STAND = (
    "Riverside Mounted Police",
    "Riverside Fire and Rescue engines",
    "Riverside Rowing Club float",
)
LATE_S = 40
VIEWPORTS = {"phone": (390, 844), "desktop": (1440, 900)}
#: Every clock time a page shows, hh:mm or hh:mm:ss.
CLOCK = re.compile(r"\b(\d\d):(\d\d)(?::\d\d)?\b")


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    """The server replaying the parade, the plan, its check-ins and an open breakdown."""
    folder = tmp_path_factory.mktemp("pages")
    url = str(folder / "paradeops.sqlite")
    add_users(url)
    srv = Server(url, folder / "server.log", clock_start=NOW.isoformat()).start()
    org = srv.token("org")
    r = httpx.post(
        srv.base + "/api/plans",
        content=PLAN.read_bytes(),
        headers={**org, "Content-Type": "application/yaml"},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    plan_id = int(r.json()["id"])
    assign_marshal(url, plan_id, ("start", "grandstand"))
    check_in_late(srv, org, plan_id)
    r = httpx.post(
        f"{srv.base}/api/plans/{plan_id}/incidents",
        json={"id": uuid.uuid4().hex, "code": "breakdown", "unit": "fire-engines"}
        | {"text": "Engine 3 will not start"},
        headers=org,
        timeout=30,
    )
    assert r.status_code == 201, r.text
    yield srv, plan_id
    srv.stop()


def check_in_late(srv: Server, org: dict[str, str], plan_id: int) -> None:
    """Heads and tails of SEEN at the start, each LATE_S after its planned time."""
    status = httpx.get(f"{srv.base}/api/plans/{plan_id}/status", headers=org, timeout=30).json()
    for unit in (u for u in status["units"] if u["id"] in SEEN):
        start = next(p for p in unit["passes"] if p["checkpoint"] == "start")
        for part in ("head", "tail"):
            at = dt.datetime.fromisoformat(start[f"planned_{part}"]) + dt.timedelta(seconds=LATE_S)
            body = {"id": uuid.uuid4().hex, "unit": unit["id"], "checkpoint": "start"}
            body |= {"part": part, "at": at.isoformat()}
            r = httpx.post(f"{srv.base}/api/plans/{plan_id}/checkins", json=body, headers=org)
            assert r.status_code in (200, 201), r.text


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def opened(browser: Any, srv: Server, who: str, viewport: str, trouble: list[str]) -> Any:
    w, h = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": w, "height": h}, timezone_id=BROWSER_ZONE)
    page = page_of(context, trouble)
    page.clock.set_system_time(NOW)  # the phone's clock: the parade's afternoon (its taps' times)
    sign_in(page, srv.base, who)
    return page


def only_the_parades_clock(text: str) -> None:
    """Every time shown is the parade's afternoon in London (New York's would be 08:xx)."""
    hours = {int(h) for h, _ in CLOCK.findall(text)}
    assert hours, text[:500]
    assert hours <= {13, 14, 15}, (hours, text[:2000])


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_control_room(
    day: tuple[Server, int], browser: Any, viewport: str, artefacts: Path
) -> None:
    srv, plan_id = day
    trouble: list[str] = []
    page = opened(browser, srv, "org", viewport, trouble)
    page.goto(f"{srv.base}/plans/{plan_id}/control")
    page.wait_for_function("() => document.body.dataset.checkins === '12'")
    page.wait_for_selector("#stand-list li")
    page.screenshot(path=str(artefacts / f"control-{viewport}.png"))
    page.screenshot(path=str(artefacts / f"control-{viewport}-full.png"), full_page=True)
    page.locator(".graph-box").screenshot(path=str(artefacts / f"control-{viewport}-graph.png"))

    texts = "ts => ts.map(t => t.textContent)"  # SVG text has no inner text
    labels = page.locator("#graph .axis-time text").evaluate_all(texts)
    assert "13:00" in labels and all(re.fullmatch(r"\d\d:\d\d", t) for t in labels), labels
    assert page.locator("#graph .axis-place text").count() == 8  # the route's checkpoints
    legend = page.inner_text("#legend")
    assert all(w in legend for w in ("planned", "actual", "projected", "now")), legend
    assert page.locator("#graph line.now").count() == 1
    assert page.locator("#graph .now-label").evaluate_all(texts) == ["now 13:08"]
    assert page.locator("#graph circle.actual").count() == 12
    graph, alerts = page.locator("#graph").bounding_box(), page.locator("#attention").bounding_box()
    assert alerts["y"] < graph["y"] or alerts["x"] + alerts["width"] <= graph["x"]  # first
    assert graph["height"] >= 0.45 * VIEWPORTS[viewport][1]  # the graph fills the screen
    assert "Engine 3 will not start" in page.inner_text("#incidents")
    stand = page.locator("#stand-list li .name").all_inner_texts()
    assert tuple(stand[:3]) == FIRST_AT_STAND, stand
    tables_filter(page)
    only_the_parades_clock(page.inner_text("main"))
    assert trouble == [], trouble
    page.context.close()


def tables_filter(page: Any) -> None:
    """Held: the broken-down engines only; Late: every row over a minute late."""
    page.click('.filters button[data-filter="held"]')
    assert page.locator("#units tbody tr").evaluate_all("rs => rs.map(r => r.dataset.unit)") == [
        "fire-engines"
    ]
    page.click('.filters button[data-filter="late"]')
    delays = page.locator("#units tbody td.delay").all_inner_texts()
    shown = page.inner_text('.filters button[data-filter="late"] span')
    assert len(delays) == int(shown) and all(int(d.split()[0]) > 60 for d in delays), delays
    page.click('.filters button[data-filter="route"]')
    states = page.locator("#units tbody tr").evaluate_all("rs => rs.map(r => r.dataset.state)")
    assert states and set(states) == {"marching"}, states


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_marshal_page(
    day: tuple[Server, int], browser: Any, viewport: str, artefacts: Path
) -> None:
    srv, plan_id = day
    trouble: list[str] = []
    page = opened(browser, srv, "mar", viewport, trouble)
    page.goto(f"{srv.base}/plans/{plan_id}/marshal")
    page.select_option("#checkpoint", "start")
    page.wait_for_selector("#due li .expect:text-matches('\\\\d')")
    due = page.locator("#due li .name").all_inner_texts()
    assert tuple(due) == DUE_NEXT, due
    times = page.locator("#due li .expect").all_inner_texts()
    countdown = r"(in [\d hmins]+|[\d hmins]+ ago|now)"  # "in 4 min 05 s", "40 s ago"
    assert all(re.fullmatch(rf"\d\d:\d\d:\d\d · {countdown}", t) for t in times), times
    assert page.inner_text("#passed-count") == f"({len(SEEN)})"
    assert not page.locator("#passed").evaluate("d => d.open")  # folded away
    heights = page.locator("#due button.tap").evaluate_all(
        "bs => bs.map(b => b.getBoundingClientRect().height)"
    )
    assert len(heights) == 6 and min(heights) >= 48, heights
    page.fill("#search", "pipe")
    shown = page.locator("#marshal-units li.unit .name").all_inner_texts()
    assert shown == ["City of Riverside Pipe Band"], shown
    page.fill("#search", "")
    page.click('#due button[data-unit="group-riverside-runners"][data-part="head"]')
    page.wait_for_selector("#last-tap button.undo")  # near the top, undoable for a minute
    page.wait_for_selector('#due button.done[data-unit="group-riverside-runners"]')
    page.screenshot(path=str(artefacts / f"marshal-{viewport}.png"))
    page.click("#last-tap button.undo")
    page.wait_for_selector("#sent li.voided")  # voided on the service, kept in the record
    page.wait_for_selector('#due button.tap:not(.done)[data-unit="group-riverside-runners"]')
    only_the_parades_clock(page.inner_text("main"))
    if viewport == "phone":
        reopens_offline_with_its_times(page)
    assert trouble == [], trouble
    page.context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_announcer(day: tuple[Server, int], browser: Any, viewport: str, artefacts: Path) -> None:
    srv, plan_id = day
    trouble: list[str] = []
    page = opened(browser, srv, "org", viewport, trouble)
    page.goto(f"{srv.base}/plans/{plan_id}/announcer")
    page.wait_for_selector("#next-at-stand li")
    assert "Nobody at the stand" in page.inner_text("#now-at-stand")  # at 13:08, none yet
    names = page.locator("#next-at-stand li .name").all_inner_texts()
    assert tuple(names) == FIRST_AT_STAND, names
    first = page.inner_text("#next-at-stand li .description")
    assert first == "The mounted section of Riverside Police leads the carnival."
    when = page.locator("#next-at-stand li .when").all_inner_texts()
    # Minutes away, the engines' and the float behind them later by the breakdown's hold.
    assert all(re.match(r"13:[34]\d:\d\d · in \d+ min \d\d s", w) for w in when), when
    assert page.inner_text("#incidents .line").startswith("The parade is paused: ")
    page.screenshot(path=str(artefacts / f"announcer-{viewport}.png"), full_page=True)
    only_the_parades_clock(page.inner_text("main"))
    assert trouble == [], trouble
    page.context.close()


def reopens_offline_with_its_times(page: Any) -> None:
    """Offline, the page reopens with the same units due next and their expected times."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#due li .expect:text-matches('\\\\d')")
    assert tuple(page.locator("#due li .name").all_inner_texts()) == DUE_NEXT
    after = page.locator("#due li .expect").all_inner_texts()
    assert all(re.match(r"13:\d\d:\d\d · ", t) for t in after), after  # kept on the phone
    page.context.set_offline(False)
