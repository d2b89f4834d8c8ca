"""The OpenAI-compatible surface (/v1/*) and job captions, installed on the app in one call."""

from fastapi import FastAPI

from vocalio_api.openai_compat.errors import install_openai_error_handlers


def install_openai_compat(app: FastAPI) -> None:
    """Routers plus the /v1-scoped error handlers (call after the app's own handlers are installed)."""
    from vocalio_api.openai_compat import routes
    from vocalio_api.routes import captions

    app.include_router(routes.router)
    app.include_router(captions.router)
    install_openai_error_handlers(app)
