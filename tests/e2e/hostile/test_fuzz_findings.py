"""What fuzzing found, kept as plain cases: each was a 500 (or a 4xx labelled INTERNAL_ERROR)
before its fix, and the fuzz budget in CI is too small to be sure to meet it again."""

import httpx
import pytest

from tests.support.processes import ApiProcess


@pytest.fixture
def admin(hostile_api: ApiProcess) -> httpx.Client:
    return httpx.Client(
        base_url=hostile_api.base_url, headers={"Authorization": f"Bearer {hostile_api.admin_key}"}, timeout=15
    )


def _code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


def test_an_empty_idempotency_key_is_refused_not_stored(admin: httpx.Client) -> None:
    """Was: the first stored '' as its key, the second hit the unique index (500)."""
    for path, body in [
        ("/api/v1/jobs", {"text": "Hola."}),
        ("/api/v1/books", {"metadata": {"title": "T"}, "chapters": [{"title": "Uno", "text": "Hola."}]}),
    ]:
        for _ in range(2):
            response = admin.post(path, json=body, headers={"Idempotency-Key": ""})
            assert response.status_code == 422 and _code(response) == "VALIDATION_ERROR", response.text


def test_a_json_body_that_is_not_utf8_is_a_validation_error(admin: httpx.Client) -> None:
    """Was: 400 with code INTERNAL_ERROR, category INTERNAL, severity HIGH."""
    headers = {"Content-Type": "application/json"}
    response = admin.post("/api/v1/preview", content=b"\x80", headers=headers)
    assert response.status_code == 422 and _code(response) == "VALIDATION_ERROR", response.text
    assert response.json()["error"]["context"]["fields"][0]["field"] == "body"
    openai = admin.post("/v1/audio/speech", content=b"\x80", headers=headers)
    assert openai.status_code == 400 and openai.json()["error"]["code"] == "VALIDATION_ERROR", openai.text


def test_a_resume_point_past_any_integer_is_a_validation_error(admin: httpx.Client) -> None:
    """Was: OverflowError in the SQLite query (500), and a broken chunked stream on /events."""
    job = admin.post("/api/v1/jobs", json={"text": "Hola."}).json()["id"]
    book = admin.post(
        "/api/v1/books", json={"metadata": {"title": "T"}, "chapters": [{"title": "Uno", "text": "Hola."}]}
    ).json()["id"]
    for path in (f"/api/v1/jobs/{job}/events", f"/api/v1/books/{book}/events"):
        for suffix in ("/history", ""):
            response = admin.get(f"{path}{suffix}", params={"after": str(2**64)})
            assert response.status_code == 422 and _code(response) == "VALIDATION_ERROR", response.text
    # The header is not validated: a resume point past the end is the end, not an error.
    history = admin.get(f"/api/v1/jobs/{job}/events/history", params={"after": str(2**63 - 1)})
    assert history.status_code == 200


@pytest.mark.parametrize("text", ["\x17 hola", "Érase\x00una vez", "...!!!", "— — —"])
def test_a_chapter_that_says_nothing_is_refused_at_upload_not_at_render(admin: httpx.Client, text: str) -> None:
    """Was: accepted as a draft; POST /render then failed building the chapter's job (500) with the
    book left half-rendered."""
    body = {"metadata": {"title": "T"}, "chapters": [{"title": "Uno", "text": text}]}
    response = admin.post("/api/v1/books", json=body)
    assert response.status_code == 422 and _code(response) == "VALIDATION_ERROR", response.text
    good = admin.post("/api/v1/books", json=body | {"chapters": [{"title": "Uno", "text": "Hola."}]}).json()
    patch = admin.patch(f"/api/v1/books/{good['id']}/chapters/1", json={"text": text})
    assert patch.status_code == 422 and _code(patch) == "VALIDATION_ERROR", patch.text


def test_a_chapter_lexicon_override_renders(admin: httpx.Client) -> None:
    """Was: the chapter's overrides were merged without validation, the lexicon stayed plain dicts
    and every view of the book failed (500)."""
    lexicon = [{"term": "Vocalio", "say": "bo ca lio"}]
    chapter = {"title": "Uno", "text": "Hola, Vocalio.", "settings": {"lexicon": lexicon, "speed": 1.2}}
    created = admin.post("/api/v1/books", json={"metadata": {"title": "T"}, "chapters": [chapter]})
    assert created.status_code == 201, created.text
    book_id = created.json()["id"]
    assert admin.get(f"/api/v1/books/{book_id}").status_code == 200
    render = admin.post(f"/api/v1/books/{book_id}/render")
    assert render.status_code in (200, 202), render.text
    job_id = render.json()["chapters"][0]["job_id"]
    job = admin.get(f"/api/v1/jobs/{job_id}").json()
    assert job["params"]["lexicon"] == lexicon and job["params"]["speed"] == 1.2
