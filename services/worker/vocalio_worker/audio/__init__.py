"""The audio path after the engine, the same machine for every job, batch by batch:

engine chunks (native rate) → `resample` each chunk to the job's rate → `StreamingCrossfader` →
`Postprocessor` (silences shortened; then either a live gain fixed from the first chunk and the
streaming limiter, or — nobody listening — one gain-only pass over the whole file and the limiter)
→ `encode_audio` once. `measure_quality` reads the crossfaded audio, before the limiter, so
clipping shows. Resampling first means spans, the limiter's ceiling and streamed pieces are all at
the file's rate.
"""
