"""The trainer as a stream handler: collect samples in ``handle``, train in ``on_idle``."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence

from streamml.contracts.cricket import (
    CricketModel,
    MatchEvent,
    MatchResult,
    ModelStatus,
    TrainingSample,
    encode_model,
    model_headers,
)
from streamml.runtime.dead_letter import Outgoing
from streamml.runtime.signing import Signer
from streamml.runtime.stream import HandlerResult, Incoming
from streamml.trainer.config import TrainerConfig
from streamml.trainer.dataset import MatchOutcomes, TrainingWindow
from streamml.trainer.metrics import TrainerMetrics
from streamml.trainer.model import evaluate, fit_candidate, not_worse

log = logging.getLogger(__name__)


def now_ms() -> int:
    return int(time.time() * 1000)


class TrainerHandler:
    def __init__(self, config: TrainerConfig, metrics: TrainerMetrics,
                 incumbent: CricketModel | None, last_version: int, signer: Signer,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._metrics = metrics
        self._clock = clock
        self._signer = signer
        self.incumbent = incumbent
        self.last_version = max(last_version, incumbent.version if incumbent else 0)
        self.window = TrainingWindow(config.max_samples, config.holdout_fraction)
        self._outcomes = MatchOutcomes(config.max_open_matches)
        self._turns_without_input = 0
        self._due_since: float | None = None
        self.inputs: dict[str, type] = {config.training_topic: TrainingSample}
        if config.learn_from_matches:
            self.inputs[config.events_topic] = MatchEvent
            self.inputs[config.results_topic] = MatchResult
        if incumbent is not None:
            metrics.model_version.set(incumbent.version)

    def is_ready(self) -> bool:
        return True

    def handle(self, batch: Sequence[Incoming]) -> HandlerResult:
        messages = [item.message for item in batch]
        # Samples are added once the batch is committed: a batch handled again (a failed send,
        # a one-by-one retry) adds nothing twice.
        return HandlerResult(on_delivered=lambda: self._add(messages))

    def _add(self, messages: list) -> None:
        self._turns_without_input = 0
        for message in messages:
            if isinstance(message, TrainingSample):
                self.window.add(message.match_id, message, message.final_score)
                self._metrics.samples.labels("synthetic").inc()
            elif isinstance(message, MatchEvent):
                self._learn(self._outcomes.add_event(message))
            elif isinstance(message, MatchResult):
                self._learn(self._outcomes.finish(message))
        self._metrics.open_matches.set(self._outcomes.open_matches)

    def _learn(self, labelled: list[tuple[MatchEvent, int]]) -> None:
        for event, final_score in labelled:
            self.window.add(event.match_id, event, final_score)
        if labelled:
            self._metrics.samples.labels("match").inc(len(labelled))

    def _training_due(self) -> bool:
        needed = (self._config.min_samples if self.incumbent is None
                  else self._config.retrain_min_new_samples)
        if len(self.window) < self._config.min_samples or self.window.new_since_training < needed:
            self._due_since = None
            return False
        if self._due_since is None:
            self._due_since = self._clock()
        # on_idle runs before the turn's batch is handled: two idle turns in a row mean
        # that the previous poll came back empty, i.e. the input is drained.
        drained = self._turns_without_input >= 2
        return drained or self._clock() - self._due_since >= self._config.max_train_delay_s

    def on_idle(self) -> HandlerResult:
        self._turns_without_input += 1
        if not self._training_due():
            return HandlerResult()
        self._due_since = None
        return self.train()

    def train(self) -> HandlerResult:
        """Fit and judge a candidate. The model version and the incumbent advance only when
        the runtime has delivered the model (``on_delivered``): a failed publish is retried
        with the same version, never skipped."""
        config = self._config
        split = self.window.split()
        base = dict(model_key=config.model_key, train_samples=len(split.y_train),
                    holdout_samples=len(split.y_holdout))
        if len(split.y_holdout) < 2 or len(split.y_train) < 2:
            return HandlerResult([self._status(ModelStatus(
                kind="training_failed", time_ms=now_ms(),
                detail="not enough held-out or training samples yet", **base))])
        candidate = fit_candidate(config, split)
        result = candidate.evaluation
        self._metrics.training_seconds.observe(candidate.duration_s)
        self._metrics.training_samples.set(len(split.y_train))
        self._metrics.holdout_r2.set(result.r2)
        self._metrics.holdout_mae.set(result.mae)
        incumbent_mae = (evaluate(self.incumbent.estimator, split.x_holdout, split.y_holdout).mae
                         if self.incumbent is not None else None)
        scores = dict(r2=result.r2, mae=result.mae, incumbent_mae=incumbent_mae,
                      duration_s=round(candidate.duration_s, 3), **base)
        log.info("candidate trained", extra=scores)
        if not not_worse(result.mae, incumbent_mae, config.publish_tolerance):
            self._metrics.training_runs.labels("kept").inc()
            return HandlerResult([self._status(ModelStatus(
                kind="model_kept", version=self.incumbent.version if self.incumbent else None,
                time_ms=now_ms(), detail="candidate worse on held-out data", **scores))])
        version = self.last_version + 1
        trained_at = now_ms()
        metrics = {"r2": result.r2, "mae": result.mae, "train_samples": len(split.y_train),
                   "holdout_samples": len(split.y_holdout)}
        payload = encode_model(config.model_key, version, candidate.estimator, metrics, trained_at)
        if len(payload) > config.max_model_bytes:
            self._metrics.training_runs.labels("failed").inc()
            return HandlerResult([self._status(ModelStatus(
                kind="training_failed", time_ms=now_ms(), model_bytes=len(payload),
                detail=f"artifact of {len(payload)} bytes exceeds {config.max_model_bytes}",
                **scores))])
        published = CricketModel(config.model_key, version, candidate.estimator, metrics,
                                 trained_at, len(payload))

        def delivered() -> None:
            self.incumbent = published
            self.last_version = version
            self._metrics.training_runs.labels("published").inc()
            self._metrics.model_version.set(version)
            self._metrics.model_bytes.set(len(payload))
            log.info("model published", extra={"version": version, "bytes": len(payload)})

        model = Outgoing(config.models_topic, payload, config.model_key.encode(),
                         model_headers(version, hashlib.sha256(payload).hexdigest())
                         + self._signer.headers(payload))
        # The model is sent before its status, so a reader of the status finds the model.
        return HandlerResult([model, self._status(ModelStatus(
            kind="model_published", version=version, model_bytes=len(payload),
            time_ms=trained_at, **scores))], on_delivered=delivered)

    def _status(self, status: ModelStatus) -> Outgoing:
        return Outgoing(self._config.status_topic, status.to_bytes(), status.model_key.encode())

    def close(self) -> None:
        pass
