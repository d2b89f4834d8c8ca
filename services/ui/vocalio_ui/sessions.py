"""Server-side sessions: the browser holds only a signed random id, never the API key.

The key stays in this process's memory, so a stolen cookie is the only thing that can be replayed
and it dies with `ui_session_ttl_s`, sign-out or a dashboard restart (operators sign in again).
Every visitor, signed in or not, gets a session so the sign-in form is CSRF-protected too.
"""

import hmac
import secrets
import time
from dataclasses import dataclass, field

from itsdangerous import BadSignature, TimestampSigner

COOKIE_NAME = "vocalio_session"
# Anonymous sessions are cheap to create; cap them so a crawler cannot grow memory without bound.
MAX_SESSIONS = 10_000


@dataclass
class Session:
    id: str
    csrf_token: str
    expires_at: float
    api_key: str | None = None
    key_id: str | None = None
    key_name: str | None = None
    role: str | None = None
    flash: list[str] = field(default_factory=list)

    @property
    def signed_in(self) -> bool:
        return self.api_key is not None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token, token or "")


class SessionStore:
    def __init__(self, secret: str, ttl_s: int) -> None:
        self._signer = TimestampSigner(secret, salt="vocalio-ui-session")
        self._ttl_s = ttl_s
        self._sessions: dict[str, Session] = {}

    def new(self) -> Session:
        self._prune()
        session = Session(
            id=secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(32), expires_at=time.time() + self._ttl_s
        )
        self._sessions[session.id] = session
        return session

    def from_cookie(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            session_id = self._signer.unsign(cookie, max_age=self._ttl_s).decode()
        except BadSignature:
            return None
        session = self._sessions.get(session_id)
        if session is None or session.expires_at < time.time():
            self._sessions.pop(session_id, None)
            return None
        return session

    def cookie_value(self, session: Session) -> str:
        return self._signer.sign(session.id).decode()

    def sign_in(self, old: Session, api_key: str, key_id: str, key_name: str, role: str) -> Session:
        """A fresh id and CSRF token at sign-in, so a session id planted before sign-in is worthless."""
        self.drop(old)
        session = self.new()
        session.api_key, session.key_id, session.key_name, session.role = api_key, key_id, key_name, role
        return session

    def drop(self, session: Session) -> None:
        self._sessions.pop(session.id, None)

    def _prune(self) -> None:
        now = time.time()
        for session_id in [sid for sid, s in self._sessions.items() if s.expires_at < now]:
            del self._sessions[session_id]
        while len(self._sessions) >= MAX_SESSIONS:  # oldest first: dicts keep insertion order
            anonymous = next((sid for sid, s in self._sessions.items() if not s.signed_in), None)
            del self._sessions[anonymous or next(iter(self._sessions))]

    @property
    def ttl_s(self) -> int:
        return self._ttl_s
