"""Guest routes: upload a book, guests (personal data for organisers only), history,
append an event, status as of a moment, announcements.

There is no route to change or delete anything: the history is append-only
(``PUT``/``DELETE`` answer 405). Marshals read no guests (403).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from paradeops.model.yamlsource import DEFAULT_LIMITS
from paradeops.protocol.guests import GuestBook
from paradeops.service.deps import CtxDep, OrganiserDep, ReaderDep, SessionDep
from paradeops.service.errors import AUTH_ERRORS, BAD_INPUT, NOT_FOUND, ErrorOut
from paradeops.service.guests import service
from paradeops.service.guests.models import (
    AnnouncementOut,
    BookCreated,
    BookOut,
    EventIn,
    GuestsOut,
    HistoryOut,
)
from paradeops.service.plans.upload import safe_name, too_large
from paradeops.service.plans.views import UPLOAD_ERRORS, read_body
from paradeops.service.upload_gate import upload_limits
from paradeops.service.users.tokens import Principal

router = APIRouter(prefix="/api", tags=["guests"])
ERRORS = {**AUTH_ERRORS, **NOT_FOUND}
GuestId = Annotated[str, Path(min_length=1, max_length=80)]
BookQuery = Annotated[
    int | None,
    Query(ge=1, le=2**31 - 1, description="A guest book's id; the latest upload by default"),
]


async def guest_reader(who: ReaderDep) -> Principal:
    """Organisers and viewers; a marshal on the route has no business with the guests."""
    if who.role == "marshal":
        raise HTTPException(403, detail="marshals do not read guests")
    return who


GuestReaderDep = Annotated[Principal, Depends(guest_reader)]


async def book_cache(request: Request) -> dict[int, GuestBook]:
    """Parsed books of this app, by id (a stored book's text never changes)."""
    cache: dict[int, GuestBook] | None = getattr(request.app.state, "guest_books", None)
    if cache is None:
        cache = request.app.state.guest_books = {}
    return cache


CacheDep = Annotated[dict[int, GuestBook], Depends(book_cache)]


def _load(session: Any, book: int | None, cache: dict[int, GuestBook]) -> service.Book:
    try:
        return service.load(session, book or service.latest_id(session), cache)
    except service.NotFound as e:
        raise HTTPException(404, detail=str(e.args[0])) from None


@router.post(
    "/guestbooks",
    status_code=201,
    response_model=BookCreated,
    responses={
        **UPLOAD_ERRORS,
        413: {"model": ErrorOut, "description": "The file is over the size limit"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The text of a guests.yaml (see docs/protocol.md); at most "
            "`serve --max-upload-mb` (default 10 MB)",
            "content": {"application/yaml": {"schema": {"type": "string"}}},
        }
    },
)
async def upload_book(
    request: Request,
    ctx: CtxDep,
    who: OrganiserDep,
    cache: CacheDep,
    filename: Annotated[str | None, Query(max_length=200, description="Name in messages")] = None,
) -> BookCreated:
    """A new guest book; it becomes the one ``/api/guests`` answers about."""
    name = safe_name(filename, "guests.yaml")
    limit = ctx.settings.max_upload_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        too_large(int(length), name, limit)
    data = await read_body(request, name, limit)
    # Parsed first, in the thread pool: never while holding the write lock.
    # One upload checked at a time (upload_gate.py), with the upload's read-time bound.
    limits = upload_limits(dataclasses.replace(DEFAULT_LIMITS, max_bytes=limit))
    book = await ctx.uploads.run(service.parse_upload, name, data, limits)
    text = data.decode("utf-8")  # parse_upload has checked that it is UTF-8

    def work() -> int:
        with ctx.db.writing() as session:
            return service.create(session, name, book, text, actor=who.name, now=ctx.now())

    book_id = await run_in_threadpool(work)
    cache[book_id] = book
    return BookCreated(
        id=book_id,
        guests=len(book.guests),
        events=len(book.events),
        announcements=len(book.announcements),
    )


@router.get("/guestbooks", response_model=list[BookOut], responses=ERRORS)
def list_books(who: GuestReaderDep, session: SessionDep, cache: CacheDep) -> list[BookOut]:
    out = []
    for row in service.books(session):
        book = service.load(session, row.id, cache).book
        out.append(
            BookOut(
                id=row.id,
                name=row.name,
                event=book.event,
                created_at=row.created_at,
                created_by=row.created_by,
            )
        )
    return out


def _guests(
    who: Principal, session: Any, cache: dict[int, GuestBook], book: int | None, as_of: str | None
) -> GuestsOut:
    moment = service.parse_as_of(as_of)
    loaded = _load(session, book, cache)
    doc = service.guests(loaded.book, moment, personal=who.role == "organiser")
    return GuestsOut.model_validate({"book": loaded.id, **doc})


@router.get("/guests", response_model=GuestsOut, responses={**ERRORS, **BAD_INPUT})
def list_guests(
    who: GuestReaderDep, session: SessionDep, cache: CacheDep, book: BookQuery = None
) -> GuestsOut:
    """Everything recorded: counts; and, for organisers, each guest (in precedence order)."""
    return _guests(who, session, cache, book, None)


@router.get("/guests/status", response_model=GuestsOut, responses={**ERRORS, **BAD_INPUT})
def guests_status(
    who: GuestReaderDep,
    session: SessionDep,
    cache: CacheDep,
    as_of: Annotated[
        str | None,
        Query(
            max_length=40,
            description="YYYY-MM-DD or ISO datetime with offset; default: everything recorded",
        ),
    ] = None,
    book: BookQuery = None,
) -> GuestsOut:
    """Statuses replayed from the history known at ``as_of`` (``paradeops guests status``)."""
    return _guests(who, session, cache, book, as_of)


@router.get("/guests/announcements", response_model=list[AnnouncementOut], responses=ERRORS)
def guest_announcements(
    who: GuestReaderDep, session: SessionDep, cache: CacheDep, book: BookQuery = None
) -> list[AnnouncementOut]:
    """Each announcement held against the history as of its date."""
    loaded = _load(session, book, cache)
    return [
        AnnouncementOut.model_validate(a)
        for a in service.announcements(loaded.book, personal=who.role == "organiser")
    ]


@router.get("/guests/{guest}/history", response_model=list[HistoryOut], responses=ERRORS)
def guest_history(
    guest: GuestId, who: OrganiserDep, session: SessionDep, cache: CacheDep, book: BookQuery = None
) -> list[HistoryOut]:
    """One guest's events in the order recorded, each with the status it led to."""
    loaded = _load(session, book, cache)
    try:
        return [HistoryOut.model_validate(h) for h in service.history(loaded, guest)]
    except service.NotFound as e:
        raise HTTPException(404, detail=str(e.args[0])) from None


@router.post(
    "/guests/{guest}/events",
    status_code=201,
    response_model=HistoryOut,
    responses={**ERRORS, **BAD_INPUT},
)
async def append_event(
    guest: GuestId,
    event: EventIn,
    who: OrganiserDep,
    ctx: CtxDep,
    cache: CacheDep,
    book: BookQuery = None,
) -> HistoryOut:
    """Append one event; refused (400, saying why) if the ledger's rules do not allow it."""

    def work() -> HistoryOut:
        with ctx.db.writing() as session:
            book_id = book or service.latest_id(session)
            loaded = service.append(
                session, book_id, guest, event, cache, actor=who.name, now=ctx.now()
            )
            return HistoryOut.model_validate(service.history(loaded, guest)[-1])

    try:
        return await run_in_threadpool(work)
    except service.NotFound as e:
        raise HTTPException(404, detail=str(e.args[0])) from None
