"""Griffe extension for the API reference: "Example:" reads like "Examples:".

Google-style docstrings spell the section either way; griffe parses only
the plural as examples (``>>>`` lines as code) and renders the singular as
a note, where Markdown turns each ``>>>`` into three nested quotes. The
docstrings are left as written; only what the site reads changes.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_SINGULAR = re.compile(r"^(?P<indent>[ \t]*)Example:[ \t]*$", re.MULTILINE)


def plural_examples(docstring: str) -> str:
    """The docstring with each "Example:" section heading made "Examples:"."""
    return _SINGULAR.sub(r"\g<indent>Examples:", docstring)


class PluralExamples(griffe.Extension):
    """Renames the section on every object as it is loaded, before its docstring is parsed."""

    def on_instance(self, *, obj: griffe.Object, **_: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = plural_examples(obj.docstring.value)
