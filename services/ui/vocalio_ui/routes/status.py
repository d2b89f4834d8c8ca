"""The API banner: polled by every page, so an outage is said once, in one place."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vocalio_ui.deps import ApiDep, render

router = APIRouter()


@router.get("/fragments/status")
async def api_status(request: Request, api: ApiDep, recover: int = 0) -> Response:
    up = await api.probe()
    if up and recover:
        # The page was rendered while the API was down: load it again now that data can be had.
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return render(request, "base.html", {"recover": recover}, block="api_status")
