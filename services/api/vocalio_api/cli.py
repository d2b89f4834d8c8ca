"""`vocalio api`, `vocalio db …`, `vocalio keys …`: run and administer the API from a shell."""

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from vocalio_shared.settings import load_settings

from vocalio_api.config import ApiSettings

console = Console()
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys: create, list, revoke (works on the database directly).", no_args_is_help=True)


def serve() -> None:
    """Run the API service (settings from VOCALIO_* environment variables)."""
    from vocalio_api.server import run

    run()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    from vocalio_api.db import upgrade_database

    settings = load_settings(ApiSettings)
    upgrade_database(settings, revision)
    console.print(f"database at {revision}: {settings.sync_database_url.split('://')[0]}")


async def _with_session(settings: ApiSettings, work):  # type: ignore[no-untyped-def]
    from vocalio_api.db import create_engine, session_factory, upgrade_database

    await asyncio.to_thread(upgrade_database, settings)
    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            return await work(session)
    finally:
        await engine.dispose()


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="A name people recognise.")],
    role: Annotated[str, typer.Option(help="admin, operator or client.")] = "client",
    rate_per_min: Annotated[int | None, typer.Option(help="Requests per minute (default: setting).")] = None,
    chars_per_day: Annotated[int | None, typer.Option(help="Characters per day (default: setting).")] = None,
) -> None:
    """Create a key and print its secret (shown once)."""
    from vocalio_shared.schemas.keys import ApiKeyCreate

    from vocalio_api.keys_service import create_key

    body = ApiKeyCreate(name=name, role=role, rate_requests_per_min=rate_per_min, rate_chars_per_day=chars_per_day)  # type: ignore[arg-type]
    created = asyncio.run(_with_session(load_settings(ApiSettings), lambda s: create_key(s, body)))
    console.print(f"created key {created.id} ({created.role}); secret, shown once:")
    print(created.key)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    from sqlmodel import col, select

    from vocalio_api.models import ApiKey

    async def fetch(session):  # type: ignore[no-untyped-def]
        return (await session.exec(select(ApiKey).order_by(col(ApiKey.created_at)))).all()

    rows = asyncio.run(_with_session(load_settings(ApiSettings), fetch))
    table = Table("id", "name", "role", "created", "revoked")
    for row in rows:
        table.add_row(row.id, row.name, row.role, str(row.created_at)[:19], str(row.revoked_at or "")[:19])
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key id (vk_<id>_…).")]) -> None:
    """Revoke a key; effective at once on every API process (Redis cache entry dropped)."""
    from vocalio_api.keys_service import revoke_key

    settings = load_settings(ApiSettings)

    async def revoke(session):  # type: ignore[no-untyped-def]
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(settings.redis_url)
        try:
            return await revoke_key(session, client, key_id)
        finally:
            await client.aclose()

    key = asyncio.run(_with_session(settings, revoke))
    console.print(f"revoked {key.id} ({key.name})")
