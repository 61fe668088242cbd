"""Settings every service shares; each service's own config dataclass extends this one."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field

from streamml.runtime.config import require
from streamml.runtime.logs import LOG_FORMATS

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
GUARANTEES = ("at-least-once", "exactly-once")
SHUTDOWN_MARGIN_S = 5.0
REBALANCE_PROTOCOLS = ("cooperative-sticky", "eager")
SECURITY_PROTOCOLS = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL")
SASL_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")
SWITCH_INTERVAL_MS = 0.5


@dataclass(frozen=True)
class KafkaConnection:
    """Where and how a Kafka client connects: every service, and the tools that read Kafka
    themselves (demo, watch, report), read these settings the same way."""

    bootstrap_servers: str = DEFAULT_BOOTSTRAP
    # Kafka authentication (docs/security.md): SASL_PLAINTEXT or SASL_SSL with SCRAM-SHA-512
    # against a secure broker; the password never appears in logs, metrics or the config's repr.
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    sasl_username: str = ""
    sasl_password: str = field(default="", repr=False)
    # CA bundle (PEM) that signed the brokers' certificates, for SSL/SASL_SSL (e.g. Strimzi's
    # cluster CA); empty: the system's trust store.
    ssl_cafile: str = ""

    def validate(self) -> None:
        require(self, bool(self.bootstrap_servers.strip()), "bootstrap_servers", "must not be empty")
        require(self, self.security_protocol in SECURITY_PROTOCOLS, "security_protocol",
                f"one of {', '.join(SECURITY_PROTOCOLS)}, not {self.security_protocol!r}")
        if self.security_protocol.startswith("SASL_"):
            require(self, self.sasl_mechanism in SASL_MECHANISMS, "sasl_mechanism",
                    f"one of {', '.join(SASL_MECHANISMS)}, not {self.sasl_mechanism!r}")
            require(self, bool(self.sasl_username), "sasl_username",
                    f"required with STREAMML_SECURITY_PROTOCOL={self.security_protocol}")
            require(self, bool(self.sasl_password), "sasl_password",
                    f"required with STREAMML_SECURITY_PROTOCOL={self.security_protocol}")

    @property
    def authenticates(self) -> bool:
        return self.security_protocol.startswith("SASL_")


@dataclass(frozen=True)
class RuntimeConfig(KafkaConnection):
    service_name: str = "streamml"
    client_id: str = ""
    group_id: str = ""
    http_host: str = "0.0.0.0"
    http_port: int = 8080
    log_level: str = "INFO"
    # "json" (one object per line, for log shippers) or "text" (for people reading kubectl logs).
    log_format: str = "json"
    # A one-line summary (rates, lag, dead letters, the service's own fields) every this many
    # seconds; 0 turns it off.
    summary_interval_s: float = 30.0
    dead_letter_topic: str = "streamml.dead-letter"
    max_poll_records: int = 500
    poll_timeout_ms: int = 200
    # A fetch is answered once this many bytes are waiting or fetch_max_wait_ms has passed.
    fetch_min_bytes: int = 1
    fetch_max_wait_ms: int = 500
    # The pipelined loop: batches handled and sent whose outputs are not yet acknowledged
    # (exactly-once: not yet committed), at most this many and holding at most this many
    # records; at the bound the loop waits for the oldest.
    max_in_flight_batches: int = 4
    max_in_flight_records: int = 5000
    # At-least-once: acknowledged offsets are committed (asynchronously) at most this often.
    # Exactly-once: a transaction spans polls until the polled input is exhausted or this long
    # after it began (Kafka Streams' commit.interval.ms).
    commit_interval_ms: int = 100
    # Producer batching: a few ms of linger lets a batch of outputs share one request.
    linger_ms: int = 5
    # kafka-python's own client metrics (never exported: the services export their own).
    # Recorded under locks on every request, response and fetched partition, they stretched
    # the detector's turns threefold at 5,000 events/s (docs/runtime.md).
    client_metrics: bool = False
    # CPython's thread switch interval (sys.setswitchinterval), in ms: the longest a thread woken
    # by Kafka I/O (the producer's sender, the consumer's IO thread) waits for the interpreter
    # while the main loop computes. CPython's default is 5 ms; an acknowledgement or a fetch
    # takes several such hand-offs (docs/runtime.md, "Thread hand-offs").
    switch_interval_ms: float = SWITCH_INTERVAL_MS
    # Freeze what survives a collection of the older generations, so that full collections
    # visit only what is new; every gc_reclaim_interval_s the frozen objects are collected once
    # (docs/runtime.md, "Garbage-collection pauses").
    gc_freeze_survivors: bool = True
    gc_reclaim_interval_s: float = 600.0
    compression_type: str = "none"
    # Raised together with the models topic's max.message.bytes (see topics.yaml).
    max_message_bytes: int = 16 * 1024 * 1024
    # at-least-once: outputs acknowledged before offsets are committed (duplicates possible
    # after a crash). exactly-once: outputs, dead letters and offsets in one transaction.
    processing_guarantee: str = "at-least-once"
    # Exactly-once only: stable per replica (the pod name in Kubernetes, so a restarted pod
    # fences its previous incarnation). Empty: <group>-<hostname>-<http port>.
    transactional_id: str = ""
    transaction_timeout_s: float = 30.0
    # The SIGTERM budget: a turn in flight may block in send() for send_block_s (metadata
    # during an outage) and wait delivery_timeout_s for acknowledgements; then the clients
    # get shutdown_timeout_s to flush and close. Together, plus 5 s of margin, they must fit in
    # Kubernetes' terminationGracePeriodSeconds (termination_grace_s, set by the chart).
    send_block_s: float = 5.0
    delivery_timeout_s: float = 8.0
    shutdown_timeout_s: float = 10.0
    termination_grace_s: float = 30.0
    # /healthz fails once outputs have waited this long without any successful delivery.
    delivery_stall_s: float = 300.0
    # /healthz fails once the main loop has not turned for this long (e.g. stuck in a call).
    liveness_stall_s: float = 120.0
    # A consumer that fetches nothing for this long while its partitions have records waiting
    # is replaced by a new one.
    consumer_stall_s: float = 30.0
    connect_backoff_max_s: float = 10.0
    # Static group membership (KIP-345): a process that comes back with the same id within the
    # session timeout gets its partitions back without a rebalance. The chart sets the pod
    # name (stable across container restarts); a clean stop leaves the group explicitly, as a
    # stopped pod never comes back under its name. "" = a dynamic member.
    group_instance_id: str = ""
    # "cooperative-sticky": a rebalance moves only the partitions that change owner, the others
    # keep flowing (KIP-429); the chart sets it. "eager" (kafka-python's default, kept here
    # for local runs): every rebalance revokes every partition first.
    rebalance_protocol: str = "eager"

    def validate(self) -> None:
        super().validate()
        require(self, 0 <= self.http_port <= 65535, "http_port", f"{self.http_port} is not a TCP port")
        require(
            self, self.log_level.upper() in logging.getLevelNamesMapping(),
            "log_level",
            f"unknown level {self.log_level!r}",
        )
        require(self, self.log_format in LOG_FORMATS, "log_format",
                f"{self.log_format!r} is not one of {', '.join(LOG_FORMATS)}")
        require(self, self.summary_interval_s >= 0, "summary_interval_s", "must not be negative")
        require(self, self.max_poll_records > 0, "max_poll_records", "must be positive")
        require(self, self.fetch_min_bytes > 0, "fetch_min_bytes", "must be positive")
        require(self, self.fetch_max_wait_ms >= 0, "fetch_max_wait_ms", "must not be negative")
        require(self, self.poll_timeout_ms > 0, "poll_timeout_ms", "must be positive")
        require(self, self.max_in_flight_batches > 0, "max_in_flight_batches", "must be positive")
        require(self, self.max_in_flight_records > 0, "max_in_flight_records", "must be positive")
        require(self, self.commit_interval_ms >= 0, "commit_interval_ms", "must not be negative")
        require(self, self.linger_ms >= 0, "linger_ms", "must not be negative")
        require(self, 0 < self.switch_interval_ms <= 100, "switch_interval_ms",
                "must be above 0 and at most 100 ms")
        require(self, self.gc_reclaim_interval_s > 0, "gc_reclaim_interval_s", "must be positive")
        require(
            self, self.compression_type in {"none", "gzip", "lz4", "snappy", "zstd"},
            "compression_type",
            f"unknown codec {self.compression_type!r}",
        )
        require(self, self.max_message_bytes >= 1024, "max_message_bytes", "must be at least 1024")
        require(self, self.processing_guarantee in GUARANTEES, "processing_guarantee",
                f"{self.processing_guarantee!r} is not one of {', '.join(GUARANTEES)}")
        require(self, self.transaction_timeout_s >= 1, "transaction_timeout_s",
                "must be at least 1 s")
        for name in ("send_block_s", "delivery_timeout_s", "shutdown_timeout_s"):
            require(self, getattr(self, name) > 0, name, "must be positive")
        drain = self.send_block_s + self.delivery_timeout_s + self.shutdown_timeout_s
        require(self, drain + SHUTDOWN_MARGIN_S <= self.termination_grace_s, "shutdown_timeout_s",
                f"send_block_s + delivery_timeout_s + shutdown_timeout_s = {drain:g} s; with "
                f"{SHUTDOWN_MARGIN_S:g} s of margin it must fit in termination_grace_s "
                f"({self.termination_grace_s:g} s)")
        require(self, self.delivery_stall_s > 0, "delivery_stall_s", "must be positive")
        require(self, self.liveness_stall_s > 0, "liveness_stall_s", "must be positive")
        require(self, self.consumer_stall_s > 0, "consumer_stall_s", "must be positive")
        require(self, self.rebalance_protocol in REBALANCE_PROTOCOLS, "rebalance_protocol",
                f"{self.rebalance_protocol!r} is not one of {', '.join(REBALANCE_PROTOCOLS)}")
        require(self, len(self.group_instance_id) <= 249, "group_instance_id",
                "must be at most 249 characters")

    @property
    def effective_group_id(self) -> str:
        return self.group_id or f"streamml-{self.service_name}"

    @property
    def exactly_once(self) -> bool:
        return self.processing_guarantee == "exactly-once"

    @property
    def effective_transactional_id(self) -> str:
        return self.transactional_id or (
            f"{self.effective_group_id}-{socket.gethostname()}-{self.http_port or os.getpid()}")

    @property
    def effective_client_id(self) -> str:
        return self.client_id or f"streamml-{self.service_name}"
