"""The orchestrator's main loop: training set, wait for a model, then rounds of live matches."""

from __future__ import annotations

import logging
import time
import uuid

import numpy as np
from kafka import KafkaProducer

from streamml.runtime.messages import Message
from streamml.orchestrator.config import OrchestratorConfig
from streamml.orchestrator.matches import play_round
from streamml.orchestrator.metrics import OrchestratorMetrics
from streamml.orchestrator.status import StatusWatcher
from streamml.orchestrator.training import generate_training_samples
from streamml.runtime.clients import connect_with_backoff, make_producer
from streamml.runtime.service import ServiceContext

log = logging.getLogger(__name__)


def now_ms() -> int:
    return int(time.time() * 1000)


class Orchestrator:
    def __init__(self, config: OrchestratorConfig, context: ServiceContext) -> None:
        self._config = config
        self._context = context
        self._metrics = OrchestratorMetrics.create(context.registry)
        self._run_id = config.run_id or uuid.uuid4().hex[:8]
        self._producer: KafkaProducer | None = None
        context.health.add_check("producer", lambda: self._producer is not None)

    def run(self) -> None:
        stop = self._context.stop
        self._producer = connect_with_backoff(
            lambda: make_producer(self._config), stop, "producer",
            self._config.connect_backoff_max_s)
        if self._producer is None:
            return
        try:
            self._publish_training_set()
            self._play_matches()
        finally:
            self._producer.flush(timeout=self._config.shutdown_timeout_s)
            self._producer.close(timeout=self._config.shutdown_timeout_s)
            log.info("stopped", extra={"run_id": self._run_id})

    def _send(self, topic: str, messages: list[tuple[str, Message]]) -> None:
        """Send and wait for every acknowledgement (raises if Kafka refuses)."""
        assert self._producer is not None
        self._context.health.beat()
        futures = [self._producer.send(topic, key=key.encode(), value=message.to_bytes())
                   for key, message in messages]
        self._producer.flush(timeout=self._config.shutdown_timeout_s)
        for future in futures:
            future.get(timeout=self._config.shutdown_timeout_s)

    def _publish_training_set(self) -> None:
        config = self._config
        if config.training_samples == 0:
            return
        watcher = StatusWatcher(config, config.status_topic) if config.wait_for_model_s else None
        try:
            samples = generate_training_samples(config.training_samples, config.samples_per_match,
                                                config.seed, self._run_id)
            self._send(config.training_topic, [(sample.match_id, sample) for sample in samples])
            self._metrics.training_samples.inc(len(samples))
            log.info("training set published",
                     extra={"samples": len(samples), "topic": config.training_topic})
            if watcher is None:
                return
            status = watcher.wait_for_model(config.model_key, len(samples), config.wait_for_model_s,
                                            self._context.stop, self._context.health.beat)
            if status is None and not self._context.stop.is_set():
                log.warning("no model reported in time; starting matches anyway "
                            "(predictors hold the events until they have a model)",
                            extra={"waited_s": config.wait_for_model_s})
            elif status is not None:
                log.info("model ready", extra={"version": status.version, "r2": status.r2,
                                               "mae": status.mae})
        finally:
            if watcher is not None:
                watcher.close()

    def _play_matches(self) -> None:
        config = self._config
        stop = self._context.stop
        rng = np.random.default_rng(config.seed + 1)
        played = 0
        while not stop.is_set() and (config.max_matches == 0 or played < config.max_matches):
            size = config.concurrent_matches
            if config.max_matches:
                size = min(size, config.max_matches - played)
            match_ids = [f"{self._run_id}-m{played + i + 1:05d}" for i in range(size)]
            played += size
            self._metrics.matches_started.inc(size)
            self._metrics.matches_in_progress.set(size)
            log.info("round started", extra={"matches": match_ids})
            next_ball = time.monotonic()
            for tick in play_round(match_ids, rng, now_ms):
                if stop.is_set():
                    break
                self._send(config.events_topic, [(e.match_id, e) for e in tick.events])
                self._metrics.events.inc(len(tick.events))
                if tick.results:
                    # Sent after the last ball is acknowledged: the result follows the events.
                    self._send(config.results_topic, [(r.match_id, r) for r in tick.results])
                    for result in tick.results:
                        self._metrics.matches_completed.inc()
                        self._metrics.final_score.observe(result.final_score)
                        self._metrics.matches_in_progress.dec()
                        log.info("match finished", extra={
                            "match_id": result.match_id, "final_score": result.final_score,
                            "wickets": result.wickets, "balls": result.balls})
                if config.ball_interval_s:
                    next_ball += config.ball_interval_s
                    stop.wait(max(0.0, next_ball - time.monotonic()))
        self._metrics.matches_in_progress.set(0)
