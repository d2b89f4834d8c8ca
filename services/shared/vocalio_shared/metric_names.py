"""Prometheus metric names: dashboards and alert rules depend on exactly these strings."""

# API
HTTP_REQUESTS_TOTAL = "vocalio_http_requests_total"
HTTP_REQUEST_DURATION_SECONDS = "vocalio_http_request_duration_seconds"
JOBS_BY_STATUS = "vocalio_jobs"
JOBS_CREATED_TOTAL = "vocalio_jobs_created_total"
JOBS_FINISHED_TOTAL = "vocalio_jobs_finished_total"
JOB_DURATION_SECONDS = "vocalio_job_duration_seconds"
QUEUE_DEPTH = "vocalio_queue_depth"
WORKERS_BY_STATE = "vocalio_workers"
PENDING_PER_LIVE_WORKER = "vocalio_pending_jobs_per_live_worker"
WEBHOOK_DELIVERIES_TOTAL = "vocalio_webhook_deliveries_total"
AUDIO_SECONDS_STORED_TOTAL = "vocalio_audio_seconds_stored_total"
RATE_LIMITED_TOTAL = "vocalio_rate_limited_total"
SENTENCES_STORED_TOTAL = "vocalio_sentences_stored_total"  # sentence-cache uploads, by outcome
SENTENCES_REMOVED_TOTAL = "vocalio_sentences_removed_total"  # sentence-cache files the sweep removed
BACKGROUND_RUNS_TOTAL = "vocalio_background_runs_total"  # runs of the API's background loops, by task

# Worker (seed names first)
GPU_UTILIZATION_PERCENT = "gpu_utilization_percent"
GPU_MEMORY_USED_MB = "gpu_memory_used_mb"
GPU_MEMORY_TOTAL_MB = "gpu_memory_total_mb"
GPU_TEMPERATURE_C = "gpu_temperature_celsius"
MEMORY_USAGE_MB = "memory_usage_mb"
JOBS_COMPLETED_TOTAL = "jobs_completed_total"
INFERENCE_LATENCY_SECONDS = "inference_latency_seconds"
AUDIO_SECONDS_PRODUCED_TOTAL = "vocalio_worker_audio_seconds_total"
REAL_TIME_FACTOR = "vocalio_worker_real_time_factor"
QUEUE_WAIT_SECONDS = "vocalio_worker_queue_wait_seconds"
WORKER_STATE = "vocalio_worker_state"
GPU_OOM_TOTAL = "vocalio_worker_gpu_oom_total"
API_CIRCUIT_STATE = "vocalio_worker_api_circuit_state"
API_CALL_FAILURES_TOTAL = "vocalio_worker_api_call_failures_total"

# llm_bridge
EXPAND_REQUESTS_TOTAL = "vocalio_llm_expand_requests_total"
EXPAND_LATENCY_SECONDS = "vocalio_llm_expand_latency_seconds"
EXPAND_FALLBACKS_TOTAL = "vocalio_llm_expand_fallbacks_total"
EXPAND_CACHE_HITS_TOTAL = "vocalio_llm_expand_cache_hits_total"
EXPAND_OLLAMA_LATENCY_SECONDS = "vocalio_llm_ollama_call_seconds"
# Worker side of the bridge: the ExpandClient's circuit (0 closed, 1 half-open, 2 open) and local fallbacks
LLM_BRIDGE_CIRCUIT_STATE = "vocalio_worker_llm_bridge_circuit_state"
LLM_BRIDGE_FALLBACKS_TOTAL = "vocalio_worker_llm_bridge_fallbacks_total"
