"""MkDocs hook: the changelog page shows the repository's CHANGELOG.md.

CHANGELOG.md lives at the top of the repository, where GitHub and release
tools look for it, outside the site's docs/. Its links are written from
there: a link into docs/ (``docs/timing.md``) becomes a link to the site's
page (``timing.md``); a link to another file of the repository
(``README.md``, ``src/...``), which the site does not hold, keeps its text
and loses its link. Its own title gives way to the page's.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

MARKER = "<!-- changelog -->"
PAGE = "changelog.md"
SOURCE = "CHANGELOG.md"

log = logging.getLogger("mkdocs.hooks.changelog")

_TITLE = re.compile(r"\A\s*# [^\n]*\n")
# An inline link, not an image: [text](target)
_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]+)\]\((?P<target>[^)\s]+)\)")
_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|#|/)", re.IGNORECASE)


def on_page_markdown(markdown: str, page: Any, config: Any, **_: Any) -> str:
    """Fill the marker of the changelog page; every other page passes unchanged."""
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise PluginError(f"docs/{PAGE} lost its {MARKER} line: the changelog has no place")
    source = Path(config.config_file_path).parent / SOURCE
    return markdown.replace(MARKER, changelog_markdown(source))


def changelog_markdown(source: Path) -> str:
    """The changelog as a part of the page: without its title, links made relative to docs/."""
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        log.info("no %s yet: the changelog page says so", SOURCE)
        return f"The repository has no `{SOURCE}` yet."
    return _LINK.sub(_site_link, _TITLE.sub("", text, count=1))


def _site_link(match: re.Match[str]) -> str:
    target = match["target"]
    if _EXTERNAL.match(target):  # a web address, an anchor on the page
        return match[0]
    if target.startswith("docs/"):
        return f"[{match['text']}]({target.removeprefix('docs/')})"
    return match["text"]
