"""The password policy (finding 13) and the argon2 hashing of passwords.

Each rule is one sentence, and the refusal says which one failed:

* at least :data:`MIN_LENGTH` characters, and not all whitespace;
* not one of the most common passwords (``common_passwords.json``, in lower
  case, also with whitespace and trailing digits and punctuation taken off,
  so ``Password2025!`` counts as ``password``);
* not one piece repeated (``aaaaaaaaaaaa``, ``qwertyqwerty``);
* not made only of runs along the keyboard or the alphabet, either way
  (``1234567890``, ``asdfghjkl;``, ``zyxwvutsrq``, ``qwerty123456``);
* not a common password repeated or with at most :data:`MAX_PADDING`
  characters (or only digits and punctuation) around it (``xxpassword99``);
* not containing the user's name or the product's name (``paradeops``).

Case, spaces and punctuation between the pieces do not help: the checks
look at the letters and digits in lower case.
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
    why = _weakness(password, user_name)
    if why is not None:
        raise UserError(f"the password {why}", field="password", hint=hint)


#: The product's name: a password holding it is among the first an attacker tries.
PRODUCT = "paradeops"
#: Characters that may be added to a common password and it is still refused.
MAX_PADDING = 4
#: Keyboard rows and columns (QWERTY, AZERTY, QWERTZ) and the alphabet; runs either way.
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "qwertzuiop",
    "yxcvbnm",
    "1qaz",
    "2wsx",
    "3edc",
    "4rfv",
    "5tgb",
    "6yhn",
    "7ujm",
    "8ik",
    "9ol",
    "1q2w3e4r5t6y7u8i9o0p",
)
_NEXT = frozenset(
    pair
    for seq in SEQUENCES
    for pair in (*zip(seq[:-1], seq[1:], strict=True), *zip(seq[1:], seq[:-1], strict=True))
)
_MIN_RUN = 3


def _weakness(password: str, user_name: str) -> str | None:
    """What makes ``password`` easy to guess, as the end of a sentence; None if nothing."""
    core = re.sub(r"[\W_]+", "", password.lower())
    if _repeated(core):
        return "is one short piece repeated"
    if _only_runs(core):
        return "is a run along the keyboard or the alphabet"
    name = user_name.lower()
    if len(name) >= 3 and (name in password.lower() or re.sub(r"[\W_]+", "", name) in core):
        return "contains the user name"
    if PRODUCT in core:
        return "contains the product's name (ParadeOps)"
    for common in sorted(common_passwords(), key=lambda c: (-len(c), c)):
        if len(common) >= 4 and common in core:
            rest = core.replace(common, "")
            if len(rest) <= MAX_PADDING or rest.isdigit():
                return f"is a common password ({common!r}) repeated or with little added"
    return None


def _repeated(core: str) -> bool:
    """Whether ``core`` is one piece written twice or more (``abcabc``, ``aaaa``)."""
    return bool(core) and re.fullmatch(r"(.+?)\1+", core) is not None


def _only_runs(core: str) -> bool:
    """Whether every character of ``core`` is in a run of 3+ keyboard or alphabet neighbours."""
    if len(core) < _MIN_RUN:
        return False
    start = 0
    for i in range(1, len(core) + 1):
        if i == len(core) or (core[i - 1], core[i]) not in _NEXT:
            if i - start < _MIN_RUN:
                return False
            start = i
    return True
