"""Workers: the fleet with live state and metrics; drain and resume (confirmed in the browser)."""

from pathlib import Path
from typing import Literal

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from vocalio_shared.schemas.supervisor import SupervisorStatus

from vocalio_ui.deps import ApiDep, CsrfDep, OperatorDep, SettingsDep, redirect, render

router = APIRouter()
log = structlog.get_logger("ui")


def _processes(path: Path | None) -> SupervisorStatus | None:
    """`vocalio up`'s children, when the dashboard runs under it (the status file it writes)."""
    if path is None:
        return None
    try:
        return SupervisorStatus.model_validate_json(path.read_text())
    except (OSError, ValidationError):
        return None


async def _fleet(api: ApiDep, api_key: str, settings: SettingsDep) -> dict[str, object]:
    workers = (await api.get("/api/v1/workers", api_key))["items"]
    scaling = await api.get("/api/v1/scaling", api_key)
    return {"workers": workers, "scaling": scaling, "stack": _processes(settings.supervisor_status_file)}


@router.get("/workers")
async def workers_page(request: Request, session: OperatorDep, api: ApiDep, settings: SettingsDep) -> Response:
    fleet = await _fleet(api, session.api_key or "", settings)
    return render(request, "workers.html", {"title": "Workers", **fleet})


@router.get("/fragments/workers")
async def workers_fragment(request: Request, session: OperatorDep, api: ApiDep, settings: SettingsDep) -> Response:
    return render(request, "workers.html", await _fleet(api, session.api_key or "", settings), block="fleet")


@router.post("/workers/{worker_id}/{command}", dependencies=[CsrfDep])
async def command_worker(
    request: Request, worker_id: str, command: Literal["drain", "resume"], session: OperatorDep, api: ApiDep
) -> Response:
    await api.post(f"/api/v1/workers/{worker_id}/{command}", session.api_key)
    log.info("worker_command", worker_id=worker_id, command=command, key_id=session.key_id)
    return redirect(request, "/workers")
