"""Reads of the voice library for the pages: visible voices, region defaults, and /ready's verdict."""

from dataclasses import dataclass, field
from typing import Any

from vocalio_shared.regions import Region

from vocalio_ui.api_client import ApiClient, ApiError, ApiUnavailable

REGIONS = [region.value for region in Region]


@dataclass
class RegionDefaults:
    defaults: dict[str, str | None] = field(default_factory=dict)  # region → voice id
    missing: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # region → why the shipped default did not load


async def list_voices(api: ApiClient, api_key: str, region: str | None = None) -> list[dict[str, Any]]:
    params = {"region": region} if region in REGIONS else {}
    return (await api.get("/api/v1/voices", api_key, params=params))["items"]


async def region_defaults(api: ApiClient, api_key: str, with_failures: bool = False) -> RegionDefaults:
    body = await api.get("/api/v1/regions/defaults", api_key)
    missing = [str(region) for region in body.get("missing", [])]
    result = RegionDefaults(defaults=dict(body.get("defaults") or {}), missing=missing)
    if with_failures:  # only /ready knows why a shipped default failed (download, checksum …)
        ready = (await api.ready()).get("default_voices") or {}
        result.failed = {str(region): str(reason) for region, reason in (ready.get("failed") or {}).items()}
    return result


async def voice_choices(api: ApiClient, api_key: str) -> list[dict[str, Any]] | None:
    """The New job form's voice list; None (free text instead) if the API cannot list voices now."""
    try:
        return await list_voices(api, api_key)
    except (ApiError, ApiUnavailable):
        return None


async def recording_prompts(api: ApiClient, api_key: str) -> dict[str, Any]:
    """The sentences to read for a recorded reference (GET /api/v1/voices/prompts): their one definition."""
    body: dict[str, Any] = await api.get("/api/v1/voices/prompts", api_key)
    return body
