"""Tenant isolation over the app's whole route table: a client key never sees, changes, downloads,
lists or infers another key's jobs, voices, books or usage (404, the same answer as for an id that
does not exist, never 403), and routes gated on a role refuse every lesser one.

The routes come from the app object itself (walking its included routers), each with the role its
dependencies demand, so a new route is swept as soon as it exists; a route this file cannot fill
(a new path parameter) fails the test until it is taught here.
"""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.routing import APIRoute
from vocalio_api.config import ApiSettings
from vocalio_api.main import create_app

from tests.e2e.hostile.conftest import client_for, create_key
from tests.e2e.ui.voice_clips import TRANSCRIPT, speechlike_wav
from tests.support.processes import ApiProcess

# The dependency that decides who may call a route, strongest first.
GATES = ("worker_auth", "admin_caller", "operator_caller", "caller_or_worker", "current_caller", "job_submitter")
OWNED_PARAMETERS = {"job_id", "book_id", "voice_id"}


@dataclass(frozen=True)
class RouteGate:
    method: str
    path: str  # the full template, as in the OpenAPI schema
    gate: str  # one of GATES, or "public"

    @property
    def parameters(self) -> set[str]:
        return set(re.findall(r"{(\w+)}", self.path))

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _dependency_names(dependant) -> set[str]:  # type: ignore[no-untyped-def]
    names: set[str] = set()
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            names.add(getattr(dependency.call, "__name__", ""))
        names |= _dependency_names(dependency)
    return names


def _walk(routes: list, prefix: str = "") -> Iterator[tuple[str, APIRoute]]:  # type: ignore[type-arg]
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):  # an included router (FastAPI keeps it whole)
            yield from _walk(route.original_router.routes, prefix + route.include_context.prefix)


def route_table() -> list[RouteGate]:
    app = create_app(ApiSettings(worker_token="iso-worker-token-0123", webhook_secret="iso-webhook-secret-0123"))
    table = []
    for path, route in _walk(app.router.routes):
        if not route.include_in_schema:
            continue
        names = _dependency_names(route.dependant)
        gate = next((name for name in GATES if name in names), "public")
        table.extend(RouteGate(method, path, gate) for method in sorted(route.methods - {"HEAD"}))
    return table


ROUTES = route_table()


@dataclass
class Tenants:
    api: ApiProcess
    keys: dict[str, str]  # role name -> key
    key_ids: dict[str, str]
    job_id: str
    book_id: str
    voice_id: str
    voice_name: str
    idempotency_key: str

    def client(self, who: str) -> httpx.Client:
        return client_for(self.api, self.keys[who])


@pytest.fixture(scope="module")
def tenants(hostile_api: ApiProcess) -> Tenants:
    """Client A owns a queued job (no worker runs), a private voice and a draft book; B, an operator
    and the admin are the others."""
    keys = {"admin": hostile_api.admin_key}
    keys |= {
        who: create_key(hostile_api, role, who)
        for who, role in [("a", "client"), ("b", "client"), ("operator", "operator")]
    }
    key_ids = {who: key.split("_")[1] for who, key in keys.items()}
    idempotency_key = f"iso-{uuid.uuid4()}"
    with client_for(hostile_api, keys["a"]) as a:
        job = a.post("/api/v1/jobs", json={"text": "Hola, soy de A."}, headers={"Idempotency-Key": idempotency_key})
        assert job.status_code == 202, job.text
        voice = a.post(
            "/api/v1/voices",
            data={"name": "Voz privada de A", "transcript": TRANSCRIPT, "consent": "true"},
            files={"file": ("a.wav", speechlike_wav(), "audio/wav")},
        )
        assert voice.status_code == 201, voice.text
        book = a.post(
            "/api/v1/books",
            json={"metadata": {"title": "Libro de A"}, "chapters": [{"title": "Uno", "text": "Érase una vez."}]},
        )
        assert book.status_code == 201, book.text
    return Tenants(
        hostile_api,
        keys,
        key_ids,
        job.json()["id"],
        book.json()["id"],
        voice.json()["id"],
        "Voz privada de A",
        idempotency_key,
    )


def _fill(route: RouteGate, values: dict[str, str]) -> str:
    missing = route.parameters - values.keys()
    assert not missing, f"{route}: teach test_isolation.py a value for {sorted(missing)}"
    return route.path.format(**{name: values[name] for name in route.parameters})


def _values(t: Tenants, owned: dict[str, str]) -> dict[str, str]:
    return {
        "chapter": "1",
        "index": "0",
        "key_id": t.key_ids["a"],
        "worker_id": "worker-iso",
        "region": "neutral",
        "key": "0" * 64,
        "model_id": "tts-1",
    } | owned


def _send(client: httpx.Client, method: str, url: str) -> httpx.Response:
    # Bodies are left out on purpose: a route that validates its body before its owner check would
    # answer 422 to everyone alike, which leaks nothing; the equality check below is what matters.
    return client.request(method, url, timeout=15, headers={"Accept": "application/json"})


def _answer(response: httpx.Response, owned_ids: list[str]) -> tuple[int, str, str]:
    """Status, error code and message with the ids in it blanked: what a caller can tell apart."""
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    error = body.get("error", {}) if isinstance(body, dict) else {}
    message = str(error.get("message", ""))
    for owned in owned_ids:
        message = message.replace(owned, "<id>")
    return response.status_code, str(error.get("code", "")), message


OWNED_ROUTES = [r for r in ROUTES if r.parameters & OWNED_PARAMETERS and r.gate != "worker_auth"]


@pytest.mark.parametrize("route", OWNED_ROUTES, ids=str)
def test_another_clients_resource_is_not_found_exactly_like_a_missing_one(tenants: Tenants, route: RouteGate) -> None:
    owned = {"job_id": tenants.job_id, "book_id": tenants.book_id, "voice_id": tenants.voice_id}
    missing = {name: str(uuid.uuid4()) for name in owned}
    with tenants.client("b") as b:
        theirs = _send(b, route.method, _fill(route, _values(tenants, owned)))
        nowhere = _send(b, route.method, _fill(route, _values(tenants, missing)))
    assert theirs.status_code != 403, f"{route}: 403 tells B the resource exists"
    if route.gate in ("caller_or_worker", "current_caller", "job_submitter"):
        assert theirs.status_code in (404, 422), f"{route}: B got {theirs.status_code} {theirs.text[:300]}"
    assert _answer(theirs, [*owned.values()]) == _answer(nowhere, [*missing.values()]), (
        f"{route}: B can tell A's resource from a missing one: {theirs.text[:300]} vs {nowhere.text[:300]}"
    )


LIST_ROUTES = [r for r in ROUTES if r.method == "GET" and not r.parameters and r.gate != "public"]


@pytest.mark.parametrize("route", [r for r in LIST_ROUTES if r.gate in ("current_caller", "caller_or_worker")], ids=str)
def test_lists_and_views_never_name_another_clients_things(tenants: Tenants, route: RouteGate) -> None:
    with tenants.client("b") as b:
        response = b.get(route.path, timeout=15)
    assert response.status_code < 500, response.text
    for name, owned in [
        ("job", tenants.job_id),
        ("book", tenants.book_id),
        ("voice", tenants.voice_id),
        ("voice name", tenants.voice_name),
        ("key id", tenants.key_ids["a"]),
        ("idempotency key", tenants.idempotency_key),
    ]:
        assert owned not in response.text, f"{route} shows B client A's {name}"


ROLE_GATED = [r for r in ROUTES if r.gate in ("worker_auth", "admin_caller", "operator_caller")]
REFUSED = {"worker_auth": ("b", "operator", "admin"), "admin_caller": ("b", "operator"), "operator_caller": ("b",)}


@pytest.mark.parametrize("route", ROLE_GATED, ids=str)
def test_role_gated_routes_refuse_every_lesser_key(tenants: Tenants, route: RouteGate) -> None:
    url = _fill(
        route, _values(tenants, {"job_id": tenants.job_id, "book_id": tenants.book_id, "voice_id": tenants.voice_id})
    )
    for who in REFUSED[route.gate]:
        with tenants.client(who) as client:
            response = _send(client, route.method, url)
        assert response.status_code == 403, f"{route} as {who}: {response.status_code} {response.text[:300]}"
        assert response.json()["error"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.gate != "public"], ids=str)
def test_every_gated_route_wants_a_key(tenants: Tenants, route: RouteGate) -> None:
    url = _fill(
        route, _values(tenants, {"job_id": tenants.job_id, "book_id": tenants.book_id, "voice_id": tenants.voice_id})
    )
    response = httpx.request(route.method, tenants.api.base_url + url, timeout=15)
    assert response.status_code == 401, f"{route} without a key: {response.status_code} {response.text[:300]}"
    forged = httpx.request(
        route.method,
        tenants.api.base_url + url,
        timeout=15,
        headers={"Authorization": f"Bearer vk_{tenants.key_ids['a']}_forged"},
    )
    assert forged.status_code in (401, 403), f"{route} with a forged key: {forged.status_code}"


def test_names_and_idempotency_keys_do_not_cross_keys(tenants: Tenants) -> None:
    """The indirect ways to learn of another key's things: naming its voice in a job (by id or by
    name, here and on /v1/audio/speech) and reusing its Idempotency-Key."""
    with tenants.client("b") as b:
        for reference in (tenants.voice_id, tenants.voice_name):
            theirs = b.post("/api/v1/jobs", json={"text": "Hola.", "voice": reference})
            nobody = b.post("/api/v1/jobs", json={"text": "Hola.", "voice": f"nadie-{uuid.uuid4()}"})
            assert theirs.status_code == nobody.status_code == 422, theirs.text
            assert theirs.json()["error"]["code"] == nobody.json()["error"]["code"] == "UNKNOWN_VOICE"
            speech = b.post("/v1/audio/speech", json={"model": "tts-1", "input": "Hola.", "voice": reference})
            assert speech.status_code == 400 and speech.json()["error"]["code"] == "UNKNOWN_VOICE", speech.text
        # The same Idempotency-Key with another body: B's own new job, not A's conflict or A's job.
        reuse = b.post(
            "/api/v1/jobs", json={"text": "Otro texto de B."}, headers={"Idempotency-Key": tenants.idempotency_key}
        )
        assert reuse.status_code == 202, reuse.text
        assert reuse.json()["id"] != tenants.job_id and reuse.headers.get("Idempotent-Replayed") is None
        me = b.get("/api/v1/me").json()
        assert me["id"] == tenants.key_ids["b"] and tenants.key_ids["a"] not in str(me)


def test_the_sweep_changed_nothing_of_a_and_others_with_the_right_role_see_it(tenants: Tenants) -> None:
    """Runs after the sweeps (file order): B's cancels, deletes, renders and patches did nothing,
    and the resources were there all along (so the 404s above were isolation, not absence)."""
    for who in ("a", "operator", "admin"):
        with tenants.client(who) as client:
            job = client.get(f"/api/v1/jobs/{tenants.job_id}")
            assert job.status_code == 200 and job.json()["status"] == "queued", (who, job.text)
            book = client.get(f"/api/v1/books/{tenants.book_id}")
            assert book.status_code == 200 and book.json()["status"] == "draft", (who, book.text)
            voice = client.get(f"/api/v1/voices/{tenants.voice_id}")
            assert voice.status_code == 200, (who, voice.text)
    with tenants.client("admin") as admin:
        usage = admin.get(f"/api/v1/keys/{tenants.key_ids['a']}/usage")
        assert usage.status_code == 200 and tenants.key_ids["a"] in usage.text


def test_the_route_table_is_the_served_schema() -> None:
    """The sweep's table and the OpenAPI schema name the same operations: nothing escapes it."""
    app = create_app(ApiSettings(worker_token="iso-worker-token-0123", webhook_secret="iso-webhook-secret-0123"))
    served = {f"{m.upper()} {p}" for p, item in app.openapi()["paths"].items() for m in item}
    assert {str(r) for r in ROUTES} == served
