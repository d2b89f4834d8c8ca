"""Captions from a job's sentence segments: SRT, WebVTT or JSON.

Times come from the worker (`JobResult.segments`): exact at chunk boundaries, shared by characters
among the sentences of one chunk. Cues are made monotonic and non-overlapping here, whatever
rounding did, because players reject cues that go backwards. A book chapter's segments also carry
the sentence as written (`source_text`): SRT and VTT show that, since it reads better than the
spoken form ("Capítulo 3", not "Capítulo tres"); JSON gives both.
"""

import json
from enum import StrEnum

from vocalio_shared.schemas.jobs import Segment


class CaptionFormat(StrEnum):
    SRT = "srt"
    VTT = "vtt"
    JSON = "json"


MEDIA_TYPES: dict[CaptionFormat, str] = {
    CaptionFormat.SRT: "application/x-subrip; charset=utf-8",
    CaptionFormat.VTT: "text/vtt; charset=utf-8",
    CaptionFormat.JSON: "application/json",
}


def _timestamp(seconds: float, decimal_mark: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_mark}{millis:03d}"


def monotonic(segments: list[Segment]) -> list[Segment]:
    cues: list[Segment] = []
    previous_end = 0.0
    for segment in segments:
        start = max(segment.start_s, previous_end)
        end = max(segment.end_s, start)
        written = " ".join(segment.source_text.split()) if segment.source_text else None
        update = {
            "text": " ".join(segment.text.split()),
            "source_text": written or None,
            "start_s": start,
            "end_s": end,
        }
        cues.append(segment.model_copy(update=update))
        previous_end = end
    return cues


def cue_text(cue: Segment) -> str:
    """What a reader sees: the sentence as written when the segment has it, else as spoken ("-->"
    would end a cue's timing line early in SRT and VTT)."""
    return (cue.source_text or cue.text).replace("-->", "->")


def render(segments: list[Segment], caption_format: CaptionFormat) -> str:
    cues = monotonic(segments)
    if caption_format == CaptionFormat.JSON:
        # exclude_none: an ordinary job's segments keep their three fields, as before books.
        dumped = [cue.model_dump(mode="json", exclude_none=True) for cue in cues]
        return json.dumps({"segments": dumped}, ensure_ascii=False)
    if caption_format == CaptionFormat.SRT:
        blocks = [
            f"{index}\n{_timestamp(cue.start_s, ',')} --> {_timestamp(cue.end_s, ',')}\n{cue_text(cue)}\n"
            for index, cue in enumerate(cues, start=1)
        ]
        return "\n".join(blocks)
    blocks = [f"{_timestamp(cue.start_s, '.')} --> {_timestamp(cue.end_s, '.')}\n{cue_text(cue)}\n" for cue in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)
