"""API keys (admin): create (the secret is shown once, in that answer only), revoke, usage."""

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from vocalio_ui.api_client import ApiError
from vocalio_ui.deps import ApiDep, CsrfDep, OperatorDep, redirect, render

router = APIRouter()
log = structlog.get_logger("ui")

ROLES = ("client", "operator", "admin")


async def _keys_context(api: ApiDep, api_key: str, is_admin: bool) -> dict[str, Any]:
    if not is_admin:  # operators may not list keys; say so instead of showing the API's 403
        return {"keys": [], "admin_only": True, "roles": ROLES}
    keys = (await api.get("/api/v1/keys", api_key))["items"]
    return {"keys": keys, "admin_only": False, "roles": ROLES}


@router.get("/keys")
async def keys_page(request: Request, session: OperatorDep, api: ApiDep) -> Response:
    context = await _keys_context(api, session.api_key or "", session.is_admin)
    return render(request, "keys.html", {"title": "API keys", **context})


@router.post("/keys", dependencies=[CsrfDep])
async def create_key(
    request: Request,
    session: OperatorDep,
    api: ApiDep,
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "client",
    rate_requests_per_min: Annotated[str, Form()] = "",
    rate_chars_per_day: Annotated[str, Form()] = "",
) -> Response:
    body: dict[str, Any] = {"name": name.strip(), "role": role}
    for field, value in (("rate_requests_per_min", rate_requests_per_min), ("rate_chars_per_day", rate_chars_per_day)):
        if value.strip():
            body[field] = value.strip()
    context = await _keys_context(api, session.api_key or "", session.is_admin)
    try:
        created = await api.post("/api/v1/keys", session.api_key, json=body)
    except ApiError as error:
        return render(request, "keys.html", {"title": "API keys", **context, "error": error.message}, status_code=422)
    log.info("key_created", new_key_id=created["id"], role=created["role"], key_id=session.key_id)
    # Rendered into this answer and nowhere else: reloading the page cannot show the secret again.
    context = await _keys_context(api, session.api_key or "", session.is_admin)
    response = render(request, "keys.html", {"title": "API keys", **context, "created": created})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/keys/{key_id}/revoke", dependencies=[CsrfDep])
async def revoke_key(request: Request, key_id: str, session: OperatorDep, api: ApiDep) -> Response:
    await api.post(f"/api/v1/keys/{key_id}/revoke", session.api_key)
    log.info("key_revoked", revoked_key_id=key_id, key_id=session.key_id)
    return redirect(request, "/keys")


@router.get("/fragments/keys/{key_id}/usage")
async def key_usage(request: Request, key_id: str, session: OperatorDep, api: ApiDep) -> Response:
    usage = await api.get(f"/api/v1/keys/{key_id}/usage", session.api_key)
    return render(request, "keys.html", {"usage": usage}, block="usage")
