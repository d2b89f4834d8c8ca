"""The book resource over HTTP against a real API process (SQLite, real Redis): structure, edits,
rendering as bulk-lane chapter jobs, status aggregation from the chapter jobs, controls, files."""

import json

import httpx
import redis
from vocalio_shared.errors import ErrorCode, error_detail
from vocalio_shared.queue import ARQ_JOB_KEY_PREFIX

from tests.e2e.api.conftest import new_key
from tests.e2e.api.flows import post_status
from tests.e2e.books.flows import CHAPTERS, chapter_payload, create_book, finish_chapter_job


def render(client: httpx.Client, book_id: str, expected: int = 202) -> dict:
    response = client.post(f"/api/v1/books/{book_id}/render")
    assert response.status_code == expected, response.text
    return response.json()


def job_ids(book: dict) -> list[str | None]:
    return [chapter["job_id"] for chapter in book["chapters"]]


def queued_spec(redis_url: str, job_id: str) -> dict:
    """The payload a worker would receive from the queue (JSON: vocalio_shared.queue.serialize_job)."""
    client = redis.Redis.from_url(redis_url)
    try:
        raw = client.get(ARQ_JOB_KEY_PREFIX + job_id)
    finally:
        client.close()
    assert raw is not None, "the chapter job is not on the queue"
    return json.loads(raw)["a"][0]


def test_a_json_book_is_stored_as_a_draft_with_its_structure(admin: httpx.Client) -> None:
    book = create_book(admin, settings={"voice": "espeak:es", "speed": 1.1})
    assert book["status"] == "draft" and book["progress"] == 0
    assert book["source_format"] == "json" and book["excluded"] == []
    assert [(c["number"], c["title"], c["status"]) for c in book["chapters"]] == [
        (1, "Capítulo 1", "draft"),
        (2, "Capítulo 2", "draft"),
        (3, "Capítulo 3", "draft"),
    ]
    assert book["text_chars"] == sum(len(c["text"]) for c in CHAPTERS)
    assert book["audio_minutes_done"] == 0 and book["audio_minutes_estimated"] > 0
    assert book["metadata"]["authors"] == ["Ana Pérez"] and book["metadata"]["language"] == "es"
    assert book["settings"]["speed"] == 1.1 and book["voice"] is None and book["seed"] is None
    assert book["links"]["render"] == f"/api/v1/books/{book['id']}/render"

    fetched = admin.get(f"/api/v1/books/{book['id']}").json()
    assert fetched["chapters"] == book["chapters"]
    assert book["id"] in [item["id"] for item in admin.get("/api/v1/books").json()["items"]]
    events = admin.get(f"/api/v1/books/{book['id']}/events/history").json()
    assert [(e["seq"], e["type"], e["status"]) for e in events] == [(1, "book.created", "draft")]


def test_render_puts_one_bulk_chapter_job_per_chapter_on_the_queue(admin: httpx.Client, redis_url: str) -> None:
    book = create_book(admin, settings={"voice": "espeak:es", "seed": 1234, "nfe_step": 24})
    rendered = render(admin, book["id"])
    assert rendered["status"] == "queued"
    assert rendered["voice"]["voice_id"] == "espeak:es" and rendered["seed"] == 1234
    ids = job_ids(rendered)
    assert all(ids) and len(set(ids)) == 3
    for number, (chapter, job_id) in enumerate(zip(rendered["chapters"], ids, strict=True), start=1):
        assert chapter["status"] == "queued"
        job = admin.get(f"/api/v1/jobs/{job_id}").json()
        assert job["priority"] == "bulk" and job["text"] == CHAPTERS[number - 1]["text"]
        assert job["params"]["output_format"] == "flac" and job["params"]["sample_rate"] == 44100
        assert job["params"]["voice"] == "espeak:es" and job["params"]["nfe_step"] == 24
        assert job["metadata"] == {"book_id": book["id"], "chapter_id": chapter["id"], "chapter_number": number}
        spec = queued_spec(redis_url, job_id)
        assert spec["priority"] == "bulk"
        assert spec["chapter"] == {
            "book_id": book["id"],
            "chapter_id": chapter["id"],
            "title": chapter["title"],
            "book_seed": 1234,
            "voice_sha256": None,
            "mastering_preset": "acx",  # the book's default preset
            "redraw_from": {},
        }
    # A render while nothing changed makes no job.
    again = render(admin, book["id"])
    assert job_ids(again) == ids


def test_status_progress_and_files_come_from_the_chapter_jobs(admin: httpx.Client, worker_client: httpx.Client) -> None:
    book = create_book(admin, settings={"voice": "espeak:es"})
    ids = job_ids(render(admin, book["id"]))
    url = f"/api/v1/books/{book['id']}"

    assert post_status(worker_client, ids[0], "synthesizing", progress=40).json()["accepted"]
    live = admin.get(url).json()
    assert live["status"] == "synthesizing"
    assert [c["status"] for c in live["chapters"]] == ["synthesizing", "queued", "queued"]
    assert live["chapters"][0]["progress"] == 40 and 0 < live["progress"] < 40

    payload = finish_chapter_job(worker_client, ids[0], synthesized=2, duration_s=4.0)
    partial = admin.get(url).json()
    first = partial["chapters"][0]
    assert first["status"] == "succeeded" and first["progress"] == 100 and first["duration_s"] == 4.0
    assert first["sentences"] == 2 and first["sentences_synthesized"] == 2 and first["start_s"] == 0
    assert partial["status"] == "queued" and partial["audio_minutes_done"] == round(4.0 / 60, 2)

    # A finished chapter can be listened to while the rest renders, with Range.
    audio = admin.get(first["audio_url"])
    assert audio.status_code == 200 and audio.content == payload
    assert audio.headers["content-type"] == "audio/flac"
    part = admin.get(first["audio_url"], headers={"Range": "bytes=4-19"})
    assert part.status_code == 206 and part.content == payload[4:20]
    assert part.headers["content-range"] == f"bytes 4-19/{len(payload)}"
    not_yet = admin.get(f"{url}/chapters/2/audio")
    assert not_yet.status_code == 409 and not_yet.json()["error"]["code"] == "AUDIO_NOT_READY"
    captions = admin.get(first["captions_url"], params={"format": "srt"})
    assert captions.status_code == 200
    assert captions.text.startswith("1\n00:00:00,000 --> 00:00:01,500\nCapítulo 1\n")
    assert "Era una mañana fría." in captions.text
    # (delivery formats of real masters: test_book_files; these masters are stand-in bytes)
    assert admin.get(f"{url}/chapters/2/audio", params={"format": "mp3"}).status_code == 409

    finish_chapter_job(worker_client, ids[1], synthesized=1, cached=1, duration_s=3.0)
    error = error_detail(ErrorCode.SYNTHESIS_FAILED, "boom").model_dump(mode="json")
    assert post_status(worker_client, ids[2], "failed", error=error).json()["accepted"]
    failed = admin.get(url).json()
    assert failed["status"] == "failed" and failed["chapters"][2]["error"]["code"] == "SYNTHESIS_FAILED"
    assert failed["chapters"][1]["start_s"] == 4.0 and failed["chapters"][1]["sentences_cached"] == 1

    # A failed chapter is rendered again by render; the finished ones keep their jobs.
    retried = render(admin, book["id"])
    assert job_ids(retried)[:2] == ids[:2] and job_ids(retried)[2] != ids[2]
    finish_chapter_job(worker_client, job_ids(retried)[2], duration_s=5.0)
    done = admin.get(url).json()
    assert done["status"] == "succeeded" and done["progress"] == 100 and done["finished_at"] is not None
    assert [c["start_s"] for c in done["chapters"]] == [0.0, 4.0, 7.0]
    assert done["audio_minutes_done"] == done["audio_minutes_estimated"] == round(12.0 / 60, 2)
    assert done["chapters"][2]["sentences_synthesized"] == 2  # the failed job reported none


def test_editing_one_chapter_rerenders_only_that_chapter(admin: httpx.Client, worker_client: httpx.Client) -> None:
    book = create_book(admin, settings={"voice": "espeak:es"})
    ids = job_ids(render(admin, book["id"]))
    for job_id in ids:
        finish_chapter_job(worker_client, job_id)
    url = f"/api/v1/books/{book['id']}"
    assert admin.get(url).json()["status"] == "succeeded"

    edited = admin.patch(f"{url}/chapters/2", json={"text": "Nadie sabía su nombre. Llegó con una maleta."})
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "draft"
    assert [c["status"] for c in edited.json()["chapters"]] == ["succeeded", "draft", "succeeded"]

    rerendered = render(admin, book["id"])
    new_ids = job_ids(rerendered)
    assert new_ids[0] == ids[0] and new_ids[2] == ids[2] and new_ids[1] not in ids
    job = admin.get(f"/api/v1/jobs/{new_ids[1]}").json()
    assert job["text"] == "Nadie sabía su nombre. Llegó con una maleta."
    finish_chapter_job(worker_client, new_ids[1])
    assert admin.get(url).json()["status"] == "succeeded"

    # Settings that change the audio mark the chapters they reach: a chapter override only its own.
    override = admin.patch(f"{url}/chapters/3", json={"settings": {"speed": 1.3}})
    assert [c["status"] for c in override.json()["chapters"]] == ["succeeded", "succeeded", "draft"]
    assert override.json()["chapters"][2]["settings"]["speed"] == 1.3
    assert admin.get(f"/api/v1/jobs/{job_ids(render(admin, book['id']))[2]}").json()["params"]["speed"] == 1.3
    # Metadata does not change the audio: nothing to render.
    tagged = admin.patch(url, json={"metadata": {"narrator": "Voz sintética", "genre": "Novela"}})
    assert tagged.status_code == 200 and tagged.json()["metadata"]["narrator"] == "Voz sintética"
    assert tagged.json()["metadata"]["title"] == "El reloj parado"
    assert [c["status"] for c in tagged.json()["chapters"]][:2] == ["succeeded", "succeeded"]
    # A book-level setting reaches every chapter.
    slower = admin.patch(url, json={"settings": {"speed": 0.9}})
    assert slower.json()["settings"]["speed"] == 0.9 and slower.json()["settings"]["voice"] == "espeak:es"
    assert [c["status"] for c in slower.json()["chapters"]][:2] == ["draft", "draft"]
    bad = admin.patch(url, json={"settings": {"speed": 9}})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "VALIDATION_ERROR"


def test_set_aside_chapters_move_in_and_out_and_numbers_follow(admin: httpx.Client) -> None:
    book = create_book(admin)
    url = f"/api/v1/books/{book['id']}"
    second = book["chapters"][1]
    out = admin.patch(f"{url}/chapters/2", json={"included": False}).json()
    assert [(c["number"], c["title"]) for c in out["chapters"]] == [(1, "Capítulo 1"), (2, "Capítulo 3")]
    assert [(c["id"], c["number"], c["included"]) for c in out["excluded"]] == [(second["id"], None, False)]
    assert out["text_chars"] == book["text_chars"] - second["text_chars"]
    back = admin.patch(f"{url}/chapters/{second['id']}", json={"included": True}).json()
    assert [c["title"] for c in back["chapters"]] == [c["title"] for c in CHAPTERS] and back["excluded"] == []
    missing = admin.patch(f"{url}/chapters/9", json={"title": "X"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "CHAPTER_NOT_FOUND"
    for number in (1, 2):
        admin.patch(f"{url}/chapters/{number}", json={"included": False})
    last = admin.patch(f"{url}/chapters/1", json={"included": False})
    assert last.status_code == 422 and last.json()["error"]["code"] == "BOOK_EMPTY"


def test_pause_resume_and_cancel_act_on_the_chapter_jobs(admin: httpx.Client, worker_client: httpx.Client) -> None:
    book = create_book(admin, settings={"voice": "espeak:es"})
    url = f"/api/v1/books/{book['id']}"
    ids = job_ids(render(admin, book["id"]))
    finish_chapter_job(worker_client, ids[0])
    assert post_status(worker_client, ids[1], "synthesizing", progress=30).json()["accepted"]

    paused = admin.post(f"{url}/pause")
    assert paused.status_code == 202, paused.text
    # The queued chapter left the queue; the running one stops at its next sentence.
    assert admin.get(f"/api/v1/jobs/{ids[2]}").json()["status"] == "cancelled"
    running = admin.get(f"/api/v1/jobs/{ids[1]}").json()
    assert running["status"] == "synthesizing" and running["cancel_requested"] is True
    assert paused.json()["status"] == "synthesizing"
    assert post_status(worker_client, ids[1], "cancelled", progress=30).json()["accepted"]
    now_paused = admin.get(url).json()
    assert now_paused["status"] == "paused"
    assert [c["status"] for c in now_paused["chapters"]] == ["succeeded", "paused", "paused"]
    again = admin.post(f"{url}/pause")
    assert again.status_code == 409 and again.json()["error"]["code"] == "INVALID_STATE"

    resumed = admin.post(f"{url}/resume")
    assert resumed.status_code == 202 and resumed.json()["status"] == "queued"
    new_ids = job_ids(resumed.json())
    assert new_ids[0] == ids[0] and new_ids[1] not in ids and new_ids[2] not in ids
    not_paused = admin.post(f"{url}/resume")
    assert not_paused.status_code == 409 and not_paused.json()["error"]["code"] == "INVALID_STATE"

    cancelled = admin.post(f"{url}/cancel")
    assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelled"
    assert all(admin.get(f"/api/v1/jobs/{j}").json()["status"] == "cancelled" for j in new_ids[1:])
    twice = admin.post(f"{url}/cancel")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "INVALID_STATE"
    draft = create_book(admin)
    assert admin.post(f"/api/v1/books/{draft['id']}/pause").status_code == 409

    # A cancelled book renders again: only what is not done.
    restarted = render(admin, book["id"])
    assert restarted["status"] == "queued" and job_ids(restarted)[0] == ids[0]
    types = [e["type"] for e in admin.get(f"{url}/events/history").json()]
    assert "book.paused" in types and "book.cancelled" in types
    assert types.index("book.paused") < types.index("book.cancelled")


def test_another_clients_book_is_not_found(admin: httpx.Client, api) -> None:  # type: ignore[no-untyped-def]
    owner_key, other_key = new_key(admin), new_key(admin)
    with (
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {owner_key}"}) as owner,
        httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {other_key}"}) as other,
    ):
        book = create_book(owner)
        url = f"/api/v1/books/{book['id']}"
        for response in (
            other.get(url),
            other.post(f"{url}/render"),
            other.post(f"{url}/cancel"),
            other.patch(url, json={"metadata": {"title": "Mío"}}),
            other.patch(f"{url}/chapters/1", json={"title": "Mío"}),
            other.get(f"{url}/chapters/1/audio"),
            other.get(f"{url}/chapters/1/text"),
            other.get(f"{url}/events/history"),
            other.get(f"{url}/events"),
            other.delete(url),
        ):
            assert response.status_code == 404, response.request.url
            assert response.json()["error"]["code"] == "BOOK_NOT_FOUND"
        assert other.get("/api/v1/books").json()["items"] == []
        assert [item["id"] for item in owner.get("/api/v1/books").json()["items"]] == [book["id"]]
        assert admin.get(url).status_code == 200  # operators and admins see every book
    missing = admin.get("/api/v1/books/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "BOOK_NOT_FOUND"


def test_list_pages_with_a_cursor(admin: httpx.Client) -> None:
    made = [create_book(admin, chapters=CHAPTERS[:1])["id"] for _ in range(3)]
    first = admin.get("/api/v1/books", params={"limit": 2}).json()
    second = admin.get("/api/v1/books", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [b["id"] for b in first["items"] + second["items"]] == made[::-1]
    assert second["next_cursor"] is None
    assert admin.get("/api/v1/books", params={"cursor": "???"}).json()["error"]["code"] == "VALIDATION_ERROR"


def test_idempotency_key_replays_the_same_book(admin: httpx.Client) -> None:
    body = {"metadata": {"title": "Uno"}, "chapters": CHAPTERS[:1]}
    first = admin.post("/api/v1/books", json=body, headers={"Idempotency-Key": "libro-1"})
    replay = admin.post("/api/v1/books", json=body, headers={"Idempotency-Key": "libro-1"})
    assert first.status_code == 201 and replay.status_code == 200
    assert replay.json()["id"] == first.json()["id"] and replay.headers["Idempotent-Replayed"] == "true"
    key = {"Idempotency-Key": "libro-1"}
    changed = admin.post("/api/v1/books", json=body | {"chapters": CHAPTERS[:2]}, headers=key)
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_cover_and_delete(admin: httpx.Client, worker_client: httpx.Client, api) -> None:  # type: ignore[no-untyped-def]
    book = create_book(admin, settings={"voice": "espeak:es"})
    url = f"/api/v1/books/{book['id']}"
    stored = admin.put(f"{url}/cover", content=PNG, headers={"Content-Type": "image/png"})
    assert stored.status_code == 200 and stored.json()["has_cover"] is True
    cover = admin.get(f"{url}/cover")
    assert cover.content == PNG and cover.headers["content-type"] == "image/png"
    wrong = admin.put(f"{url}/cover", content=b"GIF89a....", headers={"Content-Type": "image/gif"})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "UNSUPPORTED_FORMAT"
    liar = admin.put(f"{url}/cover", content=b"GIF89a....", headers={"Content-Type": "image/png"})
    assert liar.status_code == 422

    ids = job_ids(render(admin, book["id"]))
    finish_chapter_job(worker_client, ids[0])
    master = next((api.data_dir / "audio").glob(f"{ids[0]}.*"))
    assert master.read_bytes() == chapter_payload(ids[0])
    deleted = admin.delete(url)
    assert deleted.status_code == 204
    assert admin.get(url).json()["error"]["code"] == "BOOK_NOT_FOUND"
    assert [admin.get(f"/api/v1/jobs/{j}").json()["status"] for j in ids[1:]] == ["cancelled", "cancelled"]
    assert not master.exists() and not (api.data_dir / "books" / book["id"]).exists()
    # The deleted book's running job may still report; it is answered and changes nothing.
    assert post_status(worker_client, ids[1], "preparing").json()["accepted"] is False


def test_a_chapters_text_reads_back_by_number_or_id_and_after_an_edit(admin: httpx.Client) -> None:
    book = create_book(admin)
    second = book["chapters"][1]
    by_number = admin.get(f"/api/v1/books/{book['id']}/chapters/2/text")
    assert by_number.status_code == 200, by_number.text
    body = by_number.json()
    assert body == {
        "id": second["id"],
        "number": 2,
        "title": "Capítulo 2",
        "kind": "chapter",
        "included": True,
        "text_chars": len(CHAPTERS[1]["text"]),
        "text": CHAPTERS[1]["text"],
    }
    assert admin.get(f"/api/v1/books/{book['id']}/chapters/{second['id']}/text").json() == body

    admin.patch(f"/api/v1/books/{book['id']}/chapters/2", json={"text": "Nadie sabía su apellido."}).raise_for_status()
    assert admin.get(f"/api/v1/books/{book['id']}/chapters/2/text").json()["text"] == "Nadie sabía su apellido."

    missing = admin.get(f"/api/v1/books/{book['id']}/chapters/9/text")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == ErrorCode.CHAPTER_NOT_FOUND.value
