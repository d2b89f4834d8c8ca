"""A book's quality from its chapter jobs' results: each chapter's mastering report, its sentences'
QA (drawn once, re-drawn, flagged), its voice statistics; the book's summary (chapters passing,
RMS consistency across chapters, speaking rate and pitch drift against the book's median); and the
report as JSON and CSV (`GET /books/{id}/report`, and inside the mp3/flac zips).

Pure functions over the stored results: the worker measures, the API only sums up and judges by the
bands in `vocalio_shared.schemas.book_quality`.
"""

import csv
import io
import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from vocalio_shared.schemas.book_quality import (
    PITCH_DRIFT_MAX_SEMITONES,
    RATE_DRIFT_MAX_RATIO,
    REPORT_COLUMNS,
    RMS_SPREAD_MAX_DB,
    BookQuality,
    BookReport,
    BookReportChapter,
    ChapterDrift,
    ChapterQA,
    FlaggedSentence,
)
from vocalio_shared.schemas.quality import AudioReport, VoiceStats


@dataclass(frozen=True)
class ChapterQuality:
    """One finished chapter's figures, as its latest job reported them."""

    report: AudioReport | None = None
    qa: ChapterQA | None = None
    flagged: list[FlaggedSentence] = field(default_factory=list)
    voice_stats: VoiceStats | None = None


def chapter_quality(result: dict[str, Any] | None) -> ChapterQuality:
    """From the stored JobResult (validated when the worker posted it). Its segments are read as the
    dicts they are stored as: every book read sums up every chapter, and validating each chapter's
    hundreds of segments into models cost about 10 ms a chapter (a 100-chapter book: a second)."""
    if not result:
        return ChapterQuality()
    report, stats = result.get("audio_report"), result.get("voice_stats")
    segments = result.get("segments") or []
    return ChapterQuality(
        report=AudioReport.model_validate(report) if report else None,
        qa=sentence_summary(segments),
        flagged=flagged_sentences(segments),
        voice_stats=VoiceStats.model_validate(stats) if stats else None,
    )


def sentence_summary(segments: list[dict[str, Any]]) -> ChapterQA | None:
    """None when no segment carries QA (a worker without it, or a job made before it)."""
    checked = [segment["qa"] for segment in segments if segment.get("qa")]
    if not checked:
        return None
    flagged = sum(1 for qa in checked if not qa["passed"])
    redrawn = sum(1 for qa in checked if qa["passed"] and qa["draws"] > 1)
    drawn_once = len(checked) - flagged - redrawn
    return ChapterQA(checked=len(checked), drawn_once=drawn_once, redrawn=redrawn, flagged=flagged)


def flagged_sentences(segments: list[dict[str, Any]]) -> list[FlaggedSentence]:
    return [
        FlaggedSentence(
            index=index,
            text=segment.get("source_text") or segment["text"],
            failures=list(segment["qa"].get("failures") or []),
            draws=segment["qa"]["draws"],
            start_s=segment["start_s"],
            end_s=segment["end_s"],
        )
        for index, segment in enumerate(segments)
        if segment.get("qa") and not segment["qa"]["passed"]
    ]


def _semitones(value: float, reference: float) -> float:
    return 12 * math.log2(value / reference)


def drift(numbered: list[tuple[int, VoiceStats | None]]) -> tuple[list[ChapterDrift], float | None, float | None]:
    """Each chapter's speaking rate and median pitch against the book's medians (of the chapters
    that report them); a chapter outside RATE_DRIFT_MAX_RATIO or PITCH_DRIFT_MAX_SEMITONES is flagged."""
    rates = [s.speaking_rate_cps for _, s in numbered if s is not None and s.speaking_rate_cps]
    pitches = [s.pitch_median_hz for _, s in numbered if s is not None and s.pitch_median_hz]
    rate_median = statistics.median(rates) if rates else None
    pitch_median = statistics.median(pitches) if pitches else None
    rows = []
    for number, stats in numbered:
        if stats is None:
            continue
        row = ChapterDrift(number=number, speaking_rate_cps=stats.speaking_rate_cps)
        row.pitch_median_hz = stats.pitch_median_hz
        if rate_median and stats.speaking_rate_cps:
            row.rate_deviation = round(stats.speaking_rate_cps / rate_median - 1, 4)
            if abs(row.rate_deviation) > RATE_DRIFT_MAX_RATIO:
                row.flags.append("speaking_rate")
        if pitch_median and stats.pitch_median_hz:
            row.pitch_deviation_semitones = round(_semitones(stats.pitch_median_hz, pitch_median), 3)
            if abs(row.pitch_deviation_semitones) > PITCH_DRIFT_MAX_SEMITONES:
                row.flags.append("pitch")
        rows.append(row)
    return rows, rate_median, pitch_median


def book_quality(preset: str, chapters: list[tuple[int, ChapterQuality | None]]) -> BookQuality:
    """`chapters`: every included chapter by number, None while it is not finished."""
    finished = [(number, quality) for number, quality in chapters if quality is not None]
    reports = [(number, q.report) for number, q in finished if q.report is not None]
    failing = [number for number, report in reports if not report.passed]
    sentences = ChapterQA()
    for _, quality in finished:
        if quality.qa is not None:
            sentences.checked += quality.qa.checked
            sentences.drawn_once += quality.qa.drawn_once
            sentences.redrawn += quality.qa.redrawn
            sentences.flagged += quality.qa.flagged
    levels = [report.measured.rms_dbfs for _, report in reports]
    spread = round(max(levels) - min(levels), 2) if len(levels) >= 2 else None
    consistent = None if spread is None else spread <= RMS_SPREAD_MAX_DB
    rows, rate_median, pitch_median = drift([(number, q.voice_stats) for number, q in finished])
    drifting = [row.number for row in rows if row.flags]
    complete = bool(chapters) and len(reports) == len(chapters)
    return BookQuality(
        preset=preset,
        chapters_measured=len(reports),
        chapters_passing=len(reports) - len(failing),
        chapters_failing=len(failing),
        failing_chapters=failing,
        sentences=sentences,
        rms_spread_db=spread,
        consistent=consistent,
        speaking_rate_median_cps=round(rate_median, 3) if rate_median else None,
        pitch_median_hz=round(pitch_median, 2) if pitch_median else None,
        drift=rows,
        drifting_chapters=drifting,
        passed=(not failing and consistent is not False and not drifting) if complete else None,
    )


_MEASURED = ("rms_dbfs", "peak_dbfs", "true_peak_dbfs", "noise_floor_dbfs", "head_room_tone_s", "tail_room_tone_s")


def report_chapter(
    number: int,
    title: str,
    status: str,
    duration_s: float | None,
    quality: ChapterQuality | None,
    drift_flags: list[str],
) -> BookReportChapter:
    fields: dict[str, Any] = {"number": number, "title": title, "status": status, "duration_s": duration_s}
    fields["drift"] = drift_flags
    if quality is not None and quality.report is not None:
        report = quality.report
        fields |= {"preset": report.preset, "passed": report.passed}
        fields |= {"failures": report.failures, "changes": report.changes}
        fields |= {name: getattr(report.measured, name) for name in (*_MEASURED, "integrated_lufs")}
    if quality is not None and quality.qa is not None:
        counts = quality.qa
        fields |= {"sentences_checked": counts.checked, "sentences_drawn_once": counts.drawn_once}
        fields |= {"sentences_redrawn": counts.redrawn, "sentences_flagged": counts.flagged}
    if quality is not None and quality.voice_stats is not None:
        stats = quality.voice_stats
        fields |= {"speaking_rate_cps": stats.speaking_rate_cps, "pitch_median_hz": stats.pitch_median_hz}
    if quality is not None:
        fields["flagged"] = quality.flagged
    return BookReportChapter(**fields)


def report_json(report: BookReport) -> bytes:
    return report.model_dump_json(indent=2).encode()


def report_csv(report: BookReport) -> bytes:
    """One row per chapter, REPORT_COLUMNS in order; lists joined with `;`, unknowns empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for chapter in report.chapters:
        values = chapter.model_dump(mode="json")
        writer.writerow([_cell(values[name]) for name in REPORT_COLUMNS])
    return buffer.getvalue().encode()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return str(value)
