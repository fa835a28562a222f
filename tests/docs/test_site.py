"""The documentation site builds strictly, holds every page, and needs no internet."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from paradeops.cli import COMMANDS
from tests.conftest import ROOT

DOCS = ROOT / "docs"

pytestmark = pytest.mark.slow  # one strict build, ~15 s


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as `scripts/docs` builds it (strict), into a folder of its own."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"mkdocs build --strict failed:\n{run.stdout}\n{run.stderr}"
    return out


def _page(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def test_every_page_of_docs_is_on_the_site(site: Path) -> None:
    pages = sorted(p.relative_to(DOCS).with_suffix(".html") for p in DOCS.glob("*.md"))
    assert {Path(n) for n in ["index.html", "cli.html", "api.html", "changelog.html"]} <= set(pages)
    assert {Path(n) for n in ["plan-format.html", "timing.html", "simulation.html"]} <= set(pages)
    missing = [str(p) for p in pages if not (site / p).is_file()]
    assert not missing


def test_the_cli_page_has_a_section_for_every_command(site: Path) -> None:
    html = _page(site, "cli.html")
    missing = [name for name in COMMANDS if f'<h2 id="{name}">' not in html]
    assert not missing
    # The options before any command, on paradeops itself.
    root = html[html.index('<h2 id="paradeops">') : html.index('<h2 id="validate">')]
    assert "<code>--version</code>" in root
    # Subcommands of groups, one level deeper.
    for sub in ["guests-status", "guests-event-add", "user-add", "db-upgrade", "secret-rotate"]:
        assert re.search(rf'<h[34] id="{sub}">', html), sub


def test_the_cli_page_gives_options_with_help_and_defaults(site: Path) -> None:
    html = _page(site, "cli.html")
    schedule = html[html.index('<h2 id="schedule">') : html.index('<h2 id="graph">')]
    assert "paradeops schedule [OPTIONS]" in schedule
    assert "<code>plan &lt;path&gt;</code>" in schedule
    assert "<code>-f, --format &lt;table|csv|json&gt;</code>" in schedule
    assert "Output format <em>default: table</em>" in schedule
    # --help is said once at the top, not in every table.
    assert "<code>--help</code>" not in schedule


def test_the_api_page_documents_the_public_functions(site: Path) -> None:
    html = _page(site, "api.html")
    for name in ["load_plan", "schedule", "simulate", "UserError"]:
        assert f'id="paradeops.{name}"' in html, name
    # Sphinx roles in the docstrings are links or code, never ":func:" text;
    # doctest prompts are code, not Markdown's nested quotes.
    assert ":func:" not in html and ":class:" not in html
    assert "<blockquote>" not in html


def test_the_changelog_page_shows_the_repository_changelog(site: Path) -> None:
    html = _page(site, "changelog.html")
    changelog = ROOT / "CHANGELOG.md"
    if not changelog.exists():
        assert "The repository has no <code>CHANGELOG.md</code> yet." in html
        return
    headings = re.findall(r"^## +(.+)$", changelog.read_text(encoding="utf-8"), re.MULTILINE)
    assert headings, "CHANGELOG.md has no ## sections"
    first = re.sub(r"[\[\]`*]", "", headings[0]).split("(")[0].strip()
    assert first in unescape(re.sub(r"<[^>]+>", "", html))


class _Assets(HTMLParser):
    """Every address a browser would fetch by itself (not links the reader follows)."""

    FETCHED = {
        "script": "src",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "audio": "src",
        "video": "src",
        "embed": "src",
        "object": "data",
        "link": "href",
    }

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = self.FETCHED.get(tag)
        values = dict(attrs)
        if wanted and values.get(wanted):
            if tag == "link" and values.get("rel") in {"next", "prev", "canonical"}:
                return  # navigation between pages, not fetched
            self.urls.append(values[wanted] or "")
        if values.get("srcset"):
            self.urls.append(values["srcset"] or "")


def test_the_site_fetches_nothing_from_the_internet(site: Path) -> None:
    external: list[str] = []
    for page in sorted(site.rglob("*.html")):
        parser = _Assets()
        parser.feed(page.read_text(encoding="utf-8"))
        rel = page.relative_to(site)
        external += [f"{rel}: {u}" for u in parser.urls if re.match(r"(https?:)?//", u)]
    imports = re.compile(r"""(@import\s+(url\()?|url\()\s*["']?(https?:)?//""")
    for css in sorted(site.rglob("*.css")):
        external += [f"{css.relative_to(site)}: {m[0]}" for m in imports.finditer(css.read_text())]
    assert not external


def test_search_works_from_disk(site: Path) -> None:
    # The offline plugin inlines the index in a script (a file:// page cannot
    # fetch JSON), and the worker shim comes from the site, not unpkg.com.
    assert _page(site, "search/search_index.js").startswith("var __index = {")
    assert 'src="assets/vendor/iframe-worker/shim.js"' in _page(site, "index.html")
    assert (site / "assets/vendor/iframe-worker/shim.js").is_file()


CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
skip_without_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is missing: run scripts/install-browser (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


def _page_from_disk(browser: Any, fetched: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda request: fetched.append(request.url))
    return page


@pytest.mark.browser
@skip_without_chromium
def test_search_finds_pages_in_a_site_opened_from_disk(site: Path, browser: Any) -> None:
    fetched: list[str] = []
    page = _page_from_disk(browser, fetched)
    page.goto((site / "index.html").as_uri())
    page.click("input.md-search__input")
    page.keyboard.type("reviewing stand")  # typed: search listens to keys
    page.wait_for_selector(".md-search-result__item", timeout=30_000)
    titles = page.locator(".md-search-result__item h1").all_inner_texts()
    page.close()
    assert "The timing engine" in titles
    assert [url for url in fetched if not url.startswith("file:")] == []


@pytest.mark.browser
@skip_without_chromium
def test_no_page_asks_the_internet_for_anything(site: Path, browser: Any) -> None:
    fetched: list[str] = []
    page = _page_from_disk(browser, fetched)
    for html in sorted(site.glob("*.html")):
        if html.name != "404.html":  # a server's page: its assets are absolute
            page.goto(html.as_uri(), wait_until="networkidle")
    page.close()
    assert [url for url in fetched if not url.startswith(("file:", "data:"))] == []


def test_headings_have_the_anchors_github_gives_them(site: Path) -> None:
    # "## CSV / XLSX import": GitHub drops the "/" and keeps both spaces as
    # hyphens, so links written against GitHub land on the site too.
    assert 'id="csv--xlsx-import"' in _page(site, "protocol.html")
    assert 'id="guestsyaml"' in _page(site, "protocol.html")  # "## `guests.yaml`"
