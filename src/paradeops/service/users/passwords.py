"""The password policy (finding 13) and the argon2 hashing of passwords.

At least :data:`MIN_LENGTH` characters, not all whitespace, not the user's
name, not one of the most common passwords (``common_passwords.json``, in
lower case, also with whitespace and trailing digits and punctuation taken
off, so ``Password2025!`` counts as ``password``).
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources

from paradeops.errors import UserError

MIN_LENGTH = 10
MAX_LENGTH = 1000
_TAIL = re.compile(r"[\d\W_]+$")


@functools.cache
def common_passwords() -> frozenset[str]:
    text = (resources.files("paradeops.service.users") / "common_passwords.json").read_text()
    return frozenset(str(p).lower() for p in json.loads(text)["passwords"])


def _variants(password: str) -> set[str]:
    lowered = password.strip().lower()
    return {lowered, _TAIL.sub("", lowered), re.sub(r"\s+", "", lowered)}


def check_password(password: str, user_name: str) -> None:
    """Raise a UserError naming what is wrong with ``password``; None if it is acceptable."""
    hint = "choose a passphrase of a few unrelated words, at least 10 characters"
    if len(password) < MIN_LENGTH:
        raise UserError(
            f"the password has {len(password)} characters: at least {MIN_LENGTH} are needed",
            field="password",
            hint=hint,
        )
    if len(password) > MAX_LENGTH:
        raise UserError(f"the password is longer than {MAX_LENGTH} characters", field="password")
    if not password.strip():
        raise UserError("the password is only whitespace", field="password", hint=hint)
    variants = _variants(password)
    if user_name.lower() in variants:
        raise UserError("the password is the user name", field="password", hint=hint)
    if variants & common_passwords():
        raise UserError(
            "the password is one of the most common passwords", field="password", hint=hint
        )
