"""Render every failure as the one error body, validation errors included (field paths in context)."""

import errno
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from vocalio_shared.errors import ErrorBody, ErrorCode, VocalioError, error_detail

log = structlog.get_logger("api")

_HTTP_STATUS_CODES: dict[int, ErrorCode] = {
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.VALIDATION_ERROR,
    413: ErrorCode.BODY_TOO_LARGE,
    416: ErrorCode.RANGE_NOT_SATISFIABLE,
}


# A full disk and an unreachable or locked database are conditions that pass: answered as retryable
# errors with a Retry-After, never as a 500 (whose advice is "do not retry").
FULL_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
STORAGE_RETRY_AFTER_S = 30
DATABASE_RETRY_AFTER_S = 2


def storage_full_error(error: OSError, where: str) -> VocalioError:
    return VocalioError(
        ErrorCode.STORAGE_FULL,
        f"no space left to store {where}; nothing was stored, retry once space is freed",
        {"errno": errno.errorcode.get(error.errno or 0, str(error.errno))},
        headers={"Retry-After": str(STORAGE_RETRY_AFTER_S)},
    )


def database_unavailable_error(error: Exception) -> VocalioError:
    return VocalioError(
        ErrorCode.DATABASE_UNAVAILABLE,
        "the database is unavailable or busy; retry shortly",
        {"reason": type(getattr(error, "orig", None) or error).__name__},
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
    )


# OperationalError: SQLite "database is locked" past busy_timeout, PostgreSQL down or restarting;
# InterfaceError: a connection that broke mid-use; TimeoutError: no pooled connection in time.
DATABASE_ERRORS: tuple[type[Exception], ...] = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def _database_disk_full(exc: Exception) -> bool:
    """SQLite's SQLITE_FULL ("database or disk is full"), PostgreSQL's disk_full (SQLSTATE 53100)."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) == "53100" or "database or disk is full" in str(orig)


def passing_condition_error(exc: Exception) -> VocalioError:
    """A database or filesystem failure as the error a client should see (also on /v1/*), logged once."""
    if isinstance(exc, DATABASE_ERRORS) and _database_disk_full(exc):
        log.error("storage full", error=repr(exc)[:500])
        return storage_full_error(OSError(errno.ENOSPC, "database disk full"), "the database change")
    if isinstance(exc, DATABASE_ERRORS):
        log.warning("database unavailable", error=repr(exc)[:500])
        return database_unavailable_error(exc)
    if isinstance(exc, OSError) and exc.errno in FULL_DISK_ERRNOS:
        log.error("storage full", error=repr(exc))
        return storage_full_error(exc, "the file")
    log.error("unhandled error", error=repr(exc), exc_info=exc)
    return VocalioError(ErrorCode.INTERNAL_ERROR, "internal error")


def error_response(error: VocalioError) -> JSONResponse:
    body = ErrorBody(error=error.detail())
    return JSONResponse(body.model_dump(mode="json"), status_code=error.http_status, headers=error.headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for item in exc.errors():
        location = [str(part) for part in item.get("loc", ())]
        fields.append({"field": ".".join(location), "message": item.get("msg", ""), "type": item.get("type", "")})
    return fields


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(VocalioError)
    async def _vocalio(_request: Request, exc: VocalioError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = _field_errors(exc)
        message = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5]) or "invalid request"
        error = VocalioError(ErrorCode.VALIDATION_ERROR, message, {"fields": fields})
        return error_response(error)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's "error parsing the body" (a JSON body that is not UTF-8): the same answer as any
            # other malformed body, not a 400 labelled INTERNAL_ERROR.
            field = {"field": "body", "message": str(exc.detail), "type": "body_unparsable"}
            return error_response(VocalioError(ErrorCode.VALIDATION_ERROR, f"body: {exc.detail}", {"fields": [field]}))
        code = _HTTP_STATUS_CODES.get(exc.status_code, ErrorCode.INTERNAL_ERROR)
        detail = error_detail(code, str(exc.detail))
        return JSONResponse(
            ErrorBody(error=detail).model_dump(mode="json"), status_code=exc.status_code, headers=exc.headers
        )

    async def _passing(_request: Request, exc: Exception) -> JSONResponse:
        return error_response(passing_condition_error(exc))

    for exc_class in (*DATABASE_ERRORS, OSError):
        app.add_exception_handler(exc_class, _passing)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", error=repr(exc))
        return error_response(VocalioError(ErrorCode.INTERNAL_ERROR, "internal error"))
