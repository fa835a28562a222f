"""The public tracker's page, ``/public/{plan_id}``: no sign-in, the same shell for every plan.

The page holds no data: its script reads the plan id from the page and
fetches the public API, which answers 404 for a plan that is not public.
Its Content-Security-Policy (``service/headers.py``) lets the map library
run its workers from ``blob:`` and draw ``data:``/``blob:`` images, nothing
more. Map tiles are off unless the operator sets ``PARADEOPS_PUBLIC_TILES``
to an ``https://`` URL template with ``{z}``, ``{x}`` and ``{y}``; its host
is then added to the page's policy (images and fetches), and nothing else.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from paradeops.service.headers import PUBLIC_PAGE_POLICY
from paradeops.service.pages.views import templates
from paradeops.service.plans.views import PlanId

router = APIRouter(include_in_schema=False)
logger = logging.getLogger(__name__)
TILES_VARIABLE = "PARADEOPS_PUBLIC_TILES"


def tile_url(value: str | None) -> tuple[str, str] | None:
    """(template, origin) of a usable tile URL template, else None."""
    if not value:
        return None
    parts = urlsplit(value)
    usable = (
        parts.scheme == "https"
        and parts.hostname
        and all(k in value for k in ("{z}", "{x}", "{y}"))
        and value.isprintable()
        and not any(c in value for c in " ;,'\"")
    )
    if not usable:
        logger.warning("%s is not an https URL with {z}, {x} and {y}: no tiles", TILES_VARIABLE)
        return None
    return value, f"https://{parts.netloc}"


def policy(origin: str) -> str:
    """The public page's policy with one tile host allowed to serve images and fetches."""
    with_images = PUBLIC_PAGE_POLICY.replace("img-src 'self'", f"img-src 'self' {origin}")
    return f"{with_images}; connect-src 'self' {origin}; frame-ancestors 'none'"


@router.get("/public/{plan_id}", response_class=HTMLResponse)
def public_page(plan_id: PlanId, request: Request) -> Response:
    tiles = tile_url(os.environ.get(TILES_VARIABLE))
    page = templates.TemplateResponse(
        request, "public.html", {"plan_id": plan_id, "tiles": tiles[0] if tiles else ""}
    )
    if tiles is not None:
        page.headers["Content-Security-Policy"] = policy(tiles[1])
    return page
