"""API key material: generation, hashing, display. Only hashes are stored."""

import hashlib
import hmac
import secrets

KEY_PREFIX = "vk"


def new_key_id() -> str:
    return secrets.token_hex(6)


def new_api_key(key_id: str) -> str:
    """`vk_<id>_<secret>`: the id lets logs and the dashboard name a key without revealing it."""
    return f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def key_id_of(api_key: str) -> str | None:
    parts = api_key.split("_", 2)
    if len(parts) == 3 and parts[0] == KEY_PREFIX and parts[1]:
        return parts[1]
    return None


def tokens_equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
