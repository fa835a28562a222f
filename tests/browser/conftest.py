"""Fixtures of the browser tests: per test module, one server replaying the parade's
afternoon (:data:`~tests.browser.support.PARADE`) and one Chromium. A module with
another clock or other browser flags defines its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.support import ARGS, CHROMIUM, PARADE
from tests.service.server import Server, add_users


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    url = str(folder / "paradeops.sqlite")
    add_users(url)
    srv = Server(url, folder / "server.log", clock_start=PARADE.isoformat()).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()
