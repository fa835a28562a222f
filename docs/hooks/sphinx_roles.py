"""MkDocs hook: the Sphinx roles of the docstrings become links in the API reference.

The code's docstrings name other objects the Sphinx way (``:func:`load_plan```,
``:class:`~paradeops.errors.UserError```), which mkdocstrings leaves as
text: ``:func:`` followed by a code span. This turns each into a
cross-reference that mkdocs-autorefs resolves when the object is on the
site, and into plain code when it is not (an ``optional`` reference: no
warning, the build stays strict for real broken links).
"""

from __future__ import annotations

import html
import re
from typing import Any

ROLES = ("attr", "class", "data", "exc", "func", "meth", "mod", "obj")
PACKAGE = "paradeops"

_ROLE = re.compile(rf":(?:{'|'.join(ROLES)}):<code>(?P<tilde>~?)(?P<target>[\w.]+)</code>")


def on_page_content(content: str, **_: Any) -> str:
    """Every role of the page made a reference (autorefs resolves them later in the build)."""
    return _ROLE.sub(_reference, content)


def _reference(match: re.Match[str]) -> str:
    target = match["target"]
    # "~a.b.c" shows "c"; a bare name is one of the package's own.
    title = target.rsplit(".", 1)[-1] if match["tilde"] else target
    identifier = target if "." in target else f"{PACKAGE}.{target}"
    return (
        f'<autoref identifier="{html.escape(identifier)}" optional>'
        f"<code>{html.escape(title)}</code></autoref>"
    )
