"""What every route needs: the session, the signed-in operator, a CSRF check, page rendering."""

from typing import Annotated, Any

from fastapi import Depends, Form, Header, Request
from fastapi.responses import RedirectResponse, Response
from jinja2_fragments.fastapi import Jinja2Blocks

from vocalio_ui.api_client import ApiClient
from vocalio_ui.config import UiSettings
from vocalio_ui.sessions import Session, SessionStore

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class NotSignedIn(Exception):
    """Raised by `require_operator`; the app answers with a redirect to the sign-in page."""


class CsrfRejected(Exception):
    pass


def get_session(request: Request) -> Session:
    return request.state.session  # set by the session middleware in app.py


def get_api(request: Request) -> ApiClient:
    return request.app.state.api


def get_settings(request: Request) -> UiSettings:
    return request.app.state.settings


def get_store(request: Request) -> SessionStore:
    return request.app.state.sessions


def require_operator(session: Annotated[Session, Depends(get_session)]) -> Session:
    if not session.signed_in:
        raise NotSignedIn
    return session


async def csrf_protect(
    request: Request,
    session: Annotated[Session, Depends(get_session)],
    header_token: Annotated[str | None, Header(alias=CSRF_HEADER)] = None,
) -> None:
    """Every state-changing request carries the session's token (form field or htmx header)."""
    token = header_token
    if token is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    if not session.csrf_ok(token):
        raise CsrfRejected


SessionDep = Annotated[Session, Depends(get_session)]
OperatorDep = Annotated[Session, Depends(require_operator)]
ApiDep = Annotated[ApiClient, Depends(get_api)]
SettingsDep = Annotated[UiSettings, Depends(get_settings)]
StoreDep = Annotated[SessionStore, Depends(get_store)]
CsrfDep = Depends(csrf_protect)
OptionalForm = Annotated[str | None, Form()]


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def redirect(request: Request, url: str) -> Response:
    """htmx follows HX-Redirect with a full page load; a plain browser gets a 303."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def render(
    request: Request, template: str, context: dict[str, Any], block: str | None = None, status_code: int = 200
) -> Response:
    templates: Jinja2Blocks = request.app.state.templates
    session: Session = request.state.session
    base = {
        "session": session,
        "csrf_token": session.csrf_token,
        "api_health": request.app.state.api.health,
        "poll_s": request.app.state.settings.ui_poll_interval_s,
        "path": request.url.path,
    }
    if block:
        return templates.TemplateResponse(request, template, base | context, status_code=status_code, block_name=block)
    return templates.TemplateResponse(request, template, base | context, status_code=status_code)
