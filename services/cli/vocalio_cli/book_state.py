"""The state file that makes `vocalio book render` resumable: `<output>.vocalio.json`, next to the
audiobook it will become. It names the book on the server (book id, API URL) and what it was made
from (the source's sha256), plus the Idempotency-Key of the upload: written BEFORE the upload, so a
crash between the upload and writing the id leaves a key that the API answers with the same book.
"""

import hashlib
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

STATE_SUFFIX = ".vocalio.json"
STATE_VERSION = 1


@dataclass
class BookState:
    api_url: str
    source: str
    source_sha256: str
    idempotency_key: str = field(default_factory=lambda: f"vocalio-cli-book-{uuid.uuid4()}")
    book_id: str | None = None
    version: int = STATE_VERSION

    def matches(self, api_url: str, source_sha256: str) -> bool:
        return self.api_url == api_url and self.source_sha256 == source_sha256


def state_path(output: Path) -> Path:
    return output.with_name(output.name + STATE_SUFFIX)


def load_state(output: Path) -> BookState | None:
    """The state of an earlier run for this output; None when there is none or it is unreadable."""
    path = state_path(output)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return BookState(**{name: raw[name] for name in BookState.__dataclass_fields__ if name in raw})
    except (OSError, ValueError, TypeError):
        return None


def save_state(output: Path, state: BookState) -> None:
    """Written to a temporary file and renamed over: a crash never leaves half a state file."""
    path = state_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(json.dumps(asdict(state), indent=2) + "\n", encoding="utf-8")
    os.replace(scratch, path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
