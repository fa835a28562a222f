"""Finding 5 (and the nesting half of finding 9) of issue 9: hostile YAML and JSON.

A 339-byte plan of nested aliases used to stall every check-in for 19 s on
SQLite (+470 MB), as it was parsed while the write lock was held; each extra
level multiplied that by ten. The CLI hung on it; a guest book did the same.
5,000 nested ``[`` or ``{"a":`` ×100,000 ended in a RecursionError (500).
Now one bounded reader refuses them all, located, in milliseconds; and an
upload is parsed before the write lock is taken.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.cli.input_support import assert_refused, run_cli
from tests.service.server import Server, add_users
from tests.service.support import YAML, checkin

#: Nine levels of nine aliases: 9**9 (387 million) strings once expanded.
BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{b}: &{b} [{','.join(['*' + a] * 9)}]\n"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
)
DEEP_BRACKETS = "[" * 5000
DEEP_JSON = '{"a":' * 100_000


def test_the_bomb_is_the_one_of_the_finding() -> None:
    assert len(BOMB.encode()) < 400 and BOMB.count("*") == 72


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("yaml-limits")
    database = str(folder / "paradeops.sqlite")
    add_users(database)
    srv = Server(database, folder / "server.log").start()
    yield srv
    srv.stop()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_alias_bomb_plan_is_refused_at_once_and_checkins_go_on(server: Server) -> None:
    org, mar = server.token("org"), server.token("mar")
    pid = server.upload(org)
    assert server.proc is not None
    rss_before = _rss_mb(server.proc.pid)
    stop = threading.Event()
    checkin_s: list[float] = []
    statuses: list[int] = []

    def marshal() -> None:
        with httpx.Client(headers=mar, timeout=30) as client:
            while not stop.is_set():
                t = time.perf_counter()
                r = client.post(
                    f"{server.base}/api/plans/{pid}/checkins",
                    json=checkin("band", "start", "head", "10:01:00"),
                )
                checkin_s.append(time.perf_counter() - t)
                statuses.append(r.status_code)

    worker = threading.Thread(target=marshal)
    worker.start()
    try:
        with httpx.Client(headers={**org, **YAML}, timeout=30) as client:
            for _ in range(10):
                t = time.perf_counter()
                r = client.post(f"{server.base}/api/plans", content=BOMB)
                took = time.perf_counter() - t
                assert r.status_code == 400, r.text
                assert took < 1.0, took
                detail = r.json()["detail"]
                assert detail.startswith("plan.yaml:"), detail
                assert "aliases expand to more than 100,000 values" in detail
                assert "fewer levels of aliases" in detail
    finally:
        stop.set()
        worker.join(30)
    assert checkin_s and set(statuses) == {201}, statuses
    assert max(checkin_s) < 1.0, max(checkin_s)
    assert _rss_mb(server.proc.pid) - rss_before < 100


def test_alias_bomb_guest_book_is_refused_at_once(server: Server) -> None:
    org = server.token("org")
    t = time.perf_counter()
    r = httpx.post(
        f"{server.base}/api/guestbooks",
        params={"filename": "guests.yaml"},
        content=BOMB,
        headers={**org, **YAML},
        timeout=30,
    )
    assert time.perf_counter() - t < 1.0
    assert r.status_code == 400, r.text
    assert r.json()["detail"].startswith("guests.yaml:")
    assert "aliases expand to more than" in r.json()["detail"]


@pytest.mark.parametrize(
    ("body", "ctype"),
    [(DEEP_BRACKETS, "application/yaml"), (DEEP_JSON, "application/json")],
    ids=["5000-brackets", "100000-objects"],
)
def test_deep_nesting_is_a_located_400_not_a_500(
    client: TestClient, org: dict[str, str], body: str, ctype: str
) -> None:
    for route in ("/api/plans", "/api/guestbooks"):
        r = client.post(route, content=body, headers={**org, "Content-Type": ctype})
        assert r.status_code == 400, (route, r.text)
        detail = r.json()["detail"]
        assert ":1: lists and mappings are nested more than 100 deep" in detail, detail


def test_a_date_that_does_not_exist_is_a_located_400(
    client: TestClient, org: dict[str, str]
) -> None:
    from tests.service.support import SMALL_PLAN

    plan = SMALL_PLAN.replace("date: 2025-05-09", "date: 2025-02-30")
    r = client.post("/api/plans", content=plan, headers={**org, **YAML})
    assert r.status_code == 400, r.text
    assert "plan.yaml:4: parade.date: '2025-02-30' is not a date on the calendar" in r.json()["detail"]


def test_the_cli_refuses_the_same_files_located_quickly(tmp_path: Path) -> None:
    files = {
        "bomb.yaml": BOMB,
        "guests.yaml": BOMB,
        "brackets.yaml": DEEP_BRACKETS,
        "objects.json": DEEP_JSON,
        "cycle.yaml": "units: &u [1, *u]\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    examples = Path(__file__).resolve().parents[2] / "examples" / "victory-day-2025"
    # The first two load the commands' modules, so that the times below are the reader's.
    _, _, bomb, guests, brackets, objects, cycle = run_cli(
        ["validate", str(examples / "plan.yaml")],
        ["guests", "status", str(examples / "guests.yaml")],
        ["validate", str(tmp_path / "bomb.yaml")],
        ["guests", "status", str(tmp_path / "guests.yaml")],
        ["schedule", str(tmp_path / "brackets.yaml")],
        ["validate", str(tmp_path / "objects.json")],
        ["validate", str(tmp_path / "cycle.yaml")],
    )
    expands = "aliases expand to more than 100,000 values"
    assert_refused(bomb, f"bomb.yaml:6: {expands}", within_s=1.0)
    assert_refused(guests, f"guests.yaml:6: {expands}", within_s=1.0)
    assert_refused(brackets, "brackets.yaml:1: lists and mappings are nested more than 100 deep")
    assert_refused(objects, "objects.json:1: lists and mappings are nested more than 100 deep")
    assert_refused(cycle, "cycle.yaml:1: an alias refers to a value that contains it")
