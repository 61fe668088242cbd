"""Metrics every service exports, declared once. Service-specific metrics live beside each
service; dashboards and alert rules may only use names declared in these modules (a test
scrapes the running services to prove it)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

BATCH_SIZE_BUCKETS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


@dataclass(frozen=True)
class RuntimeMetrics:
    consumed: Counter
    produced: Counter
    dead_letters: Counter
    batch_size: Histogram
    batch_seconds: Histogram
    commit_failures: Counter
    send_failures: Counter
    ready: Gauge
    consumer_reconnects: Counter
    lag: Gauge
    producer_rebuilds: Counter
    follower_restarts: Counter
    follower_up: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> RuntimeMetrics:
        # `_created` series double every counter's cardinality and no dashboard uses them.
        disable_created_metrics()
        return cls(
            consumed=Counter(
                "streamml_messages_consumed", "Messages read from Kafka",
                ["service", "topic"], registry=registry,
            ),
            produced=Counter(
                "streamml_messages_produced", "Messages acknowledged by Kafka",
                ["service", "topic"], registry=registry,
            ),
            dead_letters=Counter(
                "streamml_dead_letters", "Inputs sent to the dead-letter topic",
                ["service", "reason"], registry=registry,
            ),
            batch_size=Histogram(
                "streamml_batch_size", "Valid messages handled per batch",
                ["service"], buckets=BATCH_SIZE_BUCKETS, registry=registry,
            ),
            batch_seconds=Histogram(
                "streamml_batch_duration_seconds", "Time to handle, produce and commit one batch",
                ["service"], buckets=LATENCY_BUCKETS, registry=registry,
            ),
            commit_failures=Counter(
                "streamml_commit_failures", "Offset commits that failed (e.g. lost a rebalance)",
                ["service"], registry=registry,
            ),
            send_failures=Counter(
                "streamml_send_failures", "Batches whose outputs Kafka did not acknowledge",
                ["service"], registry=registry,
            ),
            ready=Gauge(
                "streamml_ready", "1 when the service reports ready", ["service"], registry=registry,
            ),
            consumer_reconnects=Counter(
                "streamml_consumer_reconnects",
                "Consumers replaced after making no progress while records were waiting",
                ["service"], registry=registry,
            ),
            lag=Gauge(
                "streamml_consumer_lag",
                "Records between the consumer's position and the partition's high watermark",
                ["service", "topic", "partition"], registry=registry,
            ),
            producer_rebuilds=Counter(
                "streamml_producer_rebuilds",
                "Producers replaced after a fatal error (fenced, sequence lost)",
                ["service"], registry=registry,
            ),
            follower_restarts=Counter(
                "streamml_topic_follower_restarts",
                "Restarts of a background topic reader (e.g. the model reader) after a failure",
                ["service", "topic"], registry=registry,
            ),
            follower_up=Gauge(
                "streamml_topic_follower_up",
                "1 while a background topic reader has caught up and follows its topic",
                ["service", "topic"], registry=registry,
            ),
        )
