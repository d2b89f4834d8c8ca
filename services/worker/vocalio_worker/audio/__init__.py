"""The audio path after the engine, in the order the runtime runs it:

engine chunks (native rate) → `resample` each chunk to the job's rate → `crossfade` (or a
`StreamingCrossfader`) → `measure_quality` (before the limiter, so clipping shows) → `postprocess`
(silences, loudness, peak limit; chunk spans remapped) → `encode_audio`.
Resampling first means spans, the limiter's ceiling and streamed pieces are all at the file's rate.
"""
