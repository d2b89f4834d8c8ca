"""Long-lived clients of one API process, built at start-up and torn down at shutdown."""

from dataclasses import dataclass, field

import httpx
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from vocalio_api.config import ApiSettings


@dataclass
class DefaultVoicesStatus:
    registered: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    done: bool = False


@dataclass
class AppState:
    settings: ApiSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    http: httpx.AsyncClient
    default_voices: DefaultVoicesStatus = field(default_factory=DefaultVoicesStatus)
