"""MkDocs hook: the reStructuredText habits of the docstrings, made right in the API reference.

The code's docstrings name other objects the Sphinx way (``:func:`load_plan```,
``:class:`~paradeops.errors.UserError```), which mkdocstrings leaves as
text: ``:func:`` followed by a code span. This turns each into a
cross-reference that mkdocs-autorefs resolves when the object is on the
site, and into plain code when it is not (an ``optional`` reference: no
warning, the build stays strict for real broken links).

A paragraph that introduces a literal block ends in ``::`` in reST; the
block itself already renders as code, so the site shows one colon.
"""

from __future__ import annotations

import html
import re
from typing import Any

ROLES = ("attr", "class", "data", "exc", "func", "meth", "mod", "obj")
PACKAGE = "paradeops"

_ROLE = re.compile(rf":(?:{'|'.join(ROLES)}):<code>(?P<tilde>~?)(?P<target>[\w.]+)</code>")
_LITERAL_INTRO = re.compile(r"::</p>(?=\s*<div class=\"highlight\">)")


def on_page_content(content: str, **_: Any) -> str:
    """Roles made references (autorefs resolves them later in the build), "::" made ":"."""
    return _LITERAL_INTRO.sub(":</p>", _ROLE.sub(_reference, content))


def _reference(match: re.Match[str]) -> str:
    target = match["target"]
    # "~a.b.c" shows "c"; a bare name is one of the package's own.
    title = target.rsplit(".", 1)[-1] if match["tilde"] else target
    identifier = target if "." in target else f"{PACKAGE}.{target}"
    return (
        f'<autoref identifier="{html.escape(identifier)}" optional>'
        f"<code>{html.escape(title)}</code></autoref>"
    )
