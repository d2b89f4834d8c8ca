"""The workers' autoscaling rule (the seed design's), in one place.

Scale out while `pending_jobs > live workers × PENDING_JOBS_PER_WORKER`; remove a worker only after it
has been surplus for SCALE_IN_IDLE_S. The API publishes the inputs (`GET /api/v1/scaling`, the
`vocalio_pending_jobs_per_live_worker` gauge); the Kubernetes manifests' KEDA ScaledObject
(deploy/kubernetes/base/autoscaling.yaml) implements the rule, and tests/deploy checks that its
thresholds are these numbers.
"""

PENDING_JOBS_PER_WORKER = 2
SCALE_IN_IDLE_S = 600
SCALING_SIGNAL_PATH = "/api/v1/scaling"
