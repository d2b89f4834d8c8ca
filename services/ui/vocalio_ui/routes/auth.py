"""Sign-in with an operator or admin API key; sign-out."""

from typing import Annotated

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from vocalio_ui.api_client import ApiError
from vocalio_ui.deps import ApiDep, CsrfDep, SessionDep, StoreDep, redirect, render

router = APIRouter()
log = structlog.get_logger("ui")

ALLOWED_ROLES = frozenset({"operator", "admin"})


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the sign-in form cannot bounce an operator to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
async def login_page(request: Request, session: SessionDep, next: str | None = None, expired: int = 0) -> Response:
    if session.signed_in:
        return redirect(request, _safe_next(next))
    message = "Your key is no longer valid; sign in again." if expired else None
    return render(request, "login.html", {"title": "Sign in", "next": _safe_next(next), "error": message})


@router.post("/login", dependencies=[CsrfDep])
async def login(
    request: Request,
    session: SessionDep,
    store: StoreDep,
    api: ApiDep,
    api_key: Annotated[str, Form(max_length=500)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    api_key = api_key.strip()
    try:
        me = await api.get("/api/v1/me", api_key)
    except ApiError as error:
        message = "That key is not valid." if error.status_code in (401, 403) else error.message
        return render(request, "login.html", {"title": "Sign in", "next": next, "error": message}, status_code=401)
    if me.get("role") not in ALLOWED_ROLES:
        log.info("sign_in_refused", key_id=me.get("id"), role=me.get("role"))
        error = "This key has the client role; the dashboard needs an operator or admin key."
        return render(request, "login.html", {"title": "Sign in", "next": next, "error": error}, status_code=403)
    request.state.session = store.sign_in(session, api_key, me["id"], me["name"], me["role"])
    log.info("signed_in", key_id=me["id"], role=me["role"])
    return redirect(request, _safe_next(next))


@router.post("/logout", dependencies=[CsrfDep])
async def logout(request: Request, session: SessionDep, store: StoreDep) -> Response:
    store.drop(session)
    request.state.session = store.new()
    return redirect(request, "/login")
