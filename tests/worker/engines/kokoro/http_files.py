"""A real HTTP server on loopback serving a folder, counting requests (the Kokoro release stand-in)."""

import functools
import hashlib
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class FileServer:
    url: str
    root: Path
    requests: Counter[str] = field(default_factory=Counter)


@contextmanager
def serve_folder(root: Path) -> Iterator[FileServer]:
    server_state = FileServer(url="", root=root)

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            server_state.requests[self.path.lstrip("/")] += 1
            super().do_GET()

        def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    server_state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()


def pin_table(path: Path) -> str:
    """`file`, `url`, `size_bytes`, `sha256` lines for an assets TOML table pinning `path`."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return (
        f'file = "{path.name}"\nurl = "http://invalid.example/{path.name}"\n'
        f'size_bytes = {path.stat().st_size}\nsha256 = "{digest}"\n'
    )


def assets_file(target: Path, model: Path, voices: Path, extra: str = "") -> Path:
    target.write_text(f"[models.int8]\n{pin_table(model)}\n[voices]\n{pin_table(voices)}\n{extra}", encoding="utf-8")
    return target
