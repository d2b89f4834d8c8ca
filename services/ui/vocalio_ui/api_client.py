"""The dashboard's only way to the stack: the API over HTTP, with the signed-in operator's key.

Two failure kinds the pages treat differently: `ApiUnavailable` (cannot reach the API, or it
answers 502/503/504) keeps the last rendered figures on screen and raises the banner;
`ApiError` is an answer from a working API (403, 404, 422 …) shown to the operator as is.
"""

import time
from typing import Any

import httpx

UNAVAILABLE_STATUSES = frozenset({502, 503, 504})


class ApiUnavailable(Exception):
    pass


class ApiError(Exception):
    def __init__(self, status_code: int, error: dict[str, Any]) -> None:
        self.status_code = status_code
        self.error = error
        self.code: str = str(error.get("code", "ERROR"))
        self.message: str = str(error.get("message", f"HTTP {status_code}"))
        super().__init__(f"{status_code} {self.code}: {self.message}")


class ApiHealth:
    """What the banner says: when the API last answered, and since when it has not."""

    def __init__(self) -> None:
        self.down_since: float | None = None
        self.last_ok: float | None = None

    def ok(self) -> None:
        self.last_ok, self.down_since = time.time(), None

    def failed(self) -> None:
        if self.down_since is None:
            self.down_since = time.time()

    @property
    def up(self) -> bool:
        return self.down_since is None


class ApiClient:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.health = ApiHealth()
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout_s)

    async def close(self) -> None:
        await self._http.aclose()

    @staticmethod
    def _auth(api_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key}"}

    async def request(self, method: str, path: str, api_key: str | None, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {}) | (self._auth(api_key) if api_key else {})
        try:
            response = await self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as error:
            self.health.failed()
            raise ApiUnavailable(str(error) or type(error).__name__) from error
        if response.status_code in UNAVAILABLE_STATUSES:
            self.health.failed()
            raise ApiUnavailable(f"API answered {response.status_code}")
        self.health.ok()
        if response.status_code >= 400:
            try:
                error = response.json().get("error") or {}
            except ValueError:
                error = {"message": response.text[:200]}
            raise ApiError(response.status_code, error)
        if response.status_code == 204 or not response.content:
            return None
        content_type = response.headers.get("content-type", "")
        return response.json() if "json" in content_type else response.text

    async def get(self, path: str, api_key: str | None, **kwargs: Any) -> Any:
        return await self.request("GET", path, api_key, **kwargs)

    async def post(self, path: str, api_key: str | None, **kwargs: Any) -> Any:
        return await self.request("POST", path, api_key, **kwargs)

    async def put(self, path: str, api_key: str | None, **kwargs: Any) -> Any:
        return await self.request("PUT", path, api_key, **kwargs)

    async def delete(self, path: str, api_key: str | None, **kwargs: Any) -> Any:
        return await self.request("DELETE", path, api_key, **kwargs)

    async def ready(self) -> dict[str, Any]:
        """GET /ready's body, 503 included: "not ready" is a finding to show, not an outage of the API."""
        try:
            response = await self._http.get("/ready")
            body = response.json()
        except (httpx.TransportError, ValueError) as error:
            self.health.failed()
            raise ApiUnavailable(str(error) or type(error).__name__) from error
        self.health.ok()
        return body if isinstance(body, dict) else {}

    async def probe(self) -> bool:
        """GET /health: the banner's own check, independent of any page."""
        try:
            await self.request("GET", "/health", None)
        except (ApiUnavailable, ApiError):
            return False
        return True

    async def open_stream(self, path: str, api_key: str, headers: dict[str, str]) -> httpx.Response:
        """An open streamed response (the audio proxy); the caller must `aclose()` it when done."""
        request = self._http.build_request("GET", path, headers=headers | self._auth(api_key))
        try:
            response = await self._http.send(request, stream=True)
        except httpx.TransportError as error:
            self.health.failed()
            raise ApiUnavailable(str(error) or type(error).__name__) from error
        self.health.ok()
        return response

    async def patch(self, path: str, api_key: str | None, **kwargs: Any) -> Any:
        """The book routes edit a book and its chapters in place (PATCH /api/v1/books/{id}…)."""
        return await self.request("PATCH", path, api_key, **kwargs)
