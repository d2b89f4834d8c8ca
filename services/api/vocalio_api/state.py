"""Long-lived clients of one API process, built at start-up and torn down at shutdown."""

from dataclasses import dataclass, field

import httpx
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from vocalio_api.config import ApiSettings


@dataclass
class AppState:
    settings: ApiSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    http: httpx.AsyncClient
    background_errors: list[str] = field(default_factory=list)
