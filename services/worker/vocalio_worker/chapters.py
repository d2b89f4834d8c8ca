"""A book's chapter job (`JobSpec.chapter`): sentence by sentence through the sentence cache.

region (once for the chapter) → voice (pinned by sha256) → plan (units and keys, `sentence_plan`)
→ ask the API which keys it holds → synthesize only the missing ones, batch by batch, each sentence
checked and drawn again while it fails (`sentence_draws`), each batch uploaded while the next one
renders → download the cached ones this worker lacks → assemble every
unit in reading order through the one audio path (silences between sentences, paragraphs and after
the title) → the job's usual encode and upload (`jobs.JobRun.execute`).

A kill -9 loses at most the batch being synthesized and the one being uploaded: the next attempt
finds everything else in the cache. Every unit is assembled from its stored FLAC, never from the
engine's float output, so a first render and a re-render of the same chapter give the same samples.
"""

import asyncio
import contextlib
import functools
import hashlib
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from vocalio_audio.types import FloatAudio
from vocalio_shared.codecs import AAC_FRAME_SAMPLES
from vocalio_shared.errors import ErrorCode, VocalioError
from vocalio_shared.regions import Region, RegionChoice
from vocalio_shared.schemas.jobs import Segment
from vocalio_shared.schemas.quality import SentenceQA
from vocalio_text import detect_region

from vocalio_worker import pipeline
from vocalio_worker.asr import transcriber_for
from vocalio_worker.audio.settings import AudioSettings
from vocalio_worker.engines.base import TTSEngine, VoiceRef
from vocalio_worker.mastering import master_chapter
from vocalio_worker.segments import SEGMENT_DECIMALS
from vocalio_worker.sentence_cache import SentenceStore, decode_sentence, encode_sentence
from vocalio_worker.sentence_draws import Kept, ToDraw, draw_batch
from vocalio_worker.sentence_plan import (
    ChapterPlan,
    PauseBefore,
    RenderIdentity,
    SentenceUnit,
    VoiceIdentity,
    plan_chapter,
    transcript_sha256,
)
from vocalio_worker.sentence_qa import SentenceChecks, check_sentence
from vocalio_worker.voice_stats import chapter_voice_stats, spoken_characters

if TYPE_CHECKING:
    from vocalio_worker.jobs import JobRun

SENTENCE_CACHE_DIR = "sentence-cache"  # under the worker's data dir


def model_identity(engine: TTSEngine) -> str:
    """The key's `model`: the engine's own account of what decides its samples when it gives one
    (F5: weights, dtype, sampler settings), else its model name."""
    identity = getattr(engine, "model_identity", None)
    return str(identity()) if callable(identity) else engine.capabilities().models[0]


def voice_identity(voice: VoiceRef, region: Region, engine: TTSEngine | None = None) -> VoiceIdentity:
    """The stored voice's sha256; else the reference file's; else the reference a cloning engine
    falls back to by itself (F5's VOCALIO_F5_REFERENCE_AUDIO); else, for an engine that needs no
    reference (eSpeak), a stable stand-in naming the voice and region."""
    transcript = voice.reference_transcript
    if voice.sha256:
        sha256 = voice.sha256
    elif voice.reference_audio_path is not None:
        sha256 = hashlib.sha256(Path(voice.reference_audio_path).read_bytes()).hexdigest()
    elif engine is not None and engine.capabilities().needs_reference_audio and hasattr(engine, "reference_for"):
        prepared = engine.reference_for(voice)  # raises, as synthesis would, when there is none
        sha256, transcript = f"engine-reference:{prepared.key}", prepared.transcript
    else:
        sha256 = f"{voice.voice_id}@{region.value}"
    return VoiceIdentity(sha256=sha256, transcript_sha256=transcript_sha256(transcript))


def chapter_region(text: str, choice: RegionChoice) -> tuple[Region, Region, float, list[str]]:
    """(region used, detected region, confidence, markers): detected once on the whole chapter."""
    detection = detect_region(text)
    region = detection.region if choice == RegionChoice.AUTO else Region(choice.value)
    return region, detection.region, detection.confidence, detection.markers


def pause_samples(settings: AudioSettings, rate_hz: int) -> dict[PauseBefore, int]:
    """Silence before a unit; a crossfade's length on either side comes on top, so speech never overlaps."""
    fades_s = 2 * settings.crossfade_s
    seconds = {
        PauseBefore.SENTENCE: settings.chapter_sentence_pause_s,
        PauseBefore.PARAGRAPH: settings.chapter_paragraph_pause_s,
        PauseBefore.TITLE: settings.chapter_title_pause_s,
    }
    return {kind: round((pause_s + fades_s) * rate_hz) for kind, pause_s in seconds.items()}


def chapter_audio_settings(settings: AudioSettings, rate_hz: int) -> AudioSettings:
    """The job's settings with internal silences kept up to the longest inserted pause: the silence
    shortener must not cut the pauses the chapter asks for."""
    longest_s = max(pause_samples(settings, rate_hz).values()) / rate_hz
    return settings.model_copy(
        update={"max_silence_s": max(settings.max_silence_s, longest_s + settings.max_silence_s)}
    )


def assemble(
    plan: ChapterPlan, store: SentenceStore, rate_hz: int, settings: AudioSettings, preset: str | None = None
) -> pipeline.ProcessedAudio:
    """Every unit from its stored FLAC, in reading order, with its pause before it; mastered to
    `preset` (None: the worker's `mastering_preset`; see `vocalio_worker.mastering`); one segment
    per source sentence with its exact place in the finished audio."""
    # No loudness pass here: the chapter's mastering levels it to its preset, and would undo it.
    audio = pipeline.JobAudio(rate_hz, chapter_audio_settings(settings, rate_hz), live=False, level=False)
    pauses = pause_samples(settings, rate_hz)
    piece_of_unit: list[int] = []  # index of each unit's piece among everything pushed
    pushed = 0
    repeated = {key for key, count in Counter(unit.key for unit in plan.units).items() if count > 1}
    decoded: dict[str, FloatAudio] = {}  # a repeated sentence ("—Sí.") is decoded once, and only it is kept
    for unit in plan.units:
        pieces: list[FloatAudio] = []
        if unit.pause_before != PauseBefore.NONE:
            pieces.append(np.zeros(pauses[unit.pause_before], dtype=np.float32))
        samples = decoded.get(unit.key)
        if samples is None:
            samples = decode_sentence(store.read_local(unit.key), rate_hz)
            if unit.key in repeated:
                decoded[unit.key] = samples
        pieces.append(samples)
        piece_of_unit.append(pushed + len(pieces) - 1)
        pushed += len(pieces)
        audio.push(pieces)
    _, processed = audio.finish(None)
    mastered, moved, report = master_chapter(
        processed.samples, processed.chunk_spans_samples, rate_hz, preset or settings.mastering_preset
    )
    samples, lead = frame_aligned(mastered)
    spans = [(start + lead, end + lead) for start, end in moved]
    segments: list[Segment] = []
    for sentence in _sentences(plan.units):
        first, last = piece_of_unit[sentence[0]], piece_of_unit[sentence[-1]]
        head = plan.units[sentence[0]]
        segments.append(
            Segment(
                text=" ".join(plan.units[index].spoken for index in sentence),
                start_s=round(spans[first][0] / rate_hz, SEGMENT_DECIMALS),
                end_s=round(spans[last][1] / rate_hz, SEGMENT_DECIMALS),
                source_text=head.source,
                key=head.key,  # a sentence longer than one chunk: its first chunk's key and seed
                seed=head.seed,
                qa=worst_qa([store.qa_local(plan.units[index].key) for index in sentence]),
            )
        )
    return pipeline.ProcessedAudio(
        samples=samples,
        mix=processed.mix,
        sample_rate_hz=processed.sample_rate_hz,
        chunk_durations_s=processed.chunk_durations_s,
        segments=segments,
        warnings=processed.warnings,
        chunk_spans_samples=spans,
        audio_report=report,
    )


def worst_qa(chunks: list[SentenceQA | None]) -> SentenceQA | None:
    """A sentence's QA: its chunk that failed (else the one drawn most), the first on a tie; None
    when its chunks were stored before QA existed."""
    known = [qa for qa in chunks if qa is not None]
    return min(known, key=lambda qa: (qa.passed, -qa.draws), default=None)


def frame_aligned(samples: FloatAudio) -> tuple[FloatAudio, int]:
    """The master as the m4b needs it (see `codecs.AAC_FRAME_SAMPLES`): one AAC frame of silence
    first, then the chapter, then silence up to a whole number of frames. (samples, lead-in)."""
    frame = AAC_FRAME_SAMPLES
    tail = -samples.size % frame
    return np.concatenate([np.zeros(frame, np.float32), samples, np.zeros(tail, np.float32)]), frame


def _sentences(units: list[SentenceUnit]) -> list[list[int]]:
    """Unit indices grouped by source sentence, in order."""
    groups: list[list[int]] = []
    for index, unit in enumerate(units):
        if groups and units[groups[-1][0]].sentence == unit.sentence:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def encode_batch(kept: list[Kept], rate_hz: int) -> list[bytes]:
    return [encode_sentence(sentence.audio, rate_hz, sentence.qa) for sentence in kept]


@dataclass
class Synthesized:
    """What the engine did for a chapter's missing sentences (JobMetrics' QA counts)."""

    engine_s: float = 0.0
    redrawn: int = 0  # needed more than one draw
    flagged: int = 0  # no draw passed: kept, flagged


async def render_chapter(run: "JobRun") -> pipeline.RenderedAudio:
    runtime, spec, config = run.runtime, run.spec, run.runtime.config
    chapter, engine = spec.chapter, runtime.engine
    assert chapter is not None
    region, detected, confidence, markers = await run.timed("text", chapter_region, spec.text, spec.region)

    voice_started = time.monotonic()
    voice = await runtime.voice_library().voice_for(spec.voice, region)
    identity = await runtime.in_thread(voice_identity, voice, region, engine)
    run.add_time("voice", time.monotonic() - voice_started)
    if chapter.voice_sha256 and chapter.voice_sha256 != identity.sha256:
        raise VocalioError(
            ErrorCode.UNKNOWN_VOICE,
            "the book's pinned voice changed: its reference audio is not the one the book was started with",
            {"voice": voice.voice_id, "pinned_sha256": chapter.voice_sha256, "resolved_sha256": identity.sha256},
        )
    capabilities = engine.capabilities()
    render = RenderIdentity(
        engine=engine.name,
        model=model_identity(engine),
        sample_rate_hz=spec.sample_rate,
        speed=spec.speed,
        nfe_step=spec.nfe_step if capabilities.uses_nfe_steps else None,
    )
    make_plan = functools.partial(
        plan_chapter,
        spec.text,
        chapter.title,
        book_seed=chapter.book_seed,
        region=region,
        lexicon=spec.lexicon,
        max_chunk_chars=capabilities.max_chunk_chars,
        voice=identity,
        render=render,
        redraw_from=chapter.redraw_from,
    )
    plan = await run.timed("text", make_plan)
    if not plan.units:
        raise VocalioError(ErrorCode.VALIDATION_ERROR, "the chapter has nothing to say once normalized")
    run.warnings.extend(plan.warnings)

    store = SentenceStore(runtime.api, config.data_dir / SENTENCE_CACHE_DIR)
    keys = plan.unique_keys
    at_api = await store.present(keys)
    missing = [key for key in keys if key not in at_api]
    # made here before but the API lost it (restored data dir?): upload this worker's copy, no engine call
    for key in [key for key in missing if store.has_local(key)]:
        await store.upload(key, await asyncio.to_thread(store.read_local, key))
    to_make = [key for key in missing if not store.has_local(key)]
    cached = len(keys) - len(to_make)
    run.progress(cached, len(keys), stage(cached, len(keys), cached))
    synthesized = await synthesize_missing(run, plan, store, to_make, voice, region, cached)

    await run.check_cancel()
    await store.download([key for key in keys if key in at_api and not store.has_local(key)])
    await run.check_cancel()
    processed = await run.timed(
        "postprocess", assemble, plan, store, spec.sample_rate, config, chapter.mastering_preset
    )
    characters = spoken_characters([unit.spoken for unit in plan.units])
    voice_stats = await run.timed("postprocess", chapter_voice_stats, processed.mix, spec.sample_rate, characters)
    return pipeline.RenderedAudio(
        processed=processed,
        engine_s=synthesized.engine_s,
        voice=voice,
        detected_region=detected,
        region_confidence=confidence,
        markers=markers,
        chunks=len(plan.units),
        sentences_synthesized=len(to_make),
        sentences_cached=cached,
        sentence_keys=keys,
        sentences_redrawn=synthesized.redrawn,
        sentences_flagged=synthesized.flagged,
        voice_stats=voice_stats,
    )


async def synthesize_missing(
    run: "JobRun",
    plan: ChapterPlan,
    store: SentenceStore,
    to_make: list[str],
    voice: VoiceRef,
    region: Region,
    cached: int,
) -> Synthesized:
    """Each batch drawn until its sentences pass (or run out of draws), then uploaded while the next
    one renders; cancel checked per batch. A sentence is stored under its plan key (its first draw
    of this render) whichever draw was kept: the key names the request, its QA says what was kept."""
    runtime, spec, config = run.runtime, run.spec, run.runtime.config
    assert spec.chapter is not None
    unit_of = {unit.key: unit for unit in reversed(plan.units)}  # first unit per key
    batch_size = config.batch_size or runtime.engine.capabilities().max_batch
    total = len(plan.unique_keys)
    done, made = cached, Synthesized()
    transcriber = await runtime.in_thread(transcriber_for, config) if to_make else None

    def synthesize(spoken: list[str], seeds: list[int]) -> pipeline.BatchAudio:
        return pipeline.synthesize_batch(
            runtime.engine, spoken, voice, spec, region, config.simulated_chunk_delay_s, seeds
        )

    def check(audio: FloatAudio, spoken: str) -> SentenceChecks:
        return check_sentence(
            audio, spec.sample_rate, spoken, engine=runtime.engine.name, speed=spec.speed, settings=config
        )

    uploading: asyncio.Future[list[None]] | None = None
    try:
        for batch in pipeline.batches(to_make, batch_size):
            await run.check_cancel()
            units = [unit_of[key] for key in batch]
            drawn = await runtime.in_thread(
                functools.partial(
                    draw_batch,
                    [ToDraw(unit.spoken, unit.draw) for unit in units],
                    synthesize,
                    check,
                    book_seed=spec.chapter.book_seed,
                    max_draws=config.qa_max_draws,
                    rate_hz=spec.sample_rate,
                    transcriber=transcriber,
                    max_cer=config.asr_max_cer,
                )
            )
            made.engine_s += drawn.engine_s
            made.redrawn += sum(1 for sentence in drawn.kept if sentence.qa.draws > 1)
            made.flagged += sum(1 for sentence in drawn.kept if not sentence.qa.passed)
            run.add_time("postprocess", drawn.resample_s)
            encoded = await run.timed("encode", encode_batch, drawn.kept, spec.sample_rate)
            if uploading is not None:
                await uploading
            uploading = asyncio.gather(*(store.upload(key, data) for key, data in zip(batch, encoded, strict=True)))
            done += len(batch)
            run.progress(done, total, stage(done, total, cached))
        if uploading is not None:
            pending, uploading = uploading, None
            await pending
    finally:
        if uploading is not None:  # the job stops here (cancel, error): what was made is still kept
            with contextlib.suppress(Exception):
                await uploading
    return made


def stage(done: int, total: int, cached: int) -> str:
    return f"sentence {done}/{total} ({cached} cached)"
