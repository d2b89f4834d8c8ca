import httpx


def test_api_starts_and_accepts_a_job(api, admin: httpx.Client) -> None:
    assert httpx.get(f"{api.base_url}/health").json() == {"status": "ok"}
    response = admin.post("/api/v1/jobs", json={"text": "Hola, mundo."})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["status"] == "queued"
    assert admin.get(job["links"]["self"]).json()["id"] == job["id"]
