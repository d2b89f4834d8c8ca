"""A stand-in Ollama: the parts of its REST API the bridge uses, served over real HTTP.

/api/chat (non-streaming), /api/generate, /api/tags, /api/pull (NDJSON progress stream), 404 for a
model it does not have, and knobs for slow, failing and malformed answers. Tests drive it through the
bridge, which talks to it with the official `ollama` client, so the wire format must match Ollama's.
"""

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from vocalio_cli.embedded_redis import free_port

MODEL = "vocalio-test:latest"


def _user_text(body: dict[str, Any]) -> str:
    users = [m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"]
    return users[-1] if users else str(body.get("prompt", ""))


@dataclass
class DoubleState:
    models: set[str] = field(default_factory=lambda: {MODEL})
    # What the model "writes": a function of the user text. Default echoes it (passes the guard).
    rewrite: Callable[[str], str] = lambda text: text
    # When set, replaces the message content verbatim (to send content that is not the JSON asked for).
    raw_content: str | None = None
    # When set, replaces the whole HTTP body (to send something that is not a chat answer at all).
    raw_body: str | None = None
    fail_status: int | None = None
    delay_s: float = 0.0
    pull_steps: int = 5
    chat_requests: list[dict[str, Any]] = field(default_factory=list)
    pull_requests: list[dict[str, Any]] = field(default_factory=list)

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


def _model_missing(name: str) -> JSONResponse:
    return JSONResponse({"error": f'model "{name}" not found, try pulling it first'}, status_code=404)


def _has(state: DoubleState, name: str) -> bool:
    return name in state.models or f"{name}:latest" in state.models


def build_app(state: DoubleState) -> FastAPI:
    app = FastAPI()

    async def _answer(body: dict[str, Any], kind: str) -> Response:
        state.chat_requests.append(body)
        if state.delay_s:
            await asyncio.sleep(state.delay_s)
        if state.fail_status:
            return JSONResponse({"error": "model runner crashed"}, status_code=state.fail_status)
        if not _has(state, body.get("model", "")):
            return _model_missing(body.get("model", ""))
        if state.raw_body is not None:
            return PlainTextResponse(state.raw_body, media_type="application/json")
        content = state.raw_content
        if content is None:
            content = json.dumps({"text": state.rewrite(_user_text(body))}, ensure_ascii=False)
        done = {
            "model": body["model"],
            "created_at": "2024-01-01T00:00:00Z",
            "done": True,
            "done_reason": "stop",
            "total_duration": 1000,
            "eval_count": 10,
        }
        if kind == "chat":
            return JSONResponse({**done, "message": {"role": "assistant", "content": content}})
        return JSONResponse({**done, "response": content})

    @app.post("/api/chat")
    async def chat(request: Request) -> Response:
        return await _answer(await request.json(), "chat")

    @app.post("/api/generate")
    async def generate(request: Request) -> Response:
        return await _answer(await request.json(), "generate")

    @app.get("/api/tags")
    async def tags() -> dict[str, Any]:
        return {
            "models": [
                {
                    "name": name,
                    "model": name,
                    "modified_at": "2024-01-01T00:00:00Z",
                    "size": 1_000_000,
                    "digest": "0" * 64,
                    "details": {
                        "format": "gguf",
                        "family": "test",
                        "parameter_size": "1B",
                        "quantization_level": "Q4_0",
                    },
                }
                for name in sorted(state.models)
            ]
        }

    @app.post("/api/pull")
    async def pull(request: Request) -> Response:
        body = await request.json()
        state.pull_requests.append(body)
        name = body.get("model") or body.get("name") or ""

        async def progress() -> AsyncIterator[bytes]:
            yield b'{"status":"pulling manifest"}\n'
            total = 1000
            for step in range(1, state.pull_steps + 1):
                await asyncio.sleep(0.01)
                line = {
                    "status": "pulling 0123abcd",
                    "digest": "sha256:0123abcd",
                    "total": total,
                    "completed": total * step // state.pull_steps,
                }
                yield (json.dumps(line) + "\n").encode()
            yield b'{"status":"verifying sha256 digest"}\n'
            state.models.add(name if ":" in name else f"{name}:latest")
            yield b'{"status":"success"}\n'

        if body.get("stream") is False:
            async for _ in progress():
                pass
            return JSONResponse({"status": "success"})
        return StreamingResponse(progress(), media_type="application/x-ndjson")

    return app


class ServerThread:
    """Any ASGI app on a free loopback port, served by uvicorn in a daemon thread."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 10.0) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on port {self.port} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class OllamaDouble(ServerThread):
    def __init__(self, port: int | None = None) -> None:
        self.state = DoubleState()
        super().__init__(build_app(self.state), port=port)
