"""Overview: the figures an operator glances at, refreshed live."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vocalio_ui import overview as figures
from vocalio_ui.deps import ApiDep, OperatorDep, render
from vocalio_ui.voice_library import region_defaults

router = APIRouter()


async def _overview(api: ApiDep, api_key: str) -> figures.Overview:
    result = figures.Overview()
    figures.from_metrics(await api.get("/metrics", None), result)
    listing = await api.get("/api/v1/jobs", api_key, params={"limit": 200})
    figures.from_jobs(listing["items"], result)
    result.regions_without_default_voice = (await region_defaults(api, api_key)).missing
    return result


@router.get("/")
async def overview_page(request: Request, session: OperatorDep, api: ApiDep) -> Response:
    context = {"title": "Overview", "overview": await _overview(api, session.api_key or "")}
    return render(request, "overview.html", context)


@router.get("/fragments/overview")
async def overview_fragment(request: Request, session: OperatorDep, api: ApiDep) -> Response:
    context = {"overview": await _overview(api, session.api_key or "")}
    return render(request, "overview.html", context, block="figures")
