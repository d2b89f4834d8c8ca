"""Captions show a book chapter's sentences as written; an ordinary job's answer is unchanged."""

import json

from vocalio_api.captions import CaptionFormat, render
from vocalio_shared.schemas.jobs import Segment

BOOK = [
    Segment(text="Capítulo tres.", source_text="Capítulo 3.", start_s=0.0, end_s=1.2, key="k1", seed=7),
    Segment(text="Eran las  diez.", source_text="Eran las\n10:00.", start_s=1.1, end_s=2.0, key="k2", seed=8),
]
JOB = [Segment(text="Hola,   mundo.", start_s=0.0, end_s=0.8)]


def test_srt_and_vtt_prefer_the_written_sentence() -> None:
    vtt = render(BOOK, CaptionFormat.VTT)
    srt = render(BOOK, CaptionFormat.SRT)
    for text in (vtt, srt):
        assert "Capítulo 3." in text and "Eran las 10:00." in text and "tres" not in text
    assert "00:00:01.200 --> 00:00:02.000" in vtt  # the overlap is still taken out


def test_json_keeps_both_forms_for_a_book_and_three_fields_for_a_job() -> None:
    book = json.loads(render(BOOK, CaptionFormat.JSON))["segments"]
    assert book[1] == {
        "text": "Eran las diez.",
        "source_text": "Eran las 10:00.",
        "start_s": 1.2,
        "end_s": 2.0,
        "key": "k2",
        "seed": 8,
    }
    job = json.loads(render(JOB, CaptionFormat.JSON))["segments"]
    assert job == [{"text": "Hola, mundo.", "start_s": 0.0, "end_s": 0.8}]
    assert "Hola, mundo." in render(JOB, CaptionFormat.SRT)


def test_a_cue_cannot_end_its_timing_line_early() -> None:
    vtt = render([Segment(text="a --> b", start_s=0, end_s=1)], CaptionFormat.VTT)
    assert vtt.count("-->") == 1
