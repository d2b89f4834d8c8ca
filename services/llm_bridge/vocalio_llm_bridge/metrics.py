"""The bridge's Prometheus metrics, in a registry per app so tests can build several apps."""

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram
from vocalio_shared import metric_names as names

_LATENCY_BUCKETS_S = (0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60, 120)


@dataclass
class BridgeMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter(
            names.EXPAND_REQUESTS_TOTAL,
            "Expand requests answered, by source of the text.",
            ["source"],
            registry=self.registry,
        )
        self.latency = Histogram(
            names.EXPAND_LATENCY_SECONDS,
            "Time to answer an expand request, by source.",
            ["source"],
            buckets=_LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.fallbacks = Counter(
            names.EXPAND_FALLBACKS_TOTAL,
            "LLM answers not used (rules output served instead), by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.cache_hits = Counter(
            names.EXPAND_CACHE_HITS_TOTAL,
            "Expand requests served from the Redis cache.",
            registry=self.registry,
        )
        self.ollama_latency = Histogram(
            names.EXPAND_OLLAMA_LATENCY_SECONDS,
            "Duration of one Ollama chat call, by outcome.",
            ["outcome"],
            buckets=_LATENCY_BUCKETS_S,
            registry=self.registry,
        )
