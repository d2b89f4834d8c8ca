"""The job page shows every warning of a job's result; the demo-voice one links to recording a voice."""

from pathlib import Path

import vocalio_ui
from jinja2_fragments.fastapi import Jinja2Blocks
from lxml import html
from vocalio_ui import formatting
from vocalio_ui.api_client import ApiHealth
from vocalio_worker.engines.f5.demo_voice import DEMO_VOICE_WARNING

TEMPLATES = Path(vocalio_ui.__file__).parent / "templates"


def test_the_demo_voice_warning_is_shown_with_a_way_to_record_a_voice() -> None:
    templates = Jinja2Blocks(directory=str(TEMPLATES))
    formatting.register(templates.env)
    job = {
        "id": "job-1",
        "status": "succeeded",
        "progress": 100,
        "params": {"output_format": "wav", "text": "Hola."},
        "result": {
            "duration_s": 1.5,
            "sample_rate": 24000,
            "size_bytes": 72000,
            "warnings": [
                "gain capped",
                DEMO_VOICE_WARNING,
            ],
        },
        "metrics": {},
        "created_at": "2026-12-01T10:00:00Z",
        "started_at": "2026-12-01T10:00:01Z",
        "finished_at": "2026-12-01T10:00:05Z",
    }
    context = {"session": None, "csrf_token": "t", "api_health": ApiHealth(), "poll_s": 1, "path": "/jobs/job-1"}
    page = html.fromstring(templates.env.get_template("job.html").render(context | {"job": job, "events": []}))
    shown = [p.text_content().strip() for p in page.xpath('//*[@id="job-warnings"]/p[@class="warning"]')]
    assert shown == ["gain capped", f"{DEMO_VOICE_WARNING} Record a voice"]
    [link] = page.xpath('//*[@id="job-warnings"]//a')
    assert link.get("href") == "/voices/record"
