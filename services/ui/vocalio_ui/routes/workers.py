"""Workers: the fleet with live state and metrics; drain and resume (confirmed in the browser)."""

from typing import Literal

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response

from vocalio_ui.deps import ApiDep, CsrfDep, OperatorDep, redirect, render

router = APIRouter()
log = structlog.get_logger("ui")


async def _fleet(api: ApiDep, api_key: str) -> dict[str, object]:
    workers = (await api.get("/api/v1/workers", api_key))["items"]
    scaling = await api.get("/api/v1/scaling", api_key)
    return {"workers": workers, "scaling": scaling}


@router.get("/workers")
async def workers_page(request: Request, session: OperatorDep, api: ApiDep) -> Response:
    return render(request, "workers.html", {"title": "Workers", **await _fleet(api, session.api_key or "")})


@router.get("/fragments/workers")
async def workers_fragment(request: Request, session: OperatorDep, api: ApiDep) -> Response:
    return render(request, "workers.html", await _fleet(api, session.api_key or ""), block="fleet")


@router.post("/workers/{worker_id}/{command}", dependencies=[CsrfDep])
async def command_worker(
    request: Request, worker_id: str, command: Literal["drain", "resume"], session: OperatorDep, api: ApiDep
) -> Response:
    await api.post(f"/api/v1/workers/{worker_id}/{command}", session.api_key)
    log.info("worker_command", worker_id=worker_id, command=command, key_id=session.key_id)
    return redirect(request, "/workers")
