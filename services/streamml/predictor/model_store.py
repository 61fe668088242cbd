"""The model in use, kept current by a background reader of the models topic.

Every replica reads the whole models topic (no consumer group). At start it reads to the end
and installs the newest version that passes verification (signature by a trusted key first,
then the archive); afterwards each newer version is
verified and swapped in between two batches: a batch is predicted entirely by one model, no
event waits for a restart, none is dropped. A record that fails verification is counted,
dead-lettered and ignored; the current model stays in use.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord

from streamml.contracts.cricket import CricketModel, decode_model, header_version
from streamml.predictor.config import PredictorConfig
from streamml.predictor.forest import serving
from streamml.predictor.metrics import PredictorMetrics
from streamml.runtime.artifacts import WRONG_SCHEMA, ArtifactError
from streamml.runtime.dead_letter import Outgoing, Rejection, dead_letter
from streamml.runtime.metrics import RuntimeMetrics
from streamml.runtime.model_topic import SupervisedFollower, TopicFollower
from streamml.runtime.signing import TrustedKeys

log = logging.getLogger(__name__)
REJECTION_PREFIX = "model_"
# Rejected records remembered, so a restarted reader, which reads the newest two records of the
# key again, neither counts nor dead-letters one a second time: any bound >= 2 would do.
REMEMBERED_REJECTIONS = 64


class ModelStore:
    def __init__(self, config: PredictorConfig, metrics: PredictorMetrics,
                 runtime_metrics: RuntimeMetrics, trusted: TrustedKeys) -> None:
        self._config = config
        self._trusted = trusted
        self._metrics = metrics
        self._runtime_metrics = runtime_metrics
        self._dead_letters: deque[Outgoing] = deque()
        # (partition, offset, timestamp): the timestamp tells a recreated topic's record apart.
        self._rejected: deque[tuple[int, int, int]] = deque(maxlen=REMEMBERED_REJECTIONS)
        self._reader: SupervisedFollower | None = None
        self.current: CricketModel | None = None

    def start(self, stop: threading.Event,
              connect_consumer: Callable[[], KafkaConsumer | None] = lambda: None) -> None:
        """Follow the models topic; ``connect_consumer`` (tests) replaces the Kafka client of
        each reader the supervisor starts."""
        key = self._config.model_key.encode()
        self._reader = SupervisedFollower(
            lambda: TopicFollower(self._config, self._config.models_topic,
                                  lambda record: record.key == key, consumer=connect_consumer()),
            self._config.models_topic, self._config.service_name, self._runtime_metrics, stop,
            on_caught_up=self._install_newest, on_record=self.offer,
            backoff_max_s=self._config.connect_backoff_max_s,
            keep_per_key=2).start()  # a newest artifact that fails verification falls back

    def reader_following(self) -> bool:
        """The models topic is being followed (readiness; read on the HTTP thread)."""
        return self._reader is not None and self._reader.is_following()

    def join(self, timeout_s: float) -> None:
        if self._reader is not None:
            self._reader.join(timeout_s)

    def take_dead_letters(self) -> list[Outgoing]:
        taken = []
        while self._dead_letters:
            taken.append(self._dead_letters.popleft())
        return taken

    def _install_newest(self, records: list[ConsumerRecord]) -> None:
        """Newest first: the first version that verifies wins; newer failures are rejected.
        Runs again after the reader restarts: versions already in use and records already
        rejected are skipped."""
        for record in reversed(records):
            if record.value is None:
                continue
            if self.offer(record):
                return

    def offer(self, record: ConsumerRecord) -> bool:
        """Verify and install ``record`` if it is newer than the model in use."""
        if record.value is None:  # tombstone: the key was deleted; keep what we have
            return False
        if _position(record) in self._rejected:  # read again by a restarted reader
            return False
        current = self.current
        announced = header_version(record.headers)
        if current is not None and announced is not None and announced <= current.version:
            return False
        try:
            # The signature first: an archive from an untrusted source is never opened.
            self._trusted.verify(record.value, record.headers)
            model = decode_model(record.value, self._config.max_model_bytes)
            if model.model_key != self._config.model_key:
                raise ArtifactError(WRONG_SCHEMA, f"signed for model key {model.model_key!r}, "
                                                  f"published under {self._config.model_key!r}")
        except ArtifactError as exc:
            self._reject(record, exc)
            return False
        if current is not None and model.version <= current.version:
            return False
        self.current = serving(model)
        self._metrics.model_version.set(model.version)
        self._metrics.model_swaps.inc()
        log.info("model loaded", extra={"version": model.version, "bytes": model.size_bytes,
                                        "metrics": dict(model.metrics), "offset": record.offset})
        return True

    def _reject(self, record: ConsumerRecord, exc: ArtifactError) -> None:
        reason = REJECTION_PREFIX + exc.reason
        self._rejected.append(_position(record))
        self._metrics.model_rejections.labels(exc.reason).inc()
        self._runtime_metrics.dead_letters.labels(self._config.service_name, reason).inc()
        log.warning("model rejected; the current model stays in use", extra={
            "reason": exc.reason, "error": exc.detail[:300], "offset": record.offset,
            "current_version": self.current.version if self.current else None})
        self._dead_letters.append(dead_letter(Rejection(record, reason, exc.detail),
                                              self._config.dead_letter_topic,
                                              self._config.service_name))


def _position(record: ConsumerRecord) -> tuple[int, int, int]:
    return record.partition, record.offset, record.timestamp
