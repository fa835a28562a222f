"""Signed bearer tokens: ``payload.signature``, HMAC-SHA256 with the service's secret.

The payload carries the user's name, role and assigned checkpoints, so a
check-in is authorised without a database read (it is the hot path). A role
change therefore takes effect when the user next signs in, at the latest
after :data:`LIFETIME` — a deliberate trade for throughput on the day.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Literal

Role = Literal["organiser", "marshal", "viewer"]
ROLES: tuple[Role, ...] = ("organiser", "marshal", "viewer")
LIFETIME = dt.timedelta(hours=18)


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    checkpoints: frozenset[str] = frozenset()

    def may_check_in(self, checkpoint: str) -> bool:
        return self.role == "organiser" or (
            self.role == "marshal" and checkpoint in self.checkpoints
        )

    @property
    def can_write(self) -> bool:
        return self.role != "viewer"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(secret: bytes, who: Principal, now: dt.datetime) -> str:
    payload = {
        "u": who.name,
        "r": who.role,
        "c": sorted(who.checkpoints),
        "exp": int((now + LIFETIME).timestamp()),
    }
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    sig = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    return f"{body}.{sig}"


#: Tokens already verified: (secret, token) -> (principal, expiry as a timestamp).
#: A marshal sends the same token with every check-in; verifying it again
#: (HMAC, base64, JSON) was a measurable part of the hot path. Only valid
#: tokens are kept, so forged ones cannot fill it; when full it is cleared.
_verified: dict[tuple[bytes, str], tuple[Principal, int]] = {}
_VERIFIED_MAX = 4096


def read_token(secret: bytes, token: str, now: dt.datetime) -> Principal | None:
    """The principal of a valid, unexpired token; None for anything else."""
    hit = _verified.get((secret, token))
    if hit is not None:
        return hit[0] if hit[1] >= now.timestamp() else None
    who = _read_token(secret, token, now)
    if who is not None:
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
        _verified[(secret, token)] = who
    return None if who is None else who[0]


def _read_token(secret: bytes, token: str, now: dt.datetime) -> tuple[Principal, int] | None:
    body, _, sig = token.partition(".")
    want = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    if not sig or not hmac.compare_digest(sig, want):
        return None
    try:
        p = json.loads(_unb64(body))
        exp = int(p["exp"])
        if p["r"] not in ROLES or exp < now.timestamp():
            return None
        return Principal(str(p["u"]), p["r"], frozenset(str(c) for c in p["c"])), exp
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
