"""The dashboard app: sessions, error handling and the routers, assembled in one place."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2_fragments.fastapi import Jinja2Blocks

from vocalio_ui import formatting
from vocalio_ui.api_client import ApiClient, ApiError, ApiUnavailable
from vocalio_ui.config import UiSettings
from vocalio_ui.deps import CsrfRejected, NotSignedIn, is_htmx, redirect, render
from vocalio_ui.routes import auth, books, jobs, keys, new_job, overview, status, voices, workers
from vocalio_ui.sessions import COOKIE_NAME, SessionStore

HERE = Path(__file__).parent
log = structlog.get_logger("ui")

# The pages are ours alone: no inline scripts (htmx reads hx-* attributes), no third-party origins.
# media-src blob: plays a take recorded in the browser back before it is saved (static/record.js).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(settings: UiSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await app.state.api.close()

    app = FastAPI(title="Vocalio dashboard", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.api = ApiClient(settings.api_url, settings.ui_api_timeout_s)
    app.state.sessions = SessionStore(settings.ui_session_secret.get_secret_value(), settings.ui_session_ttl_s)
    templates = Jinja2Blocks(directory=str(HERE / "templates"))
    formatting.register(templates.env)
    app.state.templates = templates

    @app.middleware("http")
    async def session_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        store: SessionStore = app.state.sessions
        session = store.from_cookie(request.cookies.get(COOKIE_NAME))
        if session is None and request.url.path.startswith(("/static/", "/health")):
            return _secure(await call_next(request))
        session = session or store.new()
        request.state.session = session
        response = await call_next(request)
        # Sign-in and sign-out replace the session; the route leaves the new one on request.state.
        current = request.state.session
        response.set_cookie(
            COOKIE_NAME,
            store.cookie_value(current),
            max_age=store.ttl_s,
            httponly=True,
            samesite="lax",
            secure=settings.ui_cookie_secure,
            path="/",
        )
        return _secure(response)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _error: NotSignedIn) -> Response:
        return redirect(request, f"/login?next={request.url.path}" if not is_htmx(request) else "/login")

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, _error: CsrfRejected) -> Response:
        log.warning("csrf_rejected", path=request.url.path)
        return render(
            request,
            "message.html",
            {
                "title": "Request refused",
                "message": "The form was stale or forged (CSRF check failed). Reload the page and try again.",
            },
            status_code=403,
        )

    @app.exception_handler(ApiUnavailable)
    async def api_unavailable(request: Request, error: ApiUnavailable) -> Response:
        log.warning("api_unavailable", path=request.url.path, error=str(error))
        if is_htmx(request) and request.method == "GET":
            return Response(status_code=204)  # polling: keep the last figures on screen, the banner says why
        return render(request, "unavailable.html", {"title": "API unreachable"}, status_code=503)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> Response:
        if error.status_code == 401:  # the key was revoked or expired while signed in
            app.state.sessions.drop(request.state.session)
            request.state.session = app.state.sessions.new()
            return redirect(request, "/login?expired=1")
        context = {"title": f"API error {error.status_code}", "message": error.message, "code": error.code}
        return render(request, "message.html", context, status_code=error.status_code)

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (auth, overview, jobs, new_job, books, voices, workers, keys, status):
        app.include_router(module.router)
    return app


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
