import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from vocalio_api.webhooks import verify

from tests.e2e.api.flows import complete_job, submit


class Receiver:
    """A real HTTP server on loopback that records webhook calls; fails the first `fail_first`."""

    def __init__(self, fail_first: int = 0) -> None:
        self.calls: list[dict] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append({"headers": dict(self.headers), "body": body})
                status = 500 if len(receiver.calls) <= receiver.fail_first else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout_s: float = 15.0) -> None:
        import time

        deadline = time.monotonic() + timeout_s
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.calls) >= count, f"expected {count} webhook calls, got {len(self.calls)}"


@pytest.fixture
def receiver() -> Receiver:
    server = Receiver(fail_first=1)
    yield server
    server.server.shutdown()


def test_signed_webhook_is_delivered_and_retried(api_factory, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    api = api_factory({"VOCALIO_WEBHOOK_ALLOWLIST": '["127.0.0.1/32"]'})
    with (
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}) as admin,
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.worker_token}"}) as worker,
    ):
        job = submit(admin, callback_url=receiver.url)
        complete_job(worker, job["id"], b"audio" * 50)
        receiver.wait_for(2)  # first answer was a 500: retried with backoff
    call = receiver.calls[-1]
    headers = {k.lower(): v for k, v in call["headers"].items()}
    assert verify(api.webhook_secret, headers["x-vocalio-timestamp"], call["body"], headers["x-vocalio-signature"])
    assert not verify(
        "another-secret-0123456789", headers["x-vocalio-timestamp"], call["body"], headers["x-vocalio-signature"]
    )
    payload = json.loads(call["body"])
    assert payload["type"] == "job.succeeded" and payload["job"]["id"] == job["id"]
    assert headers["x-vocalio-event"] == "job.succeeded"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/hook",
        "http://[::1]/hook",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http://user:pw@example.com/",
    ],
)
def test_ssrf_targets_are_refused_and_nothing_is_stored(admin: httpx.Client, url: str) -> None:
    response = admin.post("/api/v1/jobs", json={"text": "Hola", "callback_url": url})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "INVALID_CALLBACK_URL"
    assert admin.get("/api/v1/jobs").json()["items"] == []
