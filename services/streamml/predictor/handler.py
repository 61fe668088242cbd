"""The predictor as a stream handler: one vectorised model call per batch of events."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence

from streamml.contracts.cricket import MatchEvent, MatchResult, Prediction
from streamml.predictor.config import PredictorConfig
from streamml.predictor.metrics import EARLY_PHASE, LATE_PHASE, PredictorMetrics
from streamml.predictor.model_store import ModelStore
from streamml.predictor.scoring import LATE_FROM_OVER, MatchScore, MatchScorer
from streamml.runtime.dead_letter import Outgoing
from streamml.runtime.stream import HandlerResult, Incoming

log = logging.getLogger(__name__)


def now_ms() -> int:
    return int(time.time() * 1000)


class PredictorHandler:
    def __init__(self, config: PredictorConfig, metrics: PredictorMetrics, store: ModelStore,
                 clock_ms: Callable[[], int] = now_ms) -> None:
        self._config = config
        self._metrics = metrics
        self._store = store
        self._clock_ms = clock_ms
        self._scorer = MatchScorer(config.max_tracked_matches)
        self.inputs = {config.events_topic: MatchEvent, config.results_topic: MatchResult}

    def is_ready(self) -> bool:
        return self._store.current is not None

    def handle(self, batch: Sequence[Incoming]) -> HandlerResult:
        model = self._store.current  # one model for the whole batch, even if a swap happens now
        if model is None:
            raise RuntimeError("handle() called before a model was loaded")
        events = [item.message for item in batch if isinstance(item.message, MatchEvent)]
        outputs: list[Outgoing] = []
        # Match scoring advances once the predictions are delivered (see Handler: state).
        scored: list[Callable[[], MatchScore | None]] = []
        if events:
            self._metrics.events.inc(len(events))
            self._metrics.batch_size.observe(len(events))
            predicted = model.predict(events)
            made_at = self._clock_ms()
            for event, value in zip(events, predicted):
                latency_ms = max(0, made_at - event.event_time_ms)
                prediction = Prediction(
                    event_id=event.event_id, match_id=event.match_id, model_key=model.model_key,
                    model_version=model.version, predicted_final_score=float(value),
                    current_over=event.current_over, current_score=event.current_score,
                    wickets=event.wickets, latency_ms=float(latency_ms), predicted_at_ms=made_at)
                outputs.append(Outgoing(self._config.predictions_topic, prediction.to_bytes(),
                                        event.match_id.encode()))
                self._metrics.latency.observe(latency_ms / 1000)
                scored.append(functools.partial(
                    self._scorer.add_prediction, event.match_id, event.event_id,
                    event.current_over, float(value)))
            self._metrics.predictions.inc(len(events))
        scored.extend(functools.partial(self._scorer.add_result, item.message)
                      for item in batch if isinstance(item.message, MatchResult))
        return HandlerResult(outputs=outputs,
                             on_delivered=lambda: [self._record(score()) for score in scored] and None)

    def _record(self, score: MatchScore | None) -> None:
        if score is None:
            return
        self._metrics.matches_scored.inc()
        self._metrics.match_error.observe(score.mean_abs_error)
        for over, error in score.errors:
            self._metrics.ball_error.labels(LATE_PHASE if over > LATE_FROM_OVER
                                            else EARLY_PHASE).observe(error)
        log.info("match scored", extra={"match_id": score.match_id, "final_score": score.final_score,
                                        "mean_abs_error": round(score.mean_abs_error, 2)})

    def on_idle(self) -> list[Outgoing]:
        return self._store.take_dead_letters()

    def close(self) -> None:
        pass
