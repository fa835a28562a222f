"""Finding 1 (second half): the server kept writing into a deleted WAL.

When the server's ``-wal`` file is taken from under it (deleted by another
SQLite client after the server's locks were lost, or by hand), the server
used to go on acknowledging check-ins into the deleted file: after a restart
they were gone. Now it notices, copies what the deleted WAL holds into the
database, logs a CRITICAL line and stops with a non-zero exit code; a restart
finds every check-in it acknowledged.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx

from paradeops.store.db import EXIT_DATABASE_LOST
from tests.service.server import Server, add_users
from tests.service.support import checkin


def test_server_stops_loudly_when_its_wal_is_deleted_and_loses_nothing(tmp_path: Path) -> None:
    database = tmp_path / "parade.sqlite"
    add_users(str(database))
    server = Server(str(database), tmp_path / "server.log").start()
    acked: list[str] = []
    after_loss: list[str] = []
    try:
        org = server.token("org")
        pid = server.upload(org)
        url = f"{server.base}/api/plans/{pid}/checkins"
        stop = threading.Event()

        def marshal(n: int) -> None:
            with httpx.Client(headers=org, timeout=30) as client:
                i = 0
                while not stop.is_set():
                    i += 1
                    c = checkin("tanks", "start", "head", f"10:{n:02d}:{i % 60:02d}")
                    try:
                        r = client.post(url, json=c)
                    except httpx.HTTPError:
                        return  # the server went away: this one was never acknowledged
                    if r.status_code == 201:
                        acked.append(c["id"])

        threads = [threading.Thread(target=marshal, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        while len(acked) < 100:
            time.sleep(0.02)
        os.unlink(f"{database}-wal")
        deleted_at = len(acked)
        assert server.proc is not None
        code = server.proc.wait(timeout=10)
        stop.set()
        for t in threads:
            t.join(30)
        after_loss = acked[deleted_at:]
    finally:
        server.stop()
    log = (tmp_path / "server.log").read_text()
    assert code == EXIT_DATABASE_LOST, log[-2000:]
    assert "CRITICAL" in log and "-wal was deleted while the server was using it" in log

    again = Server(str(database), tmp_path / "restarted.log").start()
    try:
        listed = httpx.get(
            url.replace(server.base, again.base), headers=again.token("org"), timeout=60
        )
        stored = {c["id"] for c in listed.json()}
    finally:
        again.stop()
    assert len(acked) >= 100
    assert set(acked) <= stored, (len(set(acked) - stored), len(after_loss))
