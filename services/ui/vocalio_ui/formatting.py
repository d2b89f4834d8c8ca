"""Jinja filters: how figures read on screen (units always shown)."""

import time
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment


def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def ago(value: str | datetime | None) -> str:
    moment = parse_time(value)
    if moment is None:
        return "never"
    seconds = max(0, int((datetime.now(UTC) - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def clock(value: str | datetime | None) -> str:
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "—"


def _is_number(value: Any) -> bool:
    """Missing metrics arrive as None or as Jinja's Undefined; both read as a dash."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def seconds(value: float | None) -> str:
    if not _is_number(value):
        return "—"
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def number(value: Any, digits: int = 1) -> str:
    if not _is_number(value):
        return "—"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return f"{value:.{digits}f}"


def size(value: int | None) -> str:
    if not _is_number(value):
        return "—"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024  # type: ignore[assignment]
    return "—"


def since(epoch_s: float | None) -> str:
    """How long ago an epoch timestamp was, for the API banner."""
    if epoch_s is None:
        return "—"
    return seconds(max(0.0, time.time() - epoch_s))


def register(env: Environment) -> None:
    env.filters.update(ago=ago, clock=clock, seconds=seconds, number=number, size=size, since=since)
