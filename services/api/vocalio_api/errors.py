"""Render every failure as the one error body, validation errors included (field paths in context)."""

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", error=repr(exc))
        return error_response(VocalioError(ErrorCode.INTERNAL_ERROR, "internal error"))
