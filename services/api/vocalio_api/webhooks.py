"""Completion callbacks: SSRF-guarded, HMAC-SHA256 signed, persisted and retried with backoff.

A delivery is a database row written in the same transaction as the job's terminal state, so an
API restart neither loses nor duplicates it; a background loop sends due rows, in every API
replica: a row is claimed (its next attempt pushed past the time its sending can take) in a
transaction that locks it, SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL (replicas take
different rows, none waits), the single writer's BEGIN IMMEDIATE on SQLite.
"""

import asyncio
import hashlib
import hmac
import ipaddress
import json
import random
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import structlog
from sqlmodel import col, select, update
from vocalio_shared.errors import ErrorCode, VocalioError

from vocalio_api.metrics import WEBHOOKS
from vocalio_api.models import WebhookDelivery
from vocalio_api.state import AppState

log = structlog.get_logger("api.webhooks")

SIGNATURE_HEADER = "X-Vocalio-Signature"
TIMESTAMP_HEADER = "X-Vocalio-Timestamp"
EVENT_HEADER = "X-Vocalio-Event"
DELIVERY_HEADER = "X-Vocalio-Delivery"
MAX_BACKOFF_S = 3600.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<body>" (timestamp binds against replays)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, tolerance_s: float = 300) -> bool:
    if abs(time.time() - float(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def _allowed(host: str, addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address], allowlist: list[str]) -> bool:
    for entry in allowlist:
        if entry.lower() == host.lower():
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if addresses and all(address in network for address in addresses):
            return True
    return False


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


async def validate_callback_url(url: str, allowlist: list[str]) -> None:
    """Refuse non-http(s) URLs and targets that resolve to non-public addresses, unless allow-listed."""

    def refuse(reason: str) -> VocalioError:
        return VocalioError(ErrorCode.INVALID_CALLBACK_URL, f"callback_url refused: {reason}", {"url": url})

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise refuse("only http and https are allowed")
    if not parts.hostname:
        raise refuse("no host")
    if parts.username or parts.password:
        raise refuse("credentials in the URL are not allowed")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = await asyncio.to_thread(_resolve, parts.hostname, port)
    except (OSError, UnicodeError):
        raise refuse("host does not resolve") from None
    if _allowed(parts.hostname, addresses, allowlist):
        return
    blocked = [str(address) for address in addresses if not address.is_global]
    if blocked:
        raise refuse(f"{parts.hostname} resolves to non-public address {blocked[0]}")


def next_delay_s(attempts: int) -> float:
    base = min(MAX_BACKOFF_S, 2.0**attempts)
    return base * (0.8 + 0.4 * random.random())  # jitter so retries from many jobs spread out


def delivery_row(job_id: str, url: str, event_type: str, payload: dict[str, Any], now: datetime) -> WebhookDelivery:
    return WebhookDelivery(
        job_id=job_id, url=url, event_type=event_type, payload=payload, next_attempt_at=now, created_at=now
    )


async def _claim_due(state: AppState, limit: int = 20) -> list[WebhookDelivery]:
    """Claim due deliveries by pushing their next attempt past the lease, so replicas don't
    double-send; the claimed rows are sent at once, concurrently, well within the lease."""
    now = datetime.now(UTC)
    lease_until = now + timedelta(seconds=state.settings.webhook_timeout_s * 2 + 5)
    async with state.sessions() as session:
        due = (
            await session.exec(
                select(WebhookDelivery)
                .where(WebhookDelivery.status == "pending", col(WebhookDelivery.next_attempt_at) <= now)
                .order_by(col(WebhookDelivery.next_attempt_at))
                .limit(limit)
                .with_for_update(skip_locked=True)  # SQLite: no FOR UPDATE; BEGIN IMMEDIATE serializes
            )
        ).all()
        if due:
            await session.exec(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.id).in_([row.id for row in due]))
                .values(next_attempt_at=lease_until)
            )
        await session.commit()
    return list(due)


async def _send(state: AppState, row: WebhookDelivery) -> tuple[bool, int | None, str | None]:
    try:
        await validate_callback_url(row.url, state.settings.webhook_allowlist)
    except VocalioError as error:
        return False, None, error.message
    body = json.dumps(row.payload, separators=(",", ":"), default=str).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Vocalio-Webhooks/1",
        EVENT_HEADER: row.event_type,
        DELIVERY_HEADER: str(row.id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(state.settings.webhook_secret.get_secret_value(), timestamp, body),
    }
    try:
        response = await state.http.post(
            row.url, content=body, headers=headers, timeout=state.settings.webhook_timeout_s, follow_redirects=False
        )
    except httpx.HTTPError as error:
        return False, None, f"{type(error).__name__}: {error}"
    ok = 200 <= response.status_code < 300
    return ok, response.status_code, None if ok else f"HTTP {response.status_code}"


async def deliver_due(state: AppState) -> int:
    rows = await _claim_due(state)
    # concurrently: sent one after another, the last rows' lease could lapse before their turn
    await asyncio.gather(*(_attempt(state, row) for row in rows))
    return len(rows)


async def _attempt(state: AppState, row: WebhookDelivery) -> None:
    ok, status_code, error = await _send(state, row)
    now = datetime.now(UTC)
    async with state.sessions() as session:
        fresh = await session.get(WebhookDelivery, row.id)
        if fresh is None:
            return
        fresh.attempts += 1
        fresh.last_status_code = status_code
        fresh.last_error = error
        if ok:
            fresh.status, fresh.delivered_at = "delivered", now
            WEBHOOKS.labels(outcome="delivered").inc()
        elif fresh.attempts >= state.settings.webhook_max_attempts:
            fresh.status = "failed"
            WEBHOOKS.labels(outcome="gave_up").inc()
        else:
            fresh.next_attempt_at = now + timedelta(seconds=next_delay_s(fresh.attempts))
            WEBHOOKS.labels(outcome="retry").inc()
        session.add(fresh)
        await session.commit()
    log.info(
        "webhook attempt",
        job_id=row.job_id,
        delivery_id=row.id,
        ok=ok,
        status_code=status_code,
        error=error,
        attempt=row.attempts + 1,
    )
