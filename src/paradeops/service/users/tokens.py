"""Signed tokens naming a server-side session: ``payload.signature``, HMAC-SHA256.

The payload holds only the session id and an expiry. Who the session belongs
to, the role and the assignments come from the database (through the cache
in :mod:`.sessions`), so revoking a session, disabling a user or changing a
role applies within seconds, whatever the token says. The signature keeps
forged or guessed ids from reaching the database at all.
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

#: A steward admits guests at the tribune by their badges, and reads what a viewer reads.
Role = Literal["organiser", "marshal", "viewer", "steward"]
ROLES: tuple[Role, ...] = ("organiser", "marshal", "viewer", "steward")
LIFETIME = dt.timedelta(hours=18)
#: Tokens are a few dozen bytes; anything much longer is not one of ours.
_MAX_TOKEN = 512


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    #: (plan id, checkpoint) pairs where this marshal may check in.
    assignments: frozenset[tuple[int, str]] = frozenset()

    def checkpoints_for(self, plan_id: int) -> frozenset[str]:
        return frozenset(cp for plan, cp in self.assignments if plan == plan_id)

    def may_check_in(self, plan_id: int, checkpoint: str) -> bool:
        return self.role == "organiser" or (
            self.role == "marshal" and (plan_id, checkpoint) in self.assignments
        )

    @property
    def can_write(self) -> bool:
        """Whether the route's writes (check-ins, orders, incidents) are open to this role."""
        return self.role in ("organiser", "marshal")


@dataclass(frozen=True)
class TokenClaims:
    session_id: str
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, body: bytes) -> bytes:
    return _b64(hmac.new(secret, body, hashlib.sha256).digest()).encode()


def make_token(secret: bytes, session_id: str, expires_at: int) -> str:
    payload = json.dumps({"s": session_id, "exp": expires_at}, separators=(",", ":"))
    body = _b64(payload.encode())
    return f"{body}.{_signature(secret, body.encode()).decode()}"


def read_claims(secret: bytes, token: str) -> TokenClaims | None:
    """The claims of a token signed with ``secret``; None for anything else (expiry unchecked)."""
    # Headers and cookies arrive as latin-1 text: non-ASCII is never ours, and
    # compare_digest on str with non-ASCII raises TypeError (a 500, finding 9).
    if len(token) > _MAX_TOKEN or not token.isascii():
        return None
    body, _, sig = token.partition(".")
    if not sig or not hmac.compare_digest(sig.encode(), _signature(secret, body.encode())):
        return None
    try:
        payload = json.loads(_unb64(body))
        return TokenClaims(str(payload["s"]), int(payload["exp"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None


def csrf_token(secret: bytes, token: str) -> str:
    """The CSRF token that goes with a sign-in token: derived, so nothing is stored."""
    return _b64(hmac.new(secret, b"csrf:" + token.encode(), hashlib.sha256).digest())


def csrf_matches(secret: bytes, token: str, sent: str | None) -> bool:
    if not sent or not sent.isascii():
        return False
    return hmac.compare_digest(sent.encode(), csrf_token(secret, token).encode())
