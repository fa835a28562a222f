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


def read_token(secret: bytes, token: str, now: dt.datetime) -> Principal | None:
    """The principal of a valid, unexpired token; None for anything else."""
    body, _, sig = token.partition(".")
    want = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    if not sig or not hmac.compare_digest(sig, want):
        return None
    try:
        p = json.loads(_unb64(body))
        if p["r"] not in ROLES or int(p["exp"]) < now.timestamp():
            return None
        return Principal(str(p["u"]), p["r"], frozenset(str(c) for c in p["c"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
