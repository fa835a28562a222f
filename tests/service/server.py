"""A real server in a subprocess (``paradeops serve``) on a free loopback port."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from paradeops.service.users.service import add_user, assign
from paradeops.store import open_database

from .support import SMALL_PLAN

PASSWORD = "correct-horse-battery"
#: The checkpoints of SMALL_PLAN (and of the browser test's example plan).
CHECKPOINTS = ("start", "tribune", "release")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_users(url: str) -> None:
    db = open_database(url)
    with db.writing() as s:
        now = dt.datetime.now(dt.UTC)
        add_user(s, name="org", role="organiser", password=PASSWORD, now=now)
        # Assigned every checkpoint of each plan Server.upload() makes (assign_marshal).
        add_user(s, name="mar", role="marshal", password=PASSWORD, now=now)
    db.dispose()


def assign_marshal(url: str, plan_id: int, checkpoints: tuple[str, ...] = CHECKPOINTS) -> None:
    """``paradeops user assign mar --plan ID --checkpoint …``, from this (another) process."""
    db = open_database(url)
    with db.writing() as s:
        assign(s, "mar", plan_id, checkpoints, now=dt.datetime.now(dt.UTC), actor="test")
    db.dispose()


class Server:
    def __init__(
        self, url: str, log: Path, clock_start: str | None = None, args: tuple[str, ...] = ()
    ) -> None:
        self.clock_start = clock_start
        #: More ``serve`` options (``--max-watchers 3``, say).
        self.args = args
        self.url_db = url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> Server:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "paradeops.service",
                    "--database",
                    self.url_db,
                    "--port",
                    str(self.port),
                    *(["--clock-start", self.clock_start] if self.clock_start else []),
                    *self.args,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.base + "/login", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"server did not start in {timeout} s: {self.log.read_text()[-2000:]}")

    def token(self, name: str) -> dict[str, str]:
        r = httpx.post(
            self.base + "/api/token", data={"username": name, "password": PASSWORD}, timeout=30
        )
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def upload(self, headers: dict[str, str]) -> int:
        r = httpx.post(
            self.base + "/api/plans",
            content=SMALL_PLAN,
            headers={**headers, "Content-Type": "application/yaml"},
            timeout=60,
        )
        assert r.status_code == 201, r.text
        plan_id = int(r.json()["id"])
        assign_marshal(self.url_db, plan_id)
        return plan_id

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(15)
