"""Finding 12 (logging): nothing was logged, and a bug left no trace.

Now every unhandled exception is a plain 500 carrying a request id and one
ERROR line with the traceback and the same id; every refused request leaves
a line; the lines are text or JSON objects; no token or password gets in.
"""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from paradeops.service import create_app, logs
from paradeops.service.settings import ServiceSettings
from tests.service.server import PASSWORD, add_users

from .limits_support import OptionServer


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """:func:`logs.configure` takes over the root logger: give it back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)


def test_a_bug_is_a_logged_500_with_a_request_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(str(tmp_path / "paradeops.sqlite"))

    @app.get("/test-only/boom")
    def boom() -> None:
        raise ZeroDivisionError("a bug")

    with (
        TestClient(app, raise_server_exceptions=False) as client,
        caplog.at_level(logging.INFO, logger="paradeops.request"),
    ):
        r = client.get("/test-only/boom?token=secret-in-the-query")
    assert r.status_code == 500
    request_id = r.json()["request_id"]
    assert r.json() == {"detail": "internal error", "request_id": request_id}
    assert r.headers["x-request-id"] == request_id
    (record,) = [rec for rec in caplog.records if rec.name == "paradeops.request"]
    assert record.levelno == logging.ERROR
    assert record.request_id == request_id  # type: ignore[attr-defined]
    assert record.status == 500 and record.path == "/test-only/boom"  # type: ignore[attr-defined]
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    assert "secret-in-the-query" not in caplog.text


@pytest.fixture
def json_server(tmp_path: Path) -> Iterator[OptionServer]:
    url = str(tmp_path / "paradeops.sqlite")
    add_users(url)
    srv = OptionServer(url, tmp_path / "server.log", ["--log-json"]).start()
    yield srv
    srv.stop()


def log_lines(server: OptionServer) -> list[dict[str, object]]:
    """The server's log lines, each a JSON object (but the CLI's banner, which is for people)."""
    text = Path(server.log).read_text()
    banner = text.index("ParadeOps on ")
    body = text[text.index("\n{", banner) + 1 :] if "\n{" in text[banner:] else ""
    return [json.loads(line) for line in body.splitlines()]


def wait_for(server: OptionServer, found: object, timeout: float = 10.0) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while True:
        lines = log_lines(server)
        if any(found(line) for line in lines) or time.monotonic() > deadline:  # type: ignore[operator]
            return lines
        time.sleep(0.1)


def test_a_broken_database_leaves_a_json_error_line(json_server: OptionServer) -> None:
    org = json_server.token("org")
    token = org["Authorization"].split()[1]
    # The operator's mistake under a running server: a table goes away.
    with sqlite3.connect(json_server.url_db) as db:
        db.execute("ALTER TABLE plans RENAME TO plans_gone")
    r = httpx.get(json_server.base + "/api/plans", headers=org, timeout=30)
    assert r.status_code == 500
    request_id = r.json()["request_id"]
    assert r.json() == {"detail": "internal error", "request_id": request_id}

    lines = wait_for(json_server, lambda line: line.get("request_id") == request_id)
    (error,) = [line for line in lines if line.get("request_id") == request_id]
    assert error["level"] == "ERROR" and error["logger"] == "paradeops.request"
    assert error["status"] == 500 and error["method"] == "GET" and error["path"] == "/api/plans"
    assert "no such table: plans" in str(error["traceback"])
    text = Path(json_server.log).read_text()
    assert token not in text and token.split(".")[1] not in text


def test_refused_requests_are_logged_without_secrets(json_server: OptionServer) -> None:
    wrong = "wrong-password-value"
    r = httpx.post(json_server.base + "/api/token", data={"username": "org", "password": wrong})
    assert r.status_code in (401, 429)
    r = httpx.get(
        json_server.base + "/api/plans",
        headers={"Authorization": "Bearer not.a-real-token-but-secret"},
    )
    assert r.status_code == 401
    request_id = r.headers["x-request-id"]
    lines = wait_for(json_server, lambda line: line.get("request_id") == request_id)
    (refusal,) = [line for line in lines if line.get("request_id") == request_id]
    assert refusal["level"] == "INFO" and refusal["status"] == 401
    assert refusal["message"] == "refused"
    text = Path(json_server.log).read_text()
    for secret in (wrong, PASSWORD, "a-real-token-but-secret"):
        assert secret not in text


def test_text_lines_are_one_line_each_and_redacted(restore_logging: None) -> None:
    out = io.StringIO()
    logs.configure(ServiceSettings(), stream=out)
    log = logging.getLogger("paradeops.service.users.signin")  # another part's logger
    log.warning("refused sign-in for %s", "eve\nFORGED 2026 ERROR paradeops: fake line")
    log.warning("header was Bearer abcdefghijklmnopqrstuvwxyz.0123456789abcdefghij")
    log.warning("form had password=hunter2-secret&username=x")
    lines = out.getvalue().splitlines()
    assert len(lines) == 3, lines
    assert "WARNING paradeops.service.users.signin: refused sign-in for eve\\x0aFORGED" in lines[0]
    assert "abcdefghijklmnop" not in lines[1] and "Bearer [redacted]" in lines[1]
    assert "hunter2" not in lines[2] and "password=[redacted]" in lines[2]


def test_json_lines_parse_and_carry_extras(restore_logging: None) -> None:
    out = io.StringIO()
    logs.configure(ServiceSettings(log_json=True), stream=out)
    log = logging.getLogger("paradeops.service.checkins.writer")
    try:
        raise RuntimeError("disk full")
    except RuntimeError:
        log.exception("write failed", extra={"plan": 3, "batch": 12})
    (line,) = out.getvalue().splitlines()
    doc = json.loads(line)
    assert doc["level"] == "ERROR" and doc["logger"] == "paradeops.service.checkins.writer"
    assert doc["message"] == "write failed" and doc["plan"] == 3 and doc["batch"] == 12
    assert "RuntimeError: disk full" in doc["traceback"]


def test_a_flood_of_one_kind_is_throttled_but_errors_never_are(restore_logging: None) -> None:
    out = io.StringIO()
    logs.configure(ServiceSettings(log_json=True), stream=out)
    log = logging.getLogger("paradeops.request")
    for _ in range(logs.BURST + 500):
        log.info("refused", extra={"status": 401, "throttle_key": "status 401"})
    log.info("refused", extra={"status": 404, "throttle_key": "status 404"})
    for _ in range(logs.BURST + 5):
        log.error("error answer", extra={"status": 503})
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sum(line.get("status") == 401 for line in lines) == logs.BURST
    assert sum(line.get("status") == 404 for line in lines) == 1
    assert sum(line.get("status") == 503 for line in lines) == logs.BURST + 5


def test_the_throttle_reports_what_it_dropped() -> None:
    throttle = logs.Throttle(burst=2, window_s=0.2)
    record = lambda: logging.LogRecord("x", logging.WARNING, "", 0, "m", None, None)  # noqa: E731
    assert [throttle.filter(record()) for _ in range(5)] == [True, True, False, False, False]
    time.sleep(0.25)
    again = record()
    assert throttle.filter(again) and again.dropped_before == 3  # type: ignore[attr-defined]


def test_the_access_log_drops_query_strings(restore_logging: None) -> None:
    out = io.StringIO()
    logs.configure(ServiceSettings(access_log=True), stream=out)
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/api/x?token=abc", "1.1", 200
    )
    assert "/api/x" in out.getvalue() and "abc" not in out.getvalue()


def test_lines_logged_while_answering_carry_the_request_id(
    tmp_path: Path, restore_logging: None
) -> None:
    """A line another module logs during a request (in a worker thread, too) names it."""
    out = io.StringIO()
    logs.configure(ServiceSettings(log_json=True), stream=out)
    app = create_app(str(tmp_path / "paradeops.sqlite"))

    @app.get("/test-only/slow")
    def slow() -> dict[str, str]:  # a sync route: it runs in the thread pool
        logging.getLogger("paradeops.test").warning("looked something up")
        return {}

    with TestClient(app) as client:
        r = client.get("/test-only/slow")
    assert r.status_code == 200
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    (line,) = [x for x in lines if x["message"] == "looked something up"]
    assert line["request_id"] == r.headers["x-request-id"]
