"""A book pins its voice (reference by sha256) at its first render and keeps it; a new voice setting
pins anew and re-renders what it reaches. The pin reaches the worker on ChapterRender.voice_sha256."""

import hashlib

import httpx

from tests.e2e.api.test_voices import speechlike, upload, wav_bytes
from tests.e2e.books.flows import create_book, finish_chapter_job
from tests.e2e.books.test_book_api import job_ids, queued_spec, render


def voice(admin: httpx.Client, name: str, seed: int, region: str = "neutral") -> dict:
    response = upload(admin, wav_bytes(speechlike(seed=seed)), name=name, region=region)
    assert response.status_code == 201, response.text
    return response.json()


def pin_of(voice: dict) -> dict:
    return {
        "voice_id": voice["id"],
        "name": voice["name"],
        "sha256": voice["sha256"],
        "transcript_sha256": hashlib.sha256(voice["transcript"].encode()).hexdigest(),
    }


def test_the_voice_is_pinned_at_the_first_render_and_kept(
    admin: httpx.Client, worker_client: httpx.Client, redis_url: str
) -> None:
    lucia, marta = voice(admin, "Lucía", 1), voice(admin, "Marta", 2)
    book = create_book(admin, settings={"voice": "lucía", "seed": 7})
    url = f"/api/v1/books/{book['id']}"
    rendered = render(admin, book["id"])
    assert rendered["voice"] == pin_of(lucia)
    ids = job_ids(rendered)
    for job_id in ids:
        assert admin.get(f"/api/v1/jobs/{job_id}").json()["params"]["voice"] == lucia["id"]
        assert queued_spec(redis_url, job_id)["chapter"]["voice_sha256"] == lucia["sha256"]
        finish_chapter_job(worker_client, job_id)
    assert render(admin, book["id"], expected=200)["voice"] == pin_of(lucia)  # kept; nothing to do

    # One chapter in another voice: only that chapter renders again, with that voice's reference.
    override = admin.patch(f"{url}/chapters/2", json={"settings": {"voice": marta["id"]}}).json()
    assert [c["status"] for c in override["chapters"]] == ["succeeded", "draft", "succeeded"]
    new_ids = job_ids(render(admin, book["id"]))
    assert new_ids[0] == ids[0] and new_ids[2] == ids[2] and new_ids[1] not in ids
    assert queued_spec(redis_url, new_ids[1])["chapter"]["voice_sha256"] == marta["sha256"]
    finish_chapter_job(worker_client, new_ids[1])

    # The book's voice changed: a new pin, and every chapter in the book's voice renders again.
    admin.patch(url, json={"settings": {"voice": "Marta"}})
    again = render(admin, book["id"])
    assert again["voice"] == pin_of(marta)
    assert job_ids(again)[1] == new_ids[1]  # already in Marta's voice
    assert job_ids(again)[0] not in ids and job_ids(again)[2] not in ids


def test_without_a_voice_the_region_default_is_pinned_or_nothing(admin: httpx.Client, redis_url: str) -> None:
    bare = render(admin, create_book(admin)["id"])
    assert bare["voice"] == {"voice_id": None, "name": None, "sha256": None, "transcript_sha256": None}
    assert queued_spec(redis_url, job_ids(bare)[0])["chapter"]["voice_sha256"] is None  # the worker's fallback

    neutral = voice(admin, "Neutra", 3)
    assert admin.put("/api/v1/regions/neutral/default-voice", json={"voice_id": neutral["id"]}).status_code == 200
    pinned = render(admin, create_book(admin)["id"])
    assert pinned["voice"] == pin_of(neutral)
    unknown = create_book(admin, settings={"voice": "nadie"})
    refused = admin.post(f"/api/v1/books/{unknown['id']}/render")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "UNKNOWN_VOICE"
