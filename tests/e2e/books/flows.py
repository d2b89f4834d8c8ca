"""Book flows over HTTP: a JSON book, and a worker's reports for its chapter jobs."""

import hashlib

import httpx

from tests.e2e.api.flows import WORKER_ID, post_status, upload

CHAPTERS = [
    {"title": "Capítulo 1", "text": "Era una mañana fría. El viento soplaba desde el norte."},
    {"title": "Capítulo 2", "text": "Nadie sabía su nombre. Llegó al pueblo sin equipaje."},
    {"title": "Capítulo 3", "text": "La casa estaba vacía. Sólo quedaba un reloj parado."},
]


def create_book(client: httpx.Client, chapters: list[dict] | None = None, **fields: object) -> dict:
    body = {"metadata": {"title": "El reloj parado", "authors": ["Ana Pérez"]}, "chapters": chapters or CHAPTERS}
    response = client.post("/api/v1/books", json=body | fields)
    assert response.status_code == 201, response.text
    return response.json()


def chapter_payload(job_id: str) -> bytes:
    """Stands in for a FLAC master: the API stores and serves the bytes as uploaded."""
    return b"fLaC" + hashlib.sha256(job_id.encode()).digest() * 64


def finish_chapter_job(
    worker: httpx.Client, job_id: str, *, synthesized: int = 2, cached: int = 0, duration_s: float = 4.0
) -> bytes:
    """What a worker does with a chapter job (queued or already synthesizing): progress, the upload,
    then success with its sentence figures."""
    assert post_status(worker, job_id, "synthesizing", progress=50, stage="sentence 1/2").json()["accepted"]
    payload = chapter_payload(job_id)
    assert upload(worker, job_id, payload).status_code == 201
    result = {
        "duration_s": duration_s,
        "sample_rate": 44100,
        "channels": 1,
        "format": "flac",
        "size_bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "segments": [
            {"text": "Capítulo uno.", "start_s": 0.0, "end_s": 1.5, "source_text": "Capítulo 1"},
            {"text": "Era una mañana fría.", "start_s": 1.5, "end_s": duration_s},
        ],
    }
    metrics = {"sentences_synthesized": synthesized, "sentences_cached": cached, "engine": "espeak"}
    done = post_status(worker, job_id, "succeeded", progress=100, result=result, metrics=metrics)
    assert done.status_code == 200 and done.json()["accepted"], done.text
    return payload


__all__ = ["WORKER_ID", "create_book", "finish_chapter_job", "post_status"]
