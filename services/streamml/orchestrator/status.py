"""Waiting for the trainer: the orchestrator's one synchronisation point."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kafka import KafkaConsumer

from streamml.contracts.cricket import ModelStatus
from streamml.runtime.clients import connection_settings, topic_partitions
from streamml.runtime.messages import DecodeError, decode
from streamml.runtime.settings import RuntimeConfig

log = logging.getLogger(__name__)
READY_KINDS = ("model_published", "model_kept")


class StatusWatcher:
    """Reads the model-status topic from its end as of construction (so reports that follow
    our training set are not missed, and older ones are ignored)."""

    def __init__(self, config: RuntimeConfig, topic: str) -> None:
        self._consumer = KafkaConsumer(
            **connection_settings(config),
            client_id=f"{config.effective_client_id}-status",
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
        )
        partitions = topic_partitions(self._consumer, topic)
        self._consumer.assign(partitions)
        self._consumer.seek_to_end(*partitions)
        for tp in partitions:
            self._consumer.position(tp)  # resolve "end" now, before we publish anything

    def wait_for_model(self, model_key: str, min_samples: int, timeout_s: float,
                       stop: threading.Event,
                       heartbeat: Callable[[], None] = lambda: None) -> ModelStatus | None:
        """The first report of a usable model trained on at least ``min_samples`` samples."""
        deadline = time.monotonic() + timeout_s
        while not stop.is_set() and time.monotonic() < deadline:
            heartbeat()
            for batch in self._consumer.poll(timeout_ms=500).values():
                for record in batch:
                    try:
                        status = decode(ModelStatus, record.value)
                    except DecodeError:
                        continue
                    if status.model_key != model_key:
                        continue
                    log.info("trainer reported", extra={"kind": status.kind, "version": status.version,
                                                        "samples": status.train_samples + status.holdout_samples})
                    if (status.kind in READY_KINDS
                            and status.train_samples + status.holdout_samples >= min_samples):
                        return status
        return None

    def close(self) -> None:
        self._consumer.close()
