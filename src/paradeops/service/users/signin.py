"""Signing in and out, for the API (``POST /api/token``) and the sign-in page alike.

A flood of sign-ins must not starve check-ins: each argon2 verification
takes 64 MiB and a core for a while, so at most :data:`ARGON2_AT_ONCE` run at
a time, at most :data:`ARGON2_WAITING` more wait (each at most
:data:`ARGON2_WAIT_S`), and the rest are refused at once with :class:`Busy`.
The places are shared fairly: one client address holds at most
:data:`ARGON2_PER_ADDRESS` of them (verifying or waiting), and its further
sign-ins meanwhile are refused at once with :class:`OneAtATime` (429), so a
flood from one address never takes another address's place.
Before any of that, the throttle (:mod:`.throttle`) refuses accounts and
addresses that failed too often, without looking at the password.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from paradeops.service.context import ServiceContext
from paradeops.service.users import keys, sessions, throttle
from paradeops.service.users.models import User
from paradeops.service.users.service import hasher

log = logging.getLogger(__name__)

ARGON2_AT_ONCE = 2
ARGON2_WAITING = 8
ARGON2_WAIT_S = 5.0
#: Places (verifying or waiting) one client address may hold at once.
ARGON2_PER_ADDRESS = 1
#: Verified when the user does not exist, so that the answer's timing does
#: not reveal which names exist.
_DUMMY = hasher.hash("not a password, never one")


class BadCredentials(Exception):
    """Wrong user name or password (or a disabled account: the answer is the same)."""


class Throttled(Exception):
    """Too many failed sign-ins: try again in ``retry_after_s`` seconds."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class Busy(Throttled):
    """Too many sign-ins being checked at this moment (not the client's fault)."""

    def __init__(self) -> None:
        Exception.__init__(self, "too many sign-ins at once; try again in a moment")
        self.retry_after_s = 2


class OneAtATime(Throttled):
    """A sign-in from this address is being checked already: the client's own flood."""

    def __init__(self) -> None:
        Exception.__init__(
            self, "a sign-in from this address is being checked; try again in a moment"
        )
        self.retry_after_s = 1


class _Gate:
    """A semaphore that refuses, rather than queues, beyond a few waiters; fair per address."""

    def __init__(self, at_once: int, waiting: int, wait_s: float, per_address: int) -> None:
        self._slots = threading.BoundedSemaphore(at_once)
        self._lock = threading.Lock()
        self._admitted = 0
        self._by_address: dict[str, int] = {}
        self._limit = at_once + waiting
        self._wait_s = wait_s
        self._per_address = per_address

    @contextlib.contextmanager
    def admit(self, address: str) -> Iterator[None]:
        """Hold a place for ``address`` while the block runs (OneAtATime, Busy if none)."""
        with self._lock:
            if self._by_address.get(address, 0) >= self._per_address:
                raise OneAtATime()
            if self._admitted >= self._limit:
                raise Busy()
            self._admitted += 1
            self._by_address[address] = self._by_address.get(address, 0) + 1
        try:
            if not self._slots.acquire(timeout=self._wait_s):
                raise Busy()
            try:
                yield
            finally:
                self._slots.release()
        finally:
            with self._lock:
                self._admitted -= 1
                left = self._by_address.pop(address) - 1
                if left:
                    self._by_address[address] = left


_argon2 = _Gate(ARGON2_AT_ONCE, ARGON2_WAITING, ARGON2_WAIT_S, ARGON2_PER_ADDRESS)


def current_secret(ctx: ServiceContext) -> bytes:
    """The signing key now (a rotated key file is picked up within seconds)."""
    secret = keys.key_for(ctx.db.url, ctx.settings.secret_key_file).current()
    if secret != ctx.secret:
        ctx.secret = secret
        sessions.forget(ctx.db)
    return secret


def loggable(name: str, known: bool) -> str:
    """A user name fit for a log: known names as they are, others hashed.

    An unknown "name" is often a password typed into the wrong field.
    """
    if known:
        return name
    return "unknown#" + hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:12]


def _lower_priority() -> None:
    """Run this thread (and the lanes argon2 starts from it) at the lowest CPU priority."""
    # Linux schedules threads as tasks: a thread's own nice value is settable.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


#: Password checks run here, at the lowest CPU priority: an argon2 check keeps both
#: cores busy for a while (4 lanes), and check-ins must not wait behind it. A
#: flood from 60 addresses took check-in p99 from ~60 ms to ~190 ms without this.
_argon2_threads = ThreadPoolExecutor(
    max_workers=ARGON2_AT_ONCE, thread_name_prefix="argon2", initializer=_lower_priority
)


def _check_password(password_hash: str, password: str) -> bool:
    try:
        return bool(hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def _verify(password_hash: str, password: str, address: str) -> bool:
    with _argon2.admit(address):
        return _argon2_threads.submit(_check_password, password_hash, password).result()


def sign_in(ctx: ServiceContext, name: str, password: str, client_address: str) -> str:
    """A new session's token, or :class:`Throttled` / :class:`Busy` / :class:`BadCredentials`."""
    # PostgreSQL refuses NUL in text: such a name is nobody's, and must not be a 500.
    name, client_address = name.replace("\0", "\ufffd"), client_address.replace("\0", "\ufffd")
    keys_ = [throttle.account_key(name), throttle.address_key(client_address)]
    now = ctx.now()
    with ctx.db.sessions() as session:
        wait = throttle.retry_after(session, keys_, now)
        user = session.scalar(select(User).where(User.name == name))
    who = loggable(name, user is not None)
    if wait:
        log.warning(
            "sign-in throttled: user=%s address=%s retry_after_s=%d", who, client_address, wait
        )
        raise Throttled(wait)
    try:
        ok = _verify(user.password_hash if user else _DUMMY, password, client_address)
    except OneAtATime:
        log.warning(
            "sign-in refused, one at a time per address: user=%s address=%s", who, client_address
        )
        raise
    except Busy:
        log.warning("sign-in refused, too many at once: user=%s address=%s", who, client_address)
        raise
    if not ok or user is None or user.disabled:
        with ctx.db.writing() as session:
            blocks = [throttle.record_failure(session, key, now) for key in keys_] if not ok else []
        reason = "disabled account" if ok else "wrong name or password"
        log.warning("sign-in refused (%s): user=%s address=%s", reason, who, client_address)
        if any(blocks):
            log.warning(
                "sign-in throttle: user=%s address=%s blocked_s=%.0f",
                who,
                client_address,
                max(blocks),
            )
        raise BadCredentials()
    with ctx.db.writing() as session:
        throttle.clear(session, throttle.account_key(name))
        token = sessions.create(session, user, now, current_secret(ctx))
    log.info("signed in: user=%s address=%s", name, client_address)
    return token


def sign_out(ctx: ServiceContext, token: str) -> None:
    """End the session of ``token`` in every process (at once in this one)."""
    session_id = sessions.session_id_of(current_secret(ctx), token)
    if session_id is None:
        return
    with ctx.db.writing() as session:
        sessions.revoke(session, session_id, ctx.now())
    sessions.forget(ctx.db, token)
