"""VOCALIO_CA_BUNDLE: the worker verifies the API's (and the llm_bridge's) certificate against it.

A real HTTPS server on 127.0.0.1 with a certificate from a CA made here (as Caddy's local CA is
on the services host): the worker's clients reach it with the bundle, and are refused without it.
The whole path through the TLS proxy runs in the stack test (stack/stack_test.py, split layout).
"""

import datetime
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError
from vocalio_llm_bridge.client import ExpandClient
from vocalio_runtime.queue_pool import queue_settings
from vocalio_shared.schemas.workers import Heartbeat, WorkerState
from vocalio_worker.api_client import ApiClient, ApiUnavailableError
from vocalio_worker.config import WorkerConfig
from vocalio_worker.metrics import WorkerMetricsRegistry

TOKEN = "test-worker-token-0123456789"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _make_ca_and_server_cert(directory: Path) -> tuple[Path, Path, Path]:
    """(root.crt, server.crt, server.key): a self-signed root and a leaf for IP 127.0.0.1 signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test Local CA"))
        .issuer_name(_name("Test Local CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # key_cert_sign, crl_sign
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(ca_key, hashes.SHA256())
    )
    root, cert, key_file = directory / "root.crt", directory / "server.crt", directory / "server.key"
    root.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return root, cert, key_file


class _Handler(BaseHTTPRequestHandler):
    """Answers a heartbeat as the API would, and an expansion as the llm_bridge would."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path.endswith("/heartbeat"):
            body = {"next_interval_s": 7.0}
        else:
            body = {"text": "tres libros", "source": "rules", "changed": True, "warnings": []}
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(https://127.0.0.1:PORT, the CA bundle its certificate chains to)."""
    root, cert, key = _make_ca_and_server_cert(tmp_path_factory.mktemp("tls"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


def _config(monkeypatch: pytest.MonkeyPatch, api_url: str, ca_bundle: Path | None) -> WorkerConfig:
    monkeypatch.setenv("VOCALIO_WORKER_TOKEN", TOKEN)
    monkeypatch.setenv("VOCALIO_API_URL", api_url)
    if ca_bundle is None:
        monkeypatch.delenv("VOCALIO_CA_BUNDLE", raising=False)
    else:
        monkeypatch.setenv("VOCALIO_CA_BUNDLE", str(ca_bundle))
    return WorkerConfig()


def _api(config: WorkerConfig) -> ApiClient:
    return ApiClient(config.api_url, TOKEN, WorkerMetricsRegistry(), timeout_s=5, verify=config.http_verify)


async def test_with_the_ca_bundle_the_worker_reaches_the_api_over_https(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, root = tls_server
    config = _config(monkeypatch, url, root)
    api = _api(config)
    try:
        answer = await api.heartbeat("w1", Heartbeat(status=WorkerState.IDLE))
    finally:
        await api.aclose()
    assert answer.next_interval_s == 7.0
    async with ExpandClient(url, "bridge-token", timeout_s=5, verify=config.http_verify) as bridge:
        outcome = await bridge.expand("3 libros", None)
    assert not outcome.local and outcome.text == "tres libros"  # the bridge answered, not the local rules


async def test_without_the_ca_bundle_the_certificate_is_refused(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = tls_server
    config = _config(monkeypatch, url, None)
    assert config.http_verify is True  # the public roots, which do not hold the local CA
    api = _api(config)
    try:
        with pytest.raises(ApiUnavailableError) as raised:
            await api.heartbeat("w1", Heartbeat(status=WorkerState.IDLE))
    finally:
        await api.aclose()
    assert "CERTIFICATE_VERIFY_FAILED" in repr(raised.value.__cause__)
    async with ExpandClient(url, "bridge-token", timeout_s=5, verify=config.http_verify) as bridge:
        outcome = await bridge.expand("3 libros", None)
    assert outcome.local  # refused: the worker fell back to its own rules


def test_a_missing_or_broken_bundle_stops_the_worker_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="ca_bundle"):
        _config(monkeypatch, "https://10.0.0.10", tmp_path / "nowhere.crt")
    broken = tmp_path / "broken.crt"
    broken.write_text("not a certificate\n")
    with pytest.raises(ValidationError, match="PEM"):
        _config(monkeypatch, "https://10.0.0.10", broken)
    monkeypatch.setenv("VOCALIO_CA_BUNDLE", "")  # compose's `${VOCALIO_CA_BUNDLE:-}`: unset
    monkeypatch.setenv("VOCALIO_WORKER_TOKEN", TOKEN)
    assert WorkerConfig().ca_bundle is None


def test_pull_workers_need_no_redis_url_and_push_workers_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOCALIO_WORKER_TOKEN", TOKEN)
    monkeypatch.setenv("VOCALIO_REDIS_URL", "")  # compose.models.yaml's `${VOCALIO_REDIS_URL:-}`
    monkeypatch.setenv("VOCALIO_WORKER_MODE", "pull")
    assert WorkerConfig().redis_url == ""
    monkeypatch.setenv("VOCALIO_WORKER_MODE", "push")
    with pytest.raises(ValidationError, match="VOCALIO_REDIS_URL is required"):
        WorkerConfig()


def test_a_rediss_url_is_verified_against_the_bundle(tls_server: tuple[str, Path]) -> None:
    _, root = tls_server
    tls = queue_settings("rediss://:pw@10.0.0.10:6380/0", root)
    assert tls.ssl and tls.ssl_ca_certs == str(root) and tls.ssl_cert_reqs == "required"
    plain = queue_settings("redis://:pw@10.0.0.10:6379/0", root)
    assert not plain.ssl and plain.ssl_ca_certs is None
