"""API keys as clients and the dashboard see them (never the hash)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Role = Literal["admin", "operator", "client"]


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: Role = "client"
    rate_requests_per_min: int | None = Field(default=None, ge=1)
    rate_chars_per_day: int | None = Field(default=None, ge=1)


class ApiKeyPublic(BaseModel):
    id: str
    name: str
    role: Role
    rate_requests_per_min: int | None = None
    rate_chars_per_day: int | None = None
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class ApiKeyCreated(ApiKeyPublic):
    """Returned once, at creation: the only time the secret is shown."""

    key: str


class KeyUsageDay(BaseModel):
    day: str
    jobs: int
    characters: int
    audio_seconds: float


class ApiKeyUsage(BaseModel):
    key_id: str
    total_jobs: int
    total_characters: int
    total_audio_seconds: float
    days: list[KeyUsageDay]


class ApiKeyList(BaseModel):
    items: list[ApiKeyPublic]
