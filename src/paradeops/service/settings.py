"""Everything an operator can set for the service, in one place, with its default.

``paradeops serve`` fills it from its options (and the environment);
:func:`paradeops.service.create_app` and :func:`paradeops.service.run.run`
take it whole, so a new setting is one field here and one option there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from paradeops.store.db import DEFAULT_URL


@dataclass(frozen=True)
class ServiceSettings:
    database_url: str = DEFAULT_URL
    host: str = "127.0.0.1"
    port: int = 8000
    #: Server processes sharing the port (PostgreSQL only; SQLite serves from one).
    workers: int = 1
    #: Replay: the service's clock starts here and runs at the real pace.
    clock_start: dt.datetime | None = None
    #: A unit later than this is an alert [s].
    late_s: float = 60.0

    # --- logging -------------------------------------------------------------
    #: One line per request (costs CPU on the hot path).
    access_log: bool = False
    #: Log lines as JSON objects (one per line) instead of text.
    log_json: bool = False

    # --- input limits ---------------------------------------------------------
    #: Largest upload (plan, geometry, catalogue, guest book together) [MB].
    max_upload_mb: float = 10.0
    #: Largest body of any JSON route (check-ins, guest events, voids) [kB].
    max_json_kb: int = 64
    #: Operator's folder of equipment catalogues a plan may name (None: none).
    catalogue_dir: Path | None = None

    # --- check-ins --------------------------------------------------------------
    #: A check-in's ``at`` must lie within the parade's date ± this many days,
    #: unless the plan's own check-in window says otherwise.
    checkin_window_days: float = 1.0

    # --- connections and watchers -------------------------------------------------
    #: Open connections beyond this are refused (uvicorn's ``limit_concurrency``).
    max_connections: int = 4000
    #: A client must send its request headers within this time [s].
    header_timeout_s: float = 10.0
    #: Idle keep-alive connections are closed after this [s].
    keep_alive_s: float = 5.0
    #: A request's line and headers together may hold this much; more is a 431 [kB].
    max_header_kb: int = 32
    #: The whole body of a small (JSON, form) route must arrive within this [s];
    #: an upload gets this long before its minimum rate applies.
    body_timeout_s: float = 10.0
    #: After ``body_timeout_s``, an upload must have come at this average rate [kB/s].
    min_upload_rate_kbps: float = 10.0
    #: Signed-in watchers (control room, announcer streams) per plan.
    max_watchers_per_plan: int = 2000
    #: Streams one session (one sign-in) may hold open, over all plans.
    max_watchers_per_session: int = 4

    #: A sign-in refused at the edge for its rate is answered after this pause [s]
    #: (users/signin_rate.py): a flood then asks once a second per connection.
    signin_tarpit_s: float = 1.0
    #: Anonymous (public) watchers per plan, for public streams.
    max_public_watchers_per_plan: int = 10000

    # --- sign-in -----------------------------------------------------------------
    #: The token-signing key file (created 0600 at first start); None: the default
    #: place (``paradeops.key`` beside an SQLite database, else the working folder).
    #: ``PARADEOPS_SECRET_KEY`` in the environment takes precedence.
    secret_key_file: Path | None = None
    #: The guest badges' key file (never created by the service: ``paradeops secret
    #: rotate --badge`` makes it); None: beside the sign-in key's file,
    #: ``<name>.badge.key``. ``PARADEOPS_BADGE_KEY`` takes precedence.
    badge_key_file: Path | None = None
    #: Addresses of reverse proxies whose X-Forwarded-For is believed ("*" for any).
    forwarded_allow_ips: str | None = None

    # --- pages -------------------------------------------------------------------
    #: Send Strict-Transport-Security (only behind TLS).
    hsts: bool = False

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_json_bytes(self) -> int:
        return self.max_json_kb * 1024

    @property
    def max_header_bytes(self) -> int:
        return self.max_header_kb * 1024
