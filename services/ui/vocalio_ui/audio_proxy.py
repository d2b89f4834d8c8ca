"""Audio through the dashboard: the browser plays job results and voice references without an API key.

`Range` and the conditional headers are forwarded, so players can seek and cache.
"""

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from vocalio_ui.api_client import ApiClient

# Headers of the API's audio answer that the browser needs for seeking and caching.
AUDIO_HEADERS = ("content-type", "content-length", "content-range", "accept-ranges", "etag", "last-modified")
FORWARDED_REQUEST_HEADERS = ("range", "if-none-match", "if-range")


async def proxy_audio(
    request: Request, api: ApiClient, api_path: str, api_key: str, download_name: str | None = None
) -> Response:
    forwarded = {name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers}
    upstream = await api.open_stream(api_path, api_key, forwarded)
    if upstream.status_code >= 400 and upstream.status_code != 416:
        await upstream.aclose()
        return Response(f"audio not available ({upstream.status_code})", status_code=upstream.status_code)
    headers = {name: upstream.headers[name] for name in AUDIO_HEADERS if name in upstream.headers}
    if download_name is not None:
        disposition = upstream.headers.get("content-disposition") or f'attachment; filename="{download_name}"'
        headers["content-disposition"] = disposition.replace("inline", "attachment")
    return StreamingResponse(
        upstream.aiter_raw(),
        status_code=upstream.status_code,
        headers=headers,
        background=BackgroundTask(upstream.aclose),
    )
