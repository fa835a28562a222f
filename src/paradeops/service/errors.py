"""Error answers: a UserError becomes a 4xx carrying exactly the CLI's message."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from paradeops.errors import UserError


class ErrorOut(BaseModel):
    detail: str


class TooLarge(UserError):
    """An upload over the size limit: 413 rather than 400."""


#: Documented on every route that can answer them (schemathesis checks the contract).
AUTH_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Not signed in"},
    403: {"model": ErrorOut, "description": "Not allowed for this role"},
}
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut, "description": "No such thing"}
}
BAD_INPUT: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorOut, "description": "The input has problems; the message lists them"}
}


def install(app: FastAPI) -> None:
    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> JSONResponse:
        code = 413 if isinstance(exc, TooLarge) else 400
        return JSONResponse({"detail": str(exc)}, status_code=code)
