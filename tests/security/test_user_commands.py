"""Findings 6, 11, 13: accounts are managed with commands, assignments are per plan,
weak passwords are refused. Every command is the real CLI on a real database."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from paradeops.service.users.models import AuditEntry
from paradeops.service.users.passwords import check_password
from paradeops.store import open_database
from tests.conftest import Result, Run
from tests.service.support import SMALL_PLAN

GOOD = "correct-horse-battery"


@pytest.fixture
def cmd(cli: Run, database_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``cmd("user", "list", stdin="…")``: the CLI on the test's database."""

    def run(*args: object, stdin: str = "") -> Result:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return cli(*args, "--database", database_url)

    return run


def _plan(database_url: str) -> int:
    """A plan stored as the service stores it (its id)."""
    import datetime as dt

    from paradeops.service.plans.service import create
    from paradeops.service.plans.upload import Upload, check

    up = Upload("plan.yaml", SMALL_PLAN.encode())
    db = open_database(database_url)
    try:
        with db.writing() as s:
            plan_id, _ = create(s, up, check(up), actor="test", now=dt.datetime.now(dt.UTC))
        return plan_id
    finally:
        db.dispose()


def _users(cmd) -> dict[str, dict]:  # type: ignore[no-untyped-def, type-arg]
    r = cmd("user", "list", "--format", "json")
    assert r.code == 0, r.err
    return {u["name"]: u for u in json.loads(r.out)}


@pytest.mark.parametrize(
    ("password", "why"),
    [
        (" " * 12, "only whitespace"),
        ("short", "at least 10"),
        ("password123", "most common"),
        ("Qwertyuiop", "most common"),
        ("Password2025!", "most common"),
        ("alice-the-marshal", "user name"),
    ],
)
def test_weak_passwords_are_refused(cmd, password: str, why: str) -> None:  # type: ignore[no-untyped-def]
    r = cmd(
        "user", "add", "alice-the-marshal", "--role", "viewer", "--password-stdin", stdin=password
    )
    assert r.code == 2 and why in r.err, r.err
    assert "Traceback" not in r.err
    assert "alice-the-marshal" not in _users(cmd)
    ok = cmd("user", "add", "bob", "--role", "viewer", "--password-stdin", stdin=GOOD)
    assert ok.code == 0, ok.err
    r = cmd(
        "user",
        "password",
        "bob",
        "--password-stdin",
        stdin=password if why != "user name" else "bob-bob",
    )
    assert r.code == 2, r.err


#: The tester's passwords, accepted by `user add` for user weakuser01 before the policy grew.
TESTER_WEAK = [
    ("aaaaaaaaaaaa", "repeated"),
    ("111111111111", "repeated"),
    ("passwordpassword", "repeated"),
    ("qwertyqwerty", "repeated"),
    ("paradeopsparadeops", "repeated"),
    ("weakuser01weakuser01", "repeated"),
    ("zyxwvutsrqpo", "run along the keyboard or the alphabet"),
    ("poiuytrewq;lkj", "run along the keyboard or the alphabet"),
    ("xxpassword99", "common password ('password')"),
    ("dragon-dragon!", "repeated"),
    ("Weakuser01 on parade", "contains the user name"),
    ("my ParadeOps login", "contains the product's name"),
]


@pytest.mark.parametrize(("password", "why"), TESTER_WEAK)
def test_tester_weak_passwords_are_refused_by_user_add(cmd, password: str, why: str) -> None:  # type: ignore[no-untyped-def]
    r = cmd("user", "add", "weakuser01", "--role", "viewer", "--password-stdin", stdin=password)
    assert r.code == 2 and why in r.err, r.err
    assert "weakuser01" not in _users(cmd)


@pytest.mark.parametrize(
    "password",
    [GOOD, "a-new-long-passphrase", "parade day on the square", "zebra crossing 42", "qaz lantern"],
)
def test_passphrases_still_pass(password: str) -> None:
    check_password(password, "weakuser01")


def test_every_account_command_works_and_is_audited(cmd, database_url: str) -> None:  # type: ignore[no-untyped-def]
    plan_id = _plan(database_url)
    assert (
        cmd("user", "add", "boss", "--role", "organiser", "--password-stdin", stdin=GOOD).code == 0
    )
    r = cmd(
        "user", "add", "mar", "--role", "marshal", "--plan", plan_id,
        "--checkpoint", "start", "--password-stdin", stdin=GOOD,
    )  # fmt: skip
    assert r.code == 0, r.err
    assert _users(cmd)["mar"] == {
        "name": "mar",
        "role": "marshal",
        "disabled": False,
        "assignments": [{"plan": plan_id, "checkpoint": "start"}],
    }
    assert cmd("user", "assign", "mar", "--plan", plan_id, "--checkpoint", "tribune").code == 0
    assert [a["checkpoint"] for a in _users(cmd)["mar"]["assignments"]] == ["start", "tribune"]
    assert (
        cmd("user", "assign", "mar", "--plan", plan_id, "--checkpoint", "start", "--clear").code
        == 0
    )
    assert [a["checkpoint"] for a in _users(cmd)["mar"]["assignments"]] == ["tribune"]
    assert cmd("user", "assign", "mar", "--plan", plan_id, "--clear").code == 0
    assert _users(cmd)["mar"]["assignments"] == []

    assert cmd("user", "disable", "mar").code == 0
    assert _users(cmd)["mar"]["disabled"] is True
    assert cmd("user", "enable", "mar").code == 0
    assert _users(cmd)["mar"]["disabled"] is False
    assert cmd("user", "set-role", "mar", "viewer").code == 0
    assert _users(cmd)["mar"]["role"] == "viewer"
    assert (
        cmd("user", "password", "mar", "--password-stdin", stdin="a-new-long-passphrase").code == 0
    )
    assert cmd("user", "unlock", "mar").code == 0
    assert cmd("user", "delete", "mar").code == 0
    assert "mar" not in _users(cmd)
    table = cmd("user", "list")
    assert table.code == 0 and "boss" in table.out and "organiser" in table.out

    db = open_database(database_url)
    with db.sessions() as s:
        actions = [
            e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.target == "mar"))
        ]
    db.dispose()
    assert actions == [
        "user.add", "user.assign", "user.assign", "user.unassign", "user.unassign",
        "user.disable", "user.enable", "user.set_role", "user.password", "user.unlock",
        "user.delete",
    ]  # fmt: skip


def test_mistakes_are_clear_errors(cmd, database_url: str) -> None:  # type: ignore[no-untyped-def]
    plan_id = _plan(database_url)
    assert (
        cmd("user", "add", "boss", "--role", "organiser", "--password-stdin", stdin=GOOD).code == 0
    )
    assert cmd("user", "add", "mar", "--role", "marshal", "--password-stdin", stdin=GOOD).code == 0
    cases = [
        (("user", "disable", "nobody"), "no user 'nobody'"),
        (("user", "set-role", "mar", "admiral"), "unknown role"),
        (("user", "assign", "mar", "--plan", 999, "--checkpoint", "start"), "no plan 999"),
        (("user", "assign", "mar", "--plan", plan_id, "--checkpoint", "nowhere"), "no checkpoint"),
        (("user", "assign", "mar", "--checkpoint", "start"), "--plan"),
        (("user", "assign", "boss", "--plan", plan_id, "--checkpoint", "start"), "only marshals"),
        (("user", "add", "x", "--role", "marshal", "--checkpoint", "start"), "--plan"),
        (("user", "password", "mar"), "--password-stdin"),
        (("user", "delete", "boss"), "last enabled organiser"),
        (("user", "add", "a b", "--role", "viewer", "--password-stdin"), "not a user name"),
    ]
    for args, message in cases:
        r = cmd(*args, stdin=GOOD)
        assert r.code == 2 and message in r.err, (args, r.code, r.err)
        assert "Traceback" not in r.err
