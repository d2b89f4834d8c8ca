"""Error codes and the one error body every service returns.

A code fixes its HTTP status, category, severity and retry advice, so a client can act on the code
alone and two services can never describe the same failure differently.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class ErrorCategory(StrEnum):
    VALIDATION = "VALIDATION"
    AUTH = "AUTH"
    RATE_LIMIT = "RATE_LIMIT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    RESOURCE = "RESOURCE"
    MODEL = "MODEL"
    NETWORK = "NETWORK"
    INPUT = "INPUT"
    INTERNAL = "INTERNAL"


class Severity(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    TEXT_TOO_LONG = "TEXT_TOO_LONG"
    BODY_TOO_LARGE = "BODY_TOO_LARGE"
    UPLOAD_TOO_LARGE = "UPLOAD_TOO_LARGE"
    UPLOAD_CHECKSUM_MISMATCH = "UPLOAD_CHECKSUM_MISMATCH"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    INVALID_CALLBACK_URL = "INVALID_CALLBACK_URL"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    RATE_LIMITED = "RATE_LIMITED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    NOT_FOUND = "NOT_FOUND"
    JOB_NOT_FOUND = "JOB_NOT_FOUND"
    WORKER_NOT_FOUND = "WORKER_NOT_FOUND"
    KEY_NOT_FOUND = "KEY_NOT_FOUND"
    AUDIO_NOT_READY = "AUDIO_NOT_READY"
    RANGE_NOT_SATISFIABLE = "RANGE_NOT_SATISFIABLE"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    INVALID_STATE = "INVALID_STATE"
    NOT_READY = "NOT_READY"
    GPU_OOM = "GPU_OOM"
    ENGINE_UNAVAILABLE = "ENGINE_UNAVAILABLE"
    ENCODER_MISSING = "ENCODER_MISSING"
    SYNTHESIS_FAILED = "SYNTHESIS_FAILED"
    JOB_CANCELLED = "JOB_CANCELLED"
    API_UNREACHABLE = "API_UNREACHABLE"
    UPSTREAM_ERROR = "UPSTREAM_ERROR"
    WORKER_LOST = "WORKER_LOST"
    RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    VOICE_NOT_FOUND = "VOICE_NOT_FOUND"
    UNKNOWN_VOICE = "UNKNOWN_VOICE"
    VOICE_IN_USE = "VOICE_IN_USE"
    VOICE_NOT_AUDIO = "VOICE_NOT_AUDIO"
    VOICE_TOO_SHORT = "VOICE_TOO_SHORT"
    VOICE_TOO_LONG = "VOICE_TOO_LONG"
    VOICE_CLIPPING = "VOICE_CLIPPING"
    VOICE_MOSTLY_SILENCE = "VOICE_MOSTLY_SILENCE"
    VOICE_SAMPLE_RATE_TOO_LOW = "VOICE_SAMPLE_RATE_TOO_LOW"
    VOICE_TRANSCRIPT_EMPTY = "VOICE_TRANSCRIPT_EMPTY"
    VOICE_TRANSCRIPT_IMPLAUSIBLE = "VOICE_TRANSCRIPT_IMPLAUSIBLE"
    VOICE_NAME_INVALID = "VOICE_NAME_INVALID"
    VOICE_CONSENT_REQUIRED = "VOICE_CONSENT_REQUIRED"
    BOOK_NOT_FOUND = "BOOK_NOT_FOUND"
    CHAPTER_NOT_FOUND = "CHAPTER_NOT_FOUND"
    BOOK_UNREADABLE = "BOOK_UNREADABLE"  # not a valid EPUB/TXT: bad zip, no OPF, undecodable text
    BOOK_UNSAFE = "BOOK_UNSAFE"  # zip bomb, path traversal, XML entities/DTD, too many members
    BOOK_TOO_LARGE = "BOOK_TOO_LARGE"  # upload, unpacked size, chapters or characters over the limits
    BOOK_EMPTY = "BOOK_EMPTY"  # nothing to read once front/back matter is set aside
    SENTENCE_NOT_CACHED = "SENTENCE_NOT_CACHED"
    STORAGE_FULL = "STORAGE_FULL"  # the audio/data store has no space left (ENOSPC/EDQUOT); nothing was stored
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"  # the database is unreachable or locked past its busy timeout
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"  # a request body that did not arrive within the read deadline


@dataclass(frozen=True)
class ErrorTraits:
    http_status: int
    category: ErrorCategory
    severity: Severity
    recoverable: bool
    retry_suggested: bool


def _t(status: int, category: ErrorCategory, severity: Severity, recoverable: bool, retry: bool) -> ErrorTraits:
    return ErrorTraits(status, category, severity, recoverable, retry)


_V, _A, _R = ErrorCategory.VALIDATION, ErrorCategory.AUTH, ErrorCategory.RESOURCE
_LOW, _MED, _HIGH = Severity.LOW, Severity.MEDIUM, Severity.HIGH

ERROR_TRAITS: dict[ErrorCode, ErrorTraits] = {
    ErrorCode.VALIDATION_ERROR: _t(422, _V, _LOW, False, False),
    ErrorCode.TEXT_TOO_LONG: _t(413, _V, _LOW, False, False),
    ErrorCode.BODY_TOO_LARGE: _t(413, _V, _LOW, False, False),
    ErrorCode.UPLOAD_TOO_LARGE: _t(413, _V, _LOW, False, False),
    ErrorCode.UPLOAD_CHECKSUM_MISMATCH: _t(422, _V, _MED, True, True),
    ErrorCode.UNSUPPORTED_FORMAT: _t(422, _V, _LOW, False, False),
    ErrorCode.INVALID_CALLBACK_URL: _t(422, _V, _LOW, False, False),
    ErrorCode.UNAUTHENTICATED: _t(401, _A, _LOW, False, False),
    ErrorCode.FORBIDDEN: _t(403, _A, _LOW, False, False),
    ErrorCode.RATE_LIMITED: _t(429, ErrorCategory.RATE_LIMIT, _LOW, True, True),
    ErrorCode.QUOTA_EXCEEDED: _t(429, ErrorCategory.RATE_LIMIT, _LOW, True, True),
    ErrorCode.NOT_FOUND: _t(404, ErrorCategory.NOT_FOUND, _LOW, False, False),
    ErrorCode.JOB_NOT_FOUND: _t(404, ErrorCategory.NOT_FOUND, _LOW, False, False),
    ErrorCode.WORKER_NOT_FOUND: _t(404, ErrorCategory.NOT_FOUND, _LOW, False, False),
    ErrorCode.KEY_NOT_FOUND: _t(404, ErrorCategory.NOT_FOUND, _LOW, False, False),
    ErrorCode.AUDIO_NOT_READY: _t(409, ErrorCategory.CONFLICT, _LOW, True, True),
    ErrorCode.RANGE_NOT_SATISFIABLE: _t(416, _V, _LOW, False, False),
    ErrorCode.IDEMPOTENCY_CONFLICT: _t(409, ErrorCategory.CONFLICT, _LOW, False, False),
    ErrorCode.INVALID_STATE: _t(409, ErrorCategory.CONFLICT, _LOW, False, False),
    ErrorCode.NOT_READY: _t(503, _R, _MED, True, True),
    ErrorCode.GPU_OOM: _t(503, _R, _HIGH, True, True),
    ErrorCode.ENGINE_UNAVAILABLE: _t(503, ErrorCategory.MODEL, _HIGH, True, True),
    ErrorCode.ENCODER_MISSING: _t(500, _R, _HIGH, False, False),
    ErrorCode.SYNTHESIS_FAILED: _t(500, ErrorCategory.MODEL, _HIGH, False, False),
    ErrorCode.JOB_CANCELLED: _t(409, ErrorCategory.CONFLICT, _LOW, False, False),
    ErrorCode.API_UNREACHABLE: _t(503, ErrorCategory.NETWORK, _MED, True, True),
    ErrorCode.UPSTREAM_ERROR: _t(502, ErrorCategory.NETWORK, _MED, True, True),
    ErrorCode.WORKER_LOST: _t(503, _R, _MED, True, True),
    ErrorCode.RETRIES_EXHAUSTED: _t(503, _R, _HIGH, False, False),
    ErrorCode.INTERNAL_ERROR: _t(500, ErrorCategory.INTERNAL, _HIGH, False, False),
    ErrorCode.VOICE_NOT_FOUND: _t(404, ErrorCategory.NOT_FOUND, _LOW, False, False),
    ErrorCode.UNKNOWN_VOICE: _t(422, _V, _LOW, False, False),
    ErrorCode.VOICE_IN_USE: _t(409, ErrorCategory.CONFLICT, _LOW, True, True),
    ErrorCode.VOICE_NOT_AUDIO: _t(422, ErrorCategory.INPUT, _LOW, False, False),
    ErrorCode.VOICE_TOO_SHORT: _t(422, ErrorCategory.INPUT, _LOW, False, False),
    ErrorCode.VOICE_TOO_LONG: _t(422, ErrorCategory.INPUT, _LOW, False, False),
    ErrorCode.VOICE_CLIPPING: _t(422, ErrorCategory.INPUT, _LOW, False, False),
    ErrorCode.VOICE_MOSTLY_SILENCE: _t(422, ErrorCategory.INPUT, _LOW, False, False),
    ErrorCode.VOICE_SAMPLE_RATE_TOO_LOW: _t(422, ErrorCategory.INPUT, _LOW, False, False),
    ErrorCode.VOICE_TRANSCRIPT_EMPTY: _t(422, ErrorCategory.INPUT, _LOW, False, False),
    ErrorCode.VOICE_TRANSCRIPT_IMPLAUSIBLE: _t(422, ErrorCategory.INPUT, _LOW, False, False),
    ErrorCode.VOICE_NAME_INVALID: _t(422, _V, _LOW, False, False),
    ErrorCode.VOICE_CONSENT_REQUIRED: _t(422, _V, _LOW, False, False),
    ErrorCode.BOOK_NOT_FOUND: _t(404, ErrorCategory.NOT_FOUND, _LOW, False, False),
    ErrorCode.CHAPTER_NOT_FOUND: _t(404, ErrorCategory.NOT_FOUND, _LOW, False, False),
    ErrorCode.BOOK_UNREADABLE: _t(422, ErrorCategory.INPUT, _LOW, False, False),
    ErrorCode.BOOK_UNSAFE: _t(422, ErrorCategory.INPUT, _MED, False, False),
    ErrorCode.BOOK_TOO_LARGE: _t(413, _V, _LOW, False, False),
    ErrorCode.BOOK_EMPTY: _t(422, ErrorCategory.INPUT, _LOW, False, False),
    ErrorCode.SENTENCE_NOT_CACHED: _t(404, ErrorCategory.NOT_FOUND, _LOW, False, False),
    ErrorCode.STORAGE_FULL: _t(507, _R, _HIGH, True, True),
    ErrorCode.DATABASE_UNAVAILABLE: _t(503, _R, _HIGH, True, True),
    ErrorCode.REQUEST_TIMEOUT: _t(408, ErrorCategory.NETWORK, _LOW, True, True),
}


class ErrorDetail(BaseModel):
    """The structured error of the seed design, carried in API answers and failed jobs alike."""

    code: str
    message: str
    category: ErrorCategory
    severity: Severity
    recoverable: bool
    retry_suggested: bool
    context: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    error: ErrorDetail


class VocalioError(Exception):
    """Raised anywhere in Vocalio; rendered as ErrorBody with the status its code fixes."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        context: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.context = context or {}
        self.headers = headers or {}

    @property
    def traits(self) -> ErrorTraits:
        return ERROR_TRAITS[self.code]

    @property
    def http_status(self) -> int:
        return self.traits.http_status

    def detail(self) -> ErrorDetail:
        return error_detail(self.code, self.message, self.context)


def error_detail(code: ErrorCode, message: str, context: dict[str, Any] | None = None) -> ErrorDetail:
    traits = ERROR_TRAITS[code]
    return ErrorDetail(
        code=code.value,
        message=message,
        category=traits.category,
        severity=traits.severity,
        recoverable=traits.recoverable,
        retry_suggested=traits.retry_suggested,
        context=context or {},
    )
