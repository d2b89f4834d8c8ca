"""A book's quality on a real API process (SQLite, real Redis), driven through the real worker
protocol: chapter jobs succeed with a JobResult that carries the mastering report, sentences with QA,
voice statistics and the QA counts, as a worker with mastering and sentence QA reports them. Checked:
the chapter and book views, the report (JSON, CSV), the mastering preset setting, and the one-sentence
"render again"."""

import csv
import hashlib
import io
import json
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
import redis
import soundfile
from vocalio_cli.embedded_redis import EmbeddedRedis
from vocalio_shared.queue import ARQ_JOB_KEY_PREFIX
from vocalio_shared.schemas.book_quality import REPORT_COLUMNS

from tests.e2e.api.flows import post_status, upload
from tests.support.processes import ApiProcess

CHAPTERS = [
    {"title": "Uno", "text": "Era una mañana fría. El viento soplaba desde el norte. Nadie salió."},
    {"title": "Dos", "text": "Nadie sabía su nombre. Llegó al pueblo sin equipaje."},
    {"title": "Tres", "text": "La casa estaba vacía. Sólo quedaba un reloj parado."},
]


@pytest.fixture(scope="module")
def queue_url(redis_server: EmbeddedRedis) -> str:
    """Database 0: the per-test `redis_url` fixtures use (and flush) 1-15; job ids never collide."""
    return f"redis://{redis_server.host}:{redis_server.port}/0"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, queue_url: str) -> Iterator[ApiProcess]:
    """One API for the module (a start costs seconds): every test makes books of its own."""
    process = ApiProcess(tmp_path_factory.mktemp("api"), queue_url)
    process.start(timeout_s=120)  # a shared machine under load imports slowly
    yield process
    process.stop()


@pytest.fixture
def admin(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.admin_key}"}, timeout=30) as c:
        yield c


@pytest.fixture
def worker(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {api.worker_token}"}, timeout=30) as c:
        yield c


def key(text: str, draw: int = 0) -> str:
    return hashlib.sha256(f"{text}|{draw}".encode()).hexdigest()


def audio_report(rms: float, *, passed: bool = True, preset: str = "acx") -> dict[str, Any]:
    failures = [] if passed else ["peak", "noise_floor"]
    measured = {
        "duration_s": 6.0,
        "sample_rate_hz": 44100,
        "rms_dbfs": rms,
        "peak_dbfs": -3.5 if passed else -1.0,
        "true_peak_dbfs": -3.2 if passed else -0.8,
        "noise_floor_dbfs": -65.0 if passed else -52.0,
        "head_room_tone_s": 0.75,
        "tail_room_tone_s": 2.0,
        "integrated_lufs": rms + 2,
    }
    rules = [
        {"rule": "rms", "passed": True, "value": rms, "target": "-23..-18 dBFS"},
        {"rule": "peak", "passed": passed, "value": measured["peak_dbfs"], "target": "<= -3 dBFS"},
        {"rule": "noise_floor", "passed": passed, "value": measured["noise_floor_dbfs"], "target": "<= -60 dBFS"},
    ]
    return {
        "preset": preset,
        "measured": measured,
        "rules": rules,
        "passed": passed,
        "failures": failures,
        "changes": ["gain +4.0 dB", "limiter at -3.5 dBFS"],
        "timeline_step_s": 1.0,
        "timeline_lufs": [None, -20.5, -19.8, -21.0, -20.2, None],
    }


def qa(*, passed: bool = True, draws: int = 1, draw: int = 0, failures: list[str] | None = None) -> dict[str, Any]:
    return {"passed": passed, "failures": failures or [], "draws": draws, "draw": draw, "seed": 1000 + draw}


def segments(*rows: tuple[str, dict[str, Any] | None, str | None]) -> list[dict[str, Any]]:
    """(spoken text, qa, key or None for key(text)) per sentence, one second each."""
    return [
        {"text": text, "start_s": float(i), "end_s": float(i + 1), "key": k or key(text), "seed": 7, "qa": row_qa}
        for i, (text, row_qa, k) in enumerate(rows)
    ]


def finish(
    worker: httpx.Client,
    job_id: str,
    *,
    report: dict[str, Any] | None,
    sentences: list[dict[str, Any]],
    stats: dict[str, Any] | None = None,
    redrawn: int = 0,
    flagged: int = 0,
    master: bytes | None = None,
) -> None:
    """Stand-in bytes for the master unless `master` is given (the routes serve bytes as uploaded)."""
    payload = master or b"fLaC" + hashlib.sha256(job_id.encode()).digest() * 16
    assert post_status(worker, job_id, "synthesizing", progress=50).json()["accepted"]
    assert upload(worker, job_id, payload).status_code == 201
    result = {
        "duration_s": 6.0,
        "sample_rate": 44100,
        "channels": 1,
        "format": "flac",
        "size_bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "segments": sentences,
        "audio_report": report,
        "voice_stats": stats,
    }
    metrics = {
        "sentences_synthesized": len(sentences),
        "sentences_cached": 0,
        "sentences_redrawn": redrawn,
        "sentences_flagged": flagged,
    }
    done = post_status(worker, job_id, "succeeded", progress=100, result=result, metrics=metrics)
    assert done.status_code == 200 and done.json()["accepted"], done.text


def create(admin: httpx.Client, chapters: list[dict[str, str]] = CHAPTERS, **settings: Any) -> dict[str, Any]:
    body = {
        "metadata": {"title": "El reloj parado"},
        "chapters": chapters,
        "settings": {"voice": "espeak:es"} | settings,
    }
    answer = admin.post("/api/v1/books", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def render(admin: httpx.Client, book_id: str) -> list[str]:
    answer = admin.post(f"/api/v1/books/{book_id}/render")
    assert answer.status_code == 202, answer.text
    return [chapter["job_id"] for chapter in answer.json()["chapters"]]


def queued_chapter(queue_url: str, job_id: str) -> dict[str, Any]:
    """`JobSpec.chapter` as a worker receives it from the queue."""
    client = redis.Redis.from_url(queue_url)
    try:
        raw = client.get(ARQ_JOB_KEY_PREFIX + job_id)
    finally:
        client.close()
    assert raw is not None, "the chapter job is not on the queue"
    return json.loads(raw)["a"][0]["chapter"]


def finish_book(admin: httpx.Client, worker: httpx.Client, book_id: str) -> list[str]:
    """Chapter 1 passes with one re-drawn and one flagged sentence; 2 fails its preset; 3 speaks
    too fast and too high for the book (drift)."""
    ids = render(admin, book_id)
    finish(
        worker,
        ids[0],
        report=audio_report(-20.0),
        sentences=segments(
            ("Uno.", qa(), None),
            ("Era una mañana fría.", qa(draws=3, draw=2), None),
            ("El viento soplaba desde el norte.", qa(passed=False, draws=4, draw=1, failures=["loop"]), None),
            ("Nadie salió.", qa(), None),
        ),
        stats={"speaking_rate_cps": 14.0, "pitch_median_hz": 180.0, "pitch_iqr_hz": 20.0},
        redrawn=1,
        flagged=1,
    )
    finish(
        worker,
        ids[1],
        report=audio_report(-21.5, passed=False),
        sentences=segments(("Dos.", qa(), None), ("Nadie sabía su nombre.", qa(), None)),
        stats={"speaking_rate_cps": 14.5, "pitch_median_hz": 182.0},
    )
    finish(
        worker,
        ids[2],
        report=audio_report(-19.0),
        sentences=segments(("Tres.", qa(), None), ("La casa estaba vacía.", qa(), None)),
        stats={"speaking_rate_cps": 17.0, "pitch_median_hz": 230.0},
    )
    return ids


def test_chapters_carry_their_report_and_qa_and_the_book_sums_them_up(
    admin: httpx.Client, worker: httpx.Client
) -> None:
    book = create(admin)
    assert book["settings"]["mastering_preset"] == "acx" and book["quality"] is None
    assert book["links"]["report"] == f"/api/v1/books/{book['id']}/report"
    finish_book(admin, worker, book["id"])
    done = admin.get(f"/api/v1/books/{book['id']}").json()
    assert done["status"] == "succeeded"
    first, second, _third = done["chapters"]

    assert first["report"]["passed"] is True and first["report"]["measured"]["rms_dbfs"] == -20.0
    assert first["report"]["timeline_lufs"][1] == -20.5 and first["report"]["changes"][0] == "gain +4.0 dB"
    assert first["qa"] == {"checked": 4, "drawn_once": 2, "redrawn": 1, "flagged": 1}
    assert first["flagged"] == [
        {
            "index": 2,
            "text": "El viento soplaba desde el norte.",
            "failures": ["loop"],
            "draws": 4,
            "start_s": 2.0,
            "end_s": 3.0,
        }
    ]
    assert first["voice_stats"]["speaking_rate_cps"] == 14.0
    listed = next(b for b in admin.get("/api/v1/books").json()["items"] if b["id"] == book["id"])
    assert listed["chapters"][0]["report"]["timeline_lufs"] == [] and listed["chapters"][0]["report"]["passed"]
    assert second["report"]["passed"] is False and second["report"]["failures"] == ["peak", "noise_floor"]
    assert second["flagged"] == [] and second["qa"]["drawn_once"] == 2

    quality = done["quality"]
    assert quality["preset"] == "acx"
    assert (quality["chapters_measured"], quality["chapters_passing"], quality["chapters_failing"]) == (3, 2, 1)
    assert quality["failing_chapters"] == [2]
    assert quality["sentences"] == {"checked": 8, "drawn_once": 6, "redrawn": 1, "flagged": 1}
    assert quality["rms_spread_db"] == 2.5 and quality["consistent"] is False  # -21.5 .. -19.0: over 2 dB
    assert quality["speaking_rate_median_cps"] == 14.5 and quality["pitch_median_hz"] == 182.0
    assert quality["drifting_chapters"] == [3]
    drift = {row["number"]: row for row in quality["drift"]}
    assert drift[1]["flags"] == [] and drift[2]["flags"] == []
    assert drift[3]["flags"] == ["speaking_rate", "pitch"]
    assert drift[3]["rate_deviation"] == round(17.0 / 14.5 - 1, 4)
    assert quality["passed"] is False


def test_a_worker_without_quality_results_leaves_the_fields_empty(admin: httpx.Client, worker: httpx.Client) -> None:
    book = create(admin)
    ids = render(admin, book["id"])
    plain = segments(("Uno.", None, None))
    finish(worker, ids[0], report=None, sentences=plain)
    partial = admin.get(f"/api/v1/books/{book['id']}").json()
    first = partial["chapters"][0]
    assert first["report"] is None and first["qa"] is None and first["flagged"] == [] and first["voice_stats"] is None
    assert partial["quality"]["chapters_measured"] == 0 and partial["quality"]["passed"] is None
    assert partial["chapters"][1]["report"] is None  # not finished


def test_the_report_as_json_and_csv(admin: httpx.Client, worker: httpx.Client) -> None:
    book = create(admin)
    url = f"/api/v1/books/{book['id']}/report"
    early = admin.get(url)
    assert early.status_code == 200 and [c["status"] for c in early.json()["chapters"]] == ["draft"] * 3
    finish_book(admin, worker, book["id"])

    report = admin.get(url).json()
    assert report["book_id"] == book["id"] and report["title"] == "El reloj parado"
    assert report["status"] == "succeeded" and report["quality"]["chapters_failing"] == 1
    rows = report["chapters"]
    assert [(r["number"], r["title"], r["passed"]) for r in rows] == [
        (1, "Uno", True),
        (2, "Dos", False),
        (3, "Tres", True),
    ]
    assert rows[1]["failures"] == ["peak", "noise_floor"] and rows[1]["noise_floor_dbfs"] == -52.0
    assert rows[0]["sentences_redrawn"] == 1 and rows[0]["sentences_flagged"] == 1
    assert rows[0]["flagged"][0]["index"] == 2 and rows[2]["drift"] == ["speaking_rate", "pitch"]

    answer = admin.get(url, params={"format": "csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert tuple(table[0]) == REPORT_COLUMNS and len(table) == 3
    assert table[1]["passed"] == "false" and table[1]["failures"] == "peak;noise_floor"
    assert table[0]["rms_dbfs"] == "-20.0" and table[0]["sentences_flagged"] == "1"
    assert table[2]["drift"] == "speaking_rate;pitch"
    bad = admin.get(url, params={"format": "xml"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "VALIDATION_ERROR"


def test_the_mastering_preset_is_checked_sent_and_re_assembles_every_chapter(
    queue_url: str, admin: httpx.Client, worker: httpx.Client
) -> None:
    refused = admin.post(
        "/api/v1/books",
        json={"metadata": {"title": "X"}, "chapters": CHAPTERS[:1], "settings": {"mastering_preset": "loud"}},
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "VALIDATION_ERROR"
    book = create(admin)
    ids = render(admin, book["id"])
    spec = queued_chapter(queue_url, ids[0])
    assert spec["mastering_preset"] == "acx" and spec["redraw_from"] == {}
    for job_id in ids:
        finish(worker, job_id, report=audio_report(-20.0), sentences=segments(("Uno.", qa(), None)))
    url = f"/api/v1/books/{book['id']}"
    bad = admin.patch(url, json={"settings": {"mastering_preset": "loud"}})
    assert bad.status_code == 422
    podcast = admin.patch(url, json={"settings": {"mastering_preset": "podcast"}}).json()
    assert podcast["settings"]["mastering_preset"] == "podcast"
    assert [c["status"] for c in podcast["chapters"]] == ["draft"] * 3
    new_ids = render(admin, book["id"])
    assert not set(new_ids) & set(ids)
    assert all(queued_chapter(queue_url, job_id)["mastering_preset"] == "podcast" for job_id in new_ids)


def test_render_again_one_sentence(queue_url: str, admin: httpx.Client, worker: httpx.Client) -> None:
    book = create(admin)
    url = f"/api/v1/books/{book['id']}"
    ids = render(admin, book["id"])
    not_yet = admin.post(f"{url}/chapters/1/sentences/2/redraw")
    assert not_yet.status_code == 409 and not_yet.json()["error"]["code"] == "INVALID_STATE"
    ids = finish_book(admin, worker, book["id"])

    for path, code in (
        ("chapters/1/sentences/9/redraw", "NOT_FOUND"),
        ("chapters/1/sentences/-1/redraw", "NOT_FOUND"),
        ("chapters/7/sentences/0/redraw", "CHAPTER_NOT_FOUND"),
    ):
        missing = admin.post(f"{url}/{path}")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == code, path

    # The flagged sentence (4 draws made, 0..3): its next render starts at draw 4; only chapter 1 renders.
    spoken = "El viento soplaba desde el norte."
    again = admin.post(f"{url}/chapters/1/sentences/2/redraw")
    assert again.status_code == 202, again.text
    assert again.headers["x-vocalio-draw"] == "4"
    body = again.json()
    assert [c["job_id"] for c in body["chapters"]][1:] == ids[1:] and body["chapters"][0]["job_id"] not in ids
    assert body["chapters"][0]["status"] == "queued" and body["chapters"][0]["redraws"] == 1
    job_id = body["chapters"][0]["job_id"]
    assert queued_chapter(queue_url, job_id)["redraw_from"] == {key(spoken): 4}
    busy = admin.post(f"{url}/chapters/1/sentences/1/redraw")
    assert busy.status_code == 409  # the book renders

    # The worker kept draw 4 (it passed), stored under that draw's key: a second redraw counts on.
    finish(
        worker,
        job_id,
        report=audio_report(-20.0),
        sentences=segments(
            ("Uno.", qa(), None),
            ("Era una mañana fría.", qa(draws=3, draw=2), None),
            (spoken, qa(draws=1, draw=4), key(spoken, 4)),
            ("Nadie salió.", qa(), None),
        ),
    )
    fixed = admin.get(url).json()
    assert fixed["status"] == "succeeded" and fixed["chapters"][0]["flagged"] == []
    second = admin.post(f"{url}/chapters/1/sentences/2/redraw")
    assert second.status_code == 202 and second.headers["x-vocalio-draw"] == "5"
    assert queued_chapter(queue_url, second.json()["chapters"][0]["job_id"])["redraw_from"] == {key(spoken): 5}


def tone_flac(seconds: float = 1.0) -> bytes:
    """A real chapter master (44.1 kHz mono FLAC): the zips encode mp3s from it."""
    t = np.arange(int(44100 * seconds)) / 44100
    buffer = io.BytesIO()
    soundfile.write(buffer, 0.1 * np.sin(2 * np.pi * 220 * t), 44100, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()


def test_the_zips_carry_the_report(admin: httpx.Client, worker: httpx.Client) -> None:
    book = create(admin, chapters=CHAPTERS[:2])
    ids = render(admin, book["id"])
    reports = [audio_report(-20.0), audio_report(-21.0, passed=False)]
    for job_id, report in zip(ids, reports, strict=True):
        sentences = segments(("Uno.", qa(), None), ("Dos.", qa(passed=False, draws=4, failures=["duration"]), None))
        finish(worker, job_id, report=report, sentences=sentences, master=tone_flac())
    url = f"/api/v1/books/{book['id']}/audio"
    deadline = time.monotonic() + 120
    while (answer := admin.get(url, params={"format": "mp3-zip"})).status_code == 409 and time.monotonic() < deadline:
        time.sleep(0.3)  # assembled in the background: 409 AUDIO_NOT_READY until then
    assert answer.status_code == 200, answer.text
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        names = archive.namelist()
        report = json.loads(archive.read("report.json"))
        table = list(csv.DictReader(io.StringIO(archive.read("report.csv").decode())))
    assert "01 - Uno.mp3" in names and "02 - Dos.mp3" in names
    assert report == admin.get(f"/api/v1/books/{book['id']}/report").json()
    assert [row["passed"] for row in table] == ["true", "false"] and table[1]["sentences_flagged"] == "1"
