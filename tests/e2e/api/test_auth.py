import os
import stat
import time

import httpx

from tests.e2e.api.conftest import new_key


def test_requests_without_a_key_get_401(api) -> None:  # type: ignore[no-untyped-def]
    response = httpx.post(f"{api.base_url}/api/v1/jobs", json={"text": "hola"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    bad = httpx.get(f"{api.base_url}/api/v1/jobs", headers={"Authorization": "Bearer vk_nope_nope"})
    assert bad.status_code == 401


def test_first_start_writes_the_admin_key_with_mode_0600(api) -> None:  # type: ignore[no-untyped-def]
    key_file = api.data_dir / "admin-key.txt"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert api.admin_key in api.logs()  # printed once at first start
    api.restart()
    assert api.logs().count(api.admin_key) == 1  # not again


def test_non_admins_get_403_on_admin_routes(api, admin: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    client_key = new_key(admin, "client")
    operator_key = new_key(admin, "operator")
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {client_key}"}) as client:
        for method, path in [("GET", "/api/v1/keys"), ("POST", "/api/v1/keys"), ("GET", "/api/v1/workers")]:
            response = client.request(method, path, json={"name": "x"} if method == "POST" else None)
            assert response.status_code == 403, (method, path)
            assert response.json()["error"]["code"] == "FORBIDDEN"
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {operator_key}"}) as operator:
        assert operator.get("/api/v1/workers").status_code == 200
        assert operator.get("/api/v1/keys").status_code == 403
    # worker routes want the worker token, not an API key
    assert admin.post("/api/v1/workers", json={}).status_code == 403


def test_rate_limit_answers_429_with_retry_after(api, admin: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    limited = new_key(admin, rate_requests_per_min=3)
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {limited}"}) as client:
        codes = [client.get("/api/v1/jobs").status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        refused = client.get("/api/v1/jobs")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert refused.json()["error"]["retry_suggested"] is True


def test_daily_character_quota(api, admin: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    limited = new_key(admin, rate_chars_per_day=20)
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {limited}"}) as client:
        assert client.post("/api/v1/jobs", json={"text": "a" * 15}).status_code == 202
        refused = client.post("/api/v1/jobs", json={"text": "b" * 10})
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "QUOTA_EXCEEDED"
        assert int(refused.headers["Retry-After"]) > 0
        assert client.post("/api/v1/jobs", json={"text": "c" * 5}).status_code == 202  # refusal counted nothing


def test_revoked_key_is_refused_at_once_even_when_cached(api, admin: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    key = new_key(admin)
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {key}"}) as client:
        assert client.get("/api/v1/me").status_code == 200  # now cached in Redis
        key_id = client.get("/api/v1/me").json()["id"]
        assert admin.post(f"/api/v1/keys/{key_id}/revoke").json()["revoked_at"]
        assert client.get("/api/v1/me").status_code == 401
    listed = {item["id"]: item for item in admin.get("/api/v1/keys").json()["items"]}
    assert listed[key_id]["revoked_at"] and "key" not in listed[key_id] and "key_hash" not in listed[key_id]


def test_usage_is_recorded_per_key(api, admin: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    key = new_key(admin)
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {key}"}) as client:
        key_id = client.get("/api/v1/me").json()["id"]
        client.post("/api/v1/jobs", json={"text": "Buenos días"})
        client.post("/api/v1/jobs", json={"text": "Hola"})
    usage = admin.get(f"/api/v1/keys/{key_id}/usage").json()
    assert usage["total_jobs"] == 2 and usage["total_characters"] == len("Buenos días") + len("Hola")
    assert usage["days"][0]["day"] == time.strftime("%Y-%m-%d", time.gmtime())
