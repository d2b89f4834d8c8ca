"""The client's one exception: what the API said went wrong, from its error body (ErrorBody)."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from vocalio_shared.errors import ErrorCode

# Statuses a gateway answers while the API restarts or is overloaded: always worth another try.
GATEWAY_STATUSES = frozenset({502, 503, 504})


class VocalioApiError(Exception):
    """An error answer of the API (or no answer at all: `status` None, code API_UNREACHABLE).

    `code` is one of `vocalio_shared.errors.ErrorCode` when the API sent its error body; a proxy's
    bare answer gets `HTTP_<status>`. `retry_after` is the Retry-After header in seconds, if sent.
    """

    def __init__(
        self,
        status: int | None,
        code: str,
        message: str,
        context: dict[str, Any] | None = None,
        *,
        retry_suggested: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{code} ({status}): {message}" if status else f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.context = context or {}
        self.retry_suggested = retry_suggested
        self.retry_after = retry_after

    @classmethod
    def from_response(cls, response: httpx.Response) -> "VocalioApiError":
        """Read the one error body; anything else (a proxy's HTML page) keeps its status and a snippet.
        A streamed response must have been read first."""
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        try:
            detail = response.json()["error"]
            return cls(
                response.status_code,
                str(detail["code"]),
                str(detail.get("message", "")),
                dict(detail.get("context") or {}),
                retry_suggested=bool(detail.get("retry_suggested", False)),
                retry_after=retry_after,
            )
        except (ValueError, KeyError, TypeError):
            text = response.text[:300].strip()
            return cls(
                response.status_code,
                f"HTTP_{response.status_code}",
                text or response.reason_phrase,
                retry_suggested=response.status_code in GATEWAY_STATUSES,
                retry_after=retry_after,
            )

    @property
    def retryable(self) -> bool:
        """Worth sending again: a gateway status, or the API's own advice. AUDIO_NOT_READY is
        advised too, but a book takes minutes, not a backoff's seconds: callers wait on its events."""
        if self.code == ErrorCode.AUDIO_NOT_READY:
            return False
        return self.status is None or self.status in GATEWAY_STATUSES or self.retry_suggested


class VocalioConnectionError(VocalioApiError):
    """No HTTP answer: refused, reset, timed out. Retried; raised once the retries are spent."""

    def __init__(self, message: str) -> None:
        super().__init__(None, ErrorCode.API_UNREACHABLE.value, message, retry_suggested=True)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
