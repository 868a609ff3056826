"""Prometheus metrics of the service, in a registry per app (tests build many apps)."""

from dataclasses import dataclass, field

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
PROBABILITY_BUCKETS = tuple(round(step / 10, 1) for step in range(1, 11))


@dataclass
class ServiceMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        self.requests = Counter(
            "{{metrics.requests}}",
            "HTTP requests by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "{{metrics.latency}}",
            "HTTP request latency in seconds by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.predictions = Counter(
            "{{metrics.predictions}}",
            "Rows scored, by predicted label.",
            ["label"],
            registry=self.registry,
        )
        self.prediction_value = Histogram(
            "{{metrics.predictionValue}}",
            "Predicted probability of class 1: its distribution shifts when inputs drift.",
            buckets=PROBABILITY_BUCKETS,
            registry=self.registry,
        )
        # The inference log (serving/inference_log.py): rows written, failed writes, dropped rows.
        self.inference_log_rows = Counter(
            "model_inference_log_rows",
            "Scored rows written to the inference log.",
            registry=self.registry,
        )
        self.inference_log_failures = Counter(
            "model_inference_log_failures",
            "Inference log writes that failed (their rows are lost).",
            registry=self.registry,
        )
        self.inference_log_dropped = Counter(
            "model_inference_log_dropped_rows",
            "Scored rows not recorded because the inference log buffer was full.",
            registry=self.registry,
        )
        # Labelled children looked up once per label set: the hot path skips the lock and parsing.
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self.model_info = Gauge(
            "{{metrics.modelInfo}}",
            "The model being served (value 1).",
            ["model_name", "model_version", "model_alias"],
            registry=self.registry,
        )

    def count_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
