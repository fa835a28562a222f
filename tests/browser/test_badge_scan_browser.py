"""The tribune's badge scan in Debian's chromium at a phone's viewport: a steward types what
a scanner would (the code, then Enter) and reads the verdict; no CSP violation, no script
error. The server replays 2025-08-23 13:00:30 London time (UTC+01:00); tokens are worked
by hand as in tests/service/test_badges.py. Screenshots go to ``artefacts``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from paradeops.service.users.service import add_user
from paradeops.store import open_database
from tests.browser.support import BROWSER_MARKS, PARADE
from tests.browser.test_live_operations import page_of, sign_in
from tests.service.server import PASSWORD, Server, add_users
from tests.service.test_badges import GUESTS, KEY, token

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the badge key in its environment, a steward and the Victory Day book."""
    folder = tmp_path_factory.mktemp("badge-scan")
    url = str(folder / "paradeops.sqlite")
    add_users(url)
    db = open_database(url)
    with db.writing() as s:
        add_user(s, name="stew", role="steward", password=PASSWORD, now=dt.datetime.now(dt.UTC))
    db.dispose()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PARADEOPS_BADGE_KEY", KEY.hex())  # the subprocess inherits it
        srv = Server(url, folder / "server.log", clock_start=PARADE.isoformat()).start()
    try:
        r = httpx.post(srv.base + "/api/guestbooks", content=GUESTS.read_bytes(),
                       headers={**srv.token("org"), "Content-Type": "application/yaml"},
                       timeout=60)  # fmt: skip
        assert r.status_code == 201, r.text
        yield srv
    finally:
        srv.stop()


def scan(page: Any, text: str) -> tuple[str, str, str]:
    """Type ``text`` and Enter, as a scanner does; the verdict's word, name and detail."""
    before = page.eval_on_selector_all("#scan-log li", "items => items.length")
    page.fill("#scan-token", text)
    page.press("#scan-token", "Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('#scan-log li').length === {before + 1}"
    )
    assert page.input_value("#scan-token") == ""  # ready for the next badge
    assert page.evaluate("() => document.activeElement.id") == "scan-token"
    return (page.inner_text("#scan-word"), page.inner_text("#scan-name"),
            page.inner_text("#scan-detail"))  # fmt: skip


def test_a_steward_scans_at_the_gate(server: Server, browser: Any, artefacts: Path) -> None:
    trouble: list[str] = []
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = page_of(ctx, trouble)
    sign_in(page, server.base, "stew")
    page.click('header a[href="/scan"]')
    page.wait_for_selector("#scan-token")

    word, name, detail = scan(page, token("ushakov"))
    assert (word, detail) == ("ADMIT", "admitted") and name.startswith("Yuri Ushakov")
    page.screenshot(path=str(artefacts / "scan-admit-phone.png"))
    word, _, detail = scan(page, token("ushakov"))
    assert word == "ALREADY ADMITTED"
    assert re.fullmatch(r"already admitted at 13:0\d \(UTC\+01:00\)", detail), detail
    word, name, detail = scan(page, token("la-president"))
    assert word == "REFUSED" and name.startswith("Thongloun Sisoulith")
    assert detail.startswith("refused: cancelled")
    page.screenshot(path=str(artefacts / "scan-refused-phone.png"))
    word, name, detail = scan(page, "PB1:ushakov:" + "A" * 22)
    assert (word, name) == ("NOT VALID", "") and "signature does not match" in detail
    assert page.eval_on_selector_all("#scan-log li", "items => items.length") == 4
    assert trouble == [], trouble
    ctx.close()


def test_a_marshal_has_no_scan_page(server: Server, browser: Any) -> None:
    ctx = browser.new_context()
    page = page_of(ctx, [])
    sign_in(page, server.base, "mar")
    assert page.locator('header a[href="/scan"]').count() == 0
    assert page.goto(server.base + "/scan").status == 403
    ctx.close()
