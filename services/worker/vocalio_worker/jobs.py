"""The arq job function: one job from the queue to an uploaded file, reporting every stage.

preparing 0 % → (expand) → analyze → synthesizing 30 % … per batch … 70 % → encoding 70 % →
upload → succeeded 100 %. The updates before the result are sent in order by a background sender
(`status_updates`), so the job never waits on them; the result waits until all have landed.
Cancellation is checked before each batch and before the upload (Redis flag or an ack's flag).
Errors: recoverable ones retry through arq (`Retry`, back in the job's own lane after a backoff) up
to `max_attempts`; the rest post `failed` with the structured error and end the arq job normally.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import structlog
from arq import Retry
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from vocalio_shared.errors import ErrorCode, ErrorDetail, VocalioError, error_detail
from vocalio_shared.queue import CANCEL_KEY_PREFIX, lane_defer
from vocalio_shared.regions import Region
from vocalio_shared.schemas.jobs import JobMetrics, JobResult, JobSpec, JobStatus, JobStatusUpdate
from vocalio_text import TextAnalysis

from vocalio_worker import pipeline
from vocalio_worker.api_client import ApiError, is_stale_attempt
from vocalio_worker.chapters import render_chapter
from vocalio_worker.engines.base import VoiceRef
from vocalio_worker.mastering import result_figures
from vocalio_worker.runtime import Runtime
from vocalio_worker.status_updates import JobAbandoned, StatusSender
from vocalio_worker.stream_publisher import ApiStreamPublisher, AudioStreamPublisher

log = structlog.get_logger("worker.jobs")
T = TypeVar("T")

PROGRESS_SYNTH_START, PROGRESS_SYNTH_END = 30.0, 70.0
REQUEUE_REPORT_LIMIT_S = 5.0  # a shutting-down worker does not wait longer to say "re-queued"


class JobCancelled(Exception):
    """The client asked to cancel; stop at this chunk boundary."""


class JobRun:
    def __init__(self, runtime: Runtime, spec: JobSpec, attempt: int, redis: Any, enqueued_at: datetime) -> None:
        self.runtime = runtime
        self.spec = spec
        self.attempt = attempt
        self.redis = redis
        self.enqueued_at = enqueued_at
        self.status = StatusSender(runtime.api, spec.job_id)
        self.warnings: list[str] = []
        self.expand_source: str | None = None
        self.timings_s: dict[str, float] = {}  # stage → seconds on this job's critical path
        self._last_progress_at = 0.0
        self.publisher: AudioStreamPublisher | ApiStreamPublisher | None = None  # streamed jobs only

    def update(self, status: JobStatus, progress: float, stage: str | None = None, **fields: Any) -> JobStatusUpdate:
        return JobStatusUpdate(
            worker_id=self.runtime.config.worker_id,
            status=status,
            progress=round(progress, 1),
            stage=stage,
            attempt=self.attempt,
            **fields,
        )

    def report(self, status: JobStatus, progress: float, stage: str | None = None) -> None:
        """A progress update, sent in order in the background (see `status_updates`)."""
        self.status.send(self.update(status, progress, stage))

    async def report_final(self, status: JobStatus, progress: float, stage: str, **fields: Any) -> None:
        """A terminal (or retry) update: after every earlier one, awaited, refusal raised."""
        await self.status.deliver(self.update(status, progress, stage, **fields))
        self.status.raise_if_refused()

    def progress(self, done: int, total: int, stage: str | None = None) -> None:
        """Per-batch progress, at most every `progress_interval_s` (the last one always)."""
        now = time.monotonic()
        if done < total and now - self._last_progress_at < self.runtime.config.progress_interval_s:
            return
        self._last_progress_at = now
        share = done / total if total else 1.0
        progress = PROGRESS_SYNTH_START + (PROGRESS_SYNTH_END - PROGRESS_SYNTH_START) * share
        self.report(JobStatus.SYNTHESIZING, progress, stage or f"chunk {done}/{total}")

    async def check_cancel(self) -> None:
        self.status.raise_if_refused()
        if self.status.cancel_requested or self.spec.job_id in self.runtime.cancel_flags:
            raise JobCancelled
        # pull mode has no Redis: its cancel flags arrive in heartbeat answers (cancel_flags)
        if self.redis is not None and await self.redis.exists(CANCEL_KEY_PREFIX + self.spec.job_id):
            raise JobCancelled

    async def timed(self, stage: str, function: Callable[..., T], *args: Any) -> T:
        """Run a blocking step in the worker thread, adding its time to `stage`."""
        started = time.monotonic()
        try:
            return await self.runtime.in_thread(function, *args)
        finally:
            self.add_time(stage, time.monotonic() - started)

    def add_time(self, stage: str, seconds: float) -> None:
        self.timings_s[stage] = self.timings_s.get(stage, 0.0) + seconds

    def ms(self, stage: str) -> float:
        return round(self.timings_s.get(stage, 0.0) * 1000, 1)

    async def prepare_text(self) -> tuple[TextAnalysis, TextAnalysis]:
        """(analysis of the raw text — region and markers —, analysis of what will be spoken)."""
        runtime, spec = self.runtime, self.spec
        raw = await self.timed("text", pipeline.analyze_text, spec.text, spec, runtime.engine)
        if not spec.expand:
            return raw, raw
        expanded = await self.expand(raw)
        if expanded is None:
            return raw, raw
        spoken = await self.timed("text", pipeline.analyze_text, expanded, spec, runtime.engine, raw.region)
        return raw, spoken

    async def expand(self, raw: TextAnalysis) -> str | None:
        config = self.runtime.config
        if not config.llm_bridge_url or config.llm_bridge_token is None:
            self.warnings.append("expand requested but this worker has no llm_bridge configured; text not expanded")
            return None
        try:
            from vocalio_llm_bridge.client import ExpandClient
        except ImportError:
            self.warnings.append("expand requested but the llm_bridge client is not installed; text not expanded")
            return None
        async with ExpandClient(
            config.llm_bridge_url, config.llm_bridge_token.get_secret_value(), verify=config.http_verify
        ) as bridge:
            outcome = await bridge.expand(self.spec.text, raw.region)
        self.warnings.extend(outcome.warnings)
        self.expand_source = "local" if outcome.local else outcome.source
        return outcome.text

    async def synthesize(
        self, chunks: list[str], batch_size: int, voice: VoiceRef, region: Region
    ) -> tuple[pipeline.ProcessedAudio, float]:
        """Batch by batch through the one audio path: (processed audio, engine seconds).

        A streamed job publishes each batch's final samples at once and runs its first chunk alone
        (first audio fast); a job nobody listens to gets the whole-file loudness pass at the end.
        """
        runtime, spec, config = self.runtime, self.spec, self.runtime.config
        audio = pipeline.JobAudio(spec.sample_rate, config, live=spec.stream)
        if spec.stream:
            self.publisher = (
                AudioStreamPublisher(self.redis, spec.job_id, self.attempt, spec.sample_rate)
                if self.redis is not None
                else ApiStreamPublisher(runtime.api, spec.job_id, self.attempt, spec.sample_rate)
            )
            await self.publisher.start()
        schedule = pipeline.stream_batches if spec.stream else pipeline.batches
        done, engine_s = 0, 0.0
        for batch in schedule(chunks, batch_size):
            await self.check_cancel()
            produced = await runtime.in_thread(
                pipeline.synthesize_batch, runtime.engine, batch, voice, spec, region, config.simulated_chunk_delay_s
            )
            engine_s += produced.engine_s
            self.add_time("postprocess", produced.resample_s)
            piece = await self.timed("postprocess", audio.push, produced.audio)
            if self.publisher is not None:
                await self.publisher.audio(piece)
            done += len(batch)
            self.progress(done, len(chunks))
        tail, processed = await self.timed("postprocess", audio.finish, chunks)
        if self.publisher is not None:  # the listener has everything now; encode and upload follow
            await self.publisher.audio(tail)
            await self.publisher.end(processed.segments)
        return processed, engine_s

    async def render_text(self) -> pipeline.RenderedAudio:
        """A plain job: the whole text through the text pipeline, chunk batches through the engine."""
        runtime, spec, config = self.runtime, self.spec, self.runtime.config
        raw, spoken = await self.prepare_text()
        self.warnings.extend(spoken.warnings)

        first_clause = runtime.engine.capabilities().stream_first_clause
        chunks = pipeline.stream_chunks(spoken.chunks, first_clause) if spec.stream else spoken.chunks
        batch_size = config.batch_size or runtime.engine.capabilities().max_batch
        voice_started = time.monotonic()
        voice = await runtime.voice_library().voice_for(spec.voice, spoken.region)
        self.warnings.extend(runtime.voice_library().warnings_for(voice))
        self.timings_s["voice"] = time.monotonic() - voice_started
        self.report(JobStatus.SYNTHESIZING, PROGRESS_SYNTH_START, f"chunk 0/{len(chunks)}")
        processed, engine_s = await self.synthesize(chunks, batch_size, voice, spoken.region)
        return pipeline.RenderedAudio(
            processed=processed,
            engine_s=engine_s,
            voice=voice,
            detected_region=raw.detected_region,
            region_confidence=raw.confidence,
            markers=raw.markers,
            chunks=len(chunks),
        )

    async def execute(self) -> dict[str, Any]:
        runtime, spec, config = self.runtime, self.spec, self.runtime.config
        started = time.monotonic()
        queue_wait_s = max(0.0, time.time() - self.enqueued_at.timestamp())
        runtime.metrics.queue_wait.observe(queue_wait_s)
        self.report(JobStatus.PREPARING, 0.0, "analyzing text")
        # A book's chapter goes sentence by sentence through the sentence cache (`chapters`).
        rendered = await (render_chapter(self) if spec.chapter is not None else self.render_text())
        processed, engine_s, voice = rendered.processed, rendered.engine_s, rendered.voice
        self.report(JobStatus.ENCODING, PROGRESS_SYNTH_END, "encoding")
        encoded = await self.timed("encode", pipeline.encode, processed, spec.output_format)
        processing_ms = (time.monotonic() - started) * 1000
        await self.check_cancel()

        # The quality figures (for the result only) are measured while the file uploads, and the
        # queued status updates go out meanwhile too; the result waits for all three.
        quality = asyncio.ensure_future(runtime.in_thread(result_figures, processed, config.mastering_preset))
        upload_started = time.monotonic()
        try:
            await runtime.api.upload_audio(spec.job_id, encoded.data, config.worker_id, self.attempt, encoded.sha256)
        except BaseException:
            quality.cancel()
            raise
        upload_ms = (time.monotonic() - upload_started) * 1000
        figures, audio_report = await quality
        await self.status.flush()
        result = JobResult(
            duration_s=round(encoded.duration_s, 3),
            sample_rate=encoded.sample_rate_hz,
            channels=encoded.channels,
            format=encoded.format,
            size_bytes=encoded.size_bytes,
            sha256=encoded.sha256,
            chunk_durations_s=processed.chunk_durations_s,
            segments=processed.segments,
            warnings=[*self.warnings, *processed.warnings, *encoded.warnings],
            sentence_keys=rendered.sentence_keys,
            voice_stats=rendered.voice_stats,
            audio_report=audio_report,
        )
        latency_ms = (time.monotonic() - started) * 1000
        rtf = engine_s / encoded.duration_s if encoded.duration_s else None
        metrics = JobMetrics(
            latency_ms=round(latency_ms, 1),
            processing_time_ms=round(processing_ms, 1),
            upload_time_ms=round(upload_ms, 1),
            queue_wait_ms=round(queue_wait_s * 1000, 1),
            engine_time_ms=round(engine_s * 1000, 1),
            text_ms=self.ms("text"),
            voice_ms=self.ms("voice"),
            postprocess_ms=self.ms("postprocess"),
            encode_ms=self.ms("encode"),
            status_ms=round(self.status.awaited_s * 1000, 1),
            audio_quality_score=figures.quality_score,
            snr_db=round(figures.snr_db, 2),
            clipping_rate=figures.clipping_rate,
            real_time_factor=round(rtf, 4) if rtf is not None else None,
            detected_region=rendered.detected_region,
            region_confidence=rendered.region_confidence,
            slang_markers=rendered.markers,
            nfe_steps_used=spec.nfe_step if runtime.engine.capabilities().uses_nfe_steps else None,
            engine=runtime.engine.name,
            voice_id=voice.voice_id,
            expand_source=self.expand_source,
            chunks=rendered.chunks,
            sentences_synthesized=rendered.sentences_synthesized,
            sentences_cached=rendered.sentences_cached,
            sentences_redrawn=rendered.sentences_redrawn,
            sentences_flagged=rendered.sentences_flagged,
        )
        await self.report_final(JobStatus.SUCCEEDED, 100.0, "done", result=result, metrics=metrics)
        runtime.metrics.inference_latency.observe(engine_s)
        runtime.metrics.audio_seconds.inc(encoded.duration_s)
        if rtf is not None:
            runtime.metrics.real_time_factor.observe(rtf)
        runtime.job_ended(spec.job_id, "succeeded", latency_ms)
        log.info("job_succeeded", duration_s=result.duration_s, latency_ms=metrics.latency_ms, chunks=rendered.chunks)
        return {"status": "succeeded", "sha256": encoded.sha256, "duration_s": result.duration_s}

    async def stream_stopped(self, code: str, message: str, recoverable: bool) -> None:
        """A streamed job's listener must hear that this attempt stopped (it may wait for a retry)."""
        if self.publisher is not None:
            await asyncio.wait_for(self.publisher.error(code, message, recoverable), REQUEUE_REPORT_LIMIT_S)

    async def fail(self, detail: ErrorDetail) -> None:
        try:
            await self.report_final(JobStatus.FAILED, 0.0, "failed", message=detail.message, error=detail)
        except (JobAbandoned, ApiError) as error:
            log.warning("failure_report_refused", error=str(error))


async def synthesize(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """arq entry point (JOB_FUNCTION); `ctx['job_try']` is our attempt number."""
    runtime: Runtime = ctx["runtime"]
    spec = JobSpec.model_validate(payload)
    attempt = int(ctx["job_try"])
    structlog.contextvars.bind_contextvars(job_id=spec.job_id, attempt=attempt)
    run = JobRun(runtime, spec, attempt, ctx["redis"], ctx["enqueue_time"])
    config = runtime.config
    if attempt > config.max_attempts:
        detail = error_detail(
            ErrorCode.RETRIES_EXHAUSTED,
            f"gave up after {config.max_attempts} attempts",
            {"attempts": attempt - 1, "max_attempts": config.max_attempts},
        )
        await run.fail(detail)
        runtime.metrics.jobs_completed.labels(status="failed").inc()
        runtime.failed_total += 1
        return {"status": "failed", "error": detail.code}
    runtime.job_started(spec.job_id)
    log.info("job_started", priority=spec.priority.value, chars=len(spec.text), format=spec.output_format.value)
    try:
        return await run.execute()
    except JobCancelled:
        await run.stream_stopped(ErrorCode.JOB_CANCELLED, "cancelled at a chunk boundary", recoverable=False)
        with contextlib.suppress(JobAbandoned, ApiError):
            await run.report_final(JobStatus.CANCELLED, 0.0, "cancelled", message="cancelled at a chunk boundary")
        runtime.job_ended(spec.job_id, "cancelled")
        log.info("job_cancelled")
        return {"status": "cancelled"}
    except JobAbandoned as error:
        await run.stream_stopped(ErrorCode.INVALID_STATE, str(error), recoverable=False)
        runtime.job_ended(spec.job_id, "abandoned")
        log.warning("job_abandoned", reason=str(error))
        return {"status": "abandoned"}
    except ApiError as error:
        await run.stream_stopped(ErrorCode.UPSTREAM_ERROR, str(error), recoverable=False)
        runtime.job_ended(spec.job_id, "abandoned" if is_stale_attempt(error) else "failed")
        log.warning("job_refused_by_api", error=str(error))
        return {"status": "abandoned", "error": error.code}
    except VocalioError as error:
        await run.stream_stopped(error.code, error.message, error.traits.recoverable)
        if error.code == ErrorCode.GPU_OOM:
            runtime.metrics.gpu_oom.inc()
        return await _handle_error(run, error.detail(), error.traits.recoverable)
    except asyncio.CancelledError:
        lease_lost = spec.job_id in runtime.lost_leases  # pull mode: a newer attempt owns the job
        recoverable = runtime.shutting_down or lease_lost
        await run.stream_stopped(ErrorCode.WORKER_LOST, "the job stopped on this worker", recoverable)
        await run.status.close(wait_s=REQUEUE_REPORT_LIMIT_S)  # earlier updates land before the next one
        if lease_lost:  # nothing to report: the API refuses this attempt's updates now
            runtime.job_ended(spec.job_id, "abandoned")
        elif runtime.shutting_down:
            runtime.job_ended(spec.job_id, "requeued")
            await _report_requeued(run)
        else:  # arq's job timeout: arq drops the job, so the API must hear that it failed
            runtime.job_ended(spec.job_id, "failed")
            await _report_timeout(run)
        raise  # arq requeues a job cancelled by our shutdown, and fails a timed-out one
    except (RedisConnectionError, RedisTimeoutError) as error:  # Redis gone past the pool's retry budget
        message = f"the job queue's Redis was unreachable: {error}"
        await run.stream_stopped(ErrorCode.UPSTREAM_ERROR, message, recoverable=True)
        return await _handle_error(run, error_detail(ErrorCode.UPSTREAM_ERROR, message), recoverable=True)
    except Exception as error:
        log.exception("job_crashed")
        await run.stream_stopped(ErrorCode.INTERNAL_ERROR, f"{type(error).__name__}: {error}", recoverable=False)
        detail = error_detail(ErrorCode.INTERNAL_ERROR, f"{type(error).__name__}: {error}")
        return await _handle_error(run, detail, recoverable=False)
    finally:
        await run.status.close()
        structlog.contextvars.unbind_contextvars("job_id", "attempt")


async def _handle_error(run: JobRun, detail: ErrorDetail, recoverable: bool) -> dict[str, Any]:
    runtime, config = run.runtime, run.runtime.config
    if recoverable and run.attempt < config.max_attempts:
        backoff_s = config.retry_backoff_s * 2 ** (run.attempt - 1)
        log.warning("job_retrying", code=detail.code, backoff_s=backoff_s)
        try:
            await run.report_final(JobStatus.QUEUED, 0.0, "retrying", message=detail.message, error=detail)
        except (JobAbandoned, ApiError):
            runtime.job_ended(run.spec.job_id, "abandoned")
            return {"status": "abandoned"}
        runtime.job_ended(run.spec.job_id, "retried")
        raise Retry(defer=lane_defer(run.spec.priority, backoff_s))
    log.warning("job_failed", code=detail.code, message=detail.message)
    await run.fail(detail)
    runtime.job_ended(run.spec.job_id, "failed")
    return {"status": "failed", "error": detail.code}


async def _report_requeued(run: JobRun) -> None:
    """Tell the API the job went back to the queue (event job.retrying); bounded, since we are exiting."""
    detail = error_detail(ErrorCode.WORKER_LOST, "the worker shut down before finishing; job re-queued")
    # the next attempt's first update supersedes this one anyway
    await _report_on_the_way_out(run, JobStatus.QUEUED, "re-queued", detail)


async def _report_timeout(run: JobRun) -> None:
    timeout_s = run.runtime.config.job_timeout_s
    detail = error_detail(
        ErrorCode.INTERNAL_ERROR,
        f"the job ran longer than VOCALIO_JOB_TIMEOUT_S ({timeout_s:.0f} s)",
        {"job_timeout_s": timeout_s},
    )
    # the API's reconciler fails the orphaned job later anyway
    await _report_on_the_way_out(run, JobStatus.FAILED, "timed out", detail)


async def _report_on_the_way_out(run: JobRun, status: JobStatus, stage: str, detail: ErrorDetail) -> None:
    """One last update while the job is being torn down: bounded in time, and a failure only logged."""
    update = run.update(status, 0.0, stage, message=detail.message, error=detail)
    try:
        await run.runtime.api.post_status(run.spec.job_id, update, max_elapsed_s=REQUEUE_REPORT_LIMIT_S)
    except Exception as error:
        log.warning("last_report_failed", stage=stage, error=repr(error))
