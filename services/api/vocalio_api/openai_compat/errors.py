"""OpenAI's error body on /v1/*, so the SDKs raise the right exception; the rest of the API keeps
Vocalio's body. The Vocalio code goes in `code`, so nothing is lost.

The status decides the SDK's exception: 400 BadRequestError, 401 AuthenticationError, 403
PermissionDeniedError, 404 NotFoundError, 409 ConflictError, 422 UnprocessableEntityError,
429 RateLimitError, 5xx InternalServerError. Validation errors are therefore 400 here, not 422.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from vocalio_shared.errors import ErrorCategory, ErrorCode, VocalioError

from vocalio_api.errors import DATABASE_ERRORS, passing_condition_error

OPENAI_PATH_PREFIX = "/v1/"

_TYPES: dict[ErrorCategory, str] = {
    ErrorCategory.VALIDATION: "invalid_request_error",
    ErrorCategory.INPUT: "invalid_request_error",
    ErrorCategory.NOT_FOUND: "invalid_request_error",
    ErrorCategory.CONFLICT: "invalid_request_error",
    ErrorCategory.AUTH: "authentication_error",
    ErrorCategory.RATE_LIMIT: "rate_limit_exceeded",
}
_HTTP_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.VALIDATION_ERROR,  # a body that does not parse
    401: ErrorCode.UNAUTHENTICATED,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.NOT_FOUND,
}


def openai_error(
    status: int,
    message: str,
    code: str,
    error_type: str,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"message": message, "type": error_type, "param": param, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


def from_vocalio(error: VocalioError) -> JSONResponse:
    status = error.http_status
    if error.code == ErrorCode.VALIDATION_ERROR or status == 422:
        status = 400  # OpenAI answers bad input with 400 (BadRequestError)
    param = None
    fields = error.context.get("fields")
    if isinstance(fields, list) and fields and isinstance(fields[0], dict):
        param = str(fields[0].get("field", "")).removeprefix("body.") or None
    error_type = _TYPES.get(error.traits.category, "server_error" if status >= 500 else "invalid_request_error")
    return openai_error(status, error.message, error.code.value, error_type, param, error.headers)


def install_openai_error_handlers(app: FastAPI) -> None:
    """Wrap the app's handlers: /v1/* answers in OpenAI's shape, every other path as before."""
    Handler = Callable[[Request, Any], Awaitable[Response]]
    previous: dict[Any, Handler] = dict(app.exception_handlers)  # type: ignore[arg-type]

    def scoped(exc_class: type[Exception], render: Callable[[Any], JSONResponse]) -> None:
        fallback = previous.get(exc_class)

        async def handler(request: Request, exc: Exception) -> Response:
            if request.url.path.startswith(OPENAI_PATH_PREFIX) or fallback is None:
                return render(exc)
            return await fallback(request, exc)

        app.add_exception_handler(exc_class, handler)

    def validation(exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        location = [str(part) for part in first.get("loc", ()) if part != "body"]
        message = f"{'.'.join(location)}: {first.get('msg', 'invalid request')}" if location else "invalid request"
        return openai_error(400, message, ErrorCode.VALIDATION_ERROR.value, "invalid_request_error", ".".join(location))

    def http(exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, ErrorCode.INTERNAL_ERROR)
        error_type = "invalid_request_error" if exc.status_code < 500 else "server_error"
        return openai_error(exc.status_code, str(exc.detail), code.value, error_type, headers=exc.headers)

    scoped(VocalioError, from_vocalio)
    scoped(RequestValidationError, validation)
    scoped(StarletteHTTPException, http)
    for passing in (*DATABASE_ERRORS, OSError):  # the database down or the disk full: 503/507 here too
        scoped(passing, lambda exc: from_vocalio(passing_condition_error(exc)))
