"""JSON merge patches (RFC 7396): what the control room's stream sends between documents.

A merge patch is an object whose members replace the target's members of the
same name, recurse into members that are objects on both sides, and delete
the members whose patch value is ``null``. Arrays are replaced whole, which is
why the streamed documents key their collections by id (see ``stream.py``).

Because ``null`` means "delete", a document whose objects hold ``null``
values cannot be reached exactly by a patch; the streamed documents leave
such members out instead (absent means null). Within arrays ``null`` is fine.
"""

from __future__ import annotations

from typing import Any

JSON = Any
_ABSENT: Any = object()


def apply(target: JSON, patch: JSON) -> JSON:
    """``target`` with ``patch`` merged in (RFC 7396, section 2); ``target`` is not changed."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = apply(result.get(name), value)
    return result


def diff(source: dict[str, JSON], target: dict[str, JSON]) -> dict[str, JSON]:
    """The smallest merge patch taking ``source`` to ``target``: ``{}`` if they are the same.

    ``apply(source, diff(source, target)) == target`` whenever ``target``'s
    objects hold no ``null`` values (see the module's note).
    """
    # Built for the streamed documents: thousands of members, nearly all the
    # very same objects as before, so the common case is one identity check.
    patch: dict[str, JSON] = {name: None for name in source.keys() - target.keys()}
    for name, new in target.items():
        old = source.get(name, _ABSENT)
        if old is new:
            continue
        if old is _ABSENT:
            patch[name] = new
        elif isinstance(old, dict) and isinstance(new, dict):
            if not same(old, new):
                patch[name] = diff(old, new)
        elif not same(old, new):
            patch[name] = new
    return patch


def same(a: JSON, b: JSON) -> bool:
    """Equal as JSON: like ``==``, but ``1`` is not ``true`` and ``1`` is not ``1.0``.

    Shared objects (the graph's points are the same dicts from one document to
    the next) are recognised by identity, so an unchanged collection of
    thousands costs a pass of identity checks.
    """
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict | list) and a != b:  # the quick answer, in C, for most changes
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
