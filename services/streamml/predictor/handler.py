"""The predictor as a stream handler: one vectorised model call per batch of events."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from streamml.contracts.cricket import MatchEvent, MatchResult, encode_predictions
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
        # Looked up once: a labelled child costs a lock and a dict lookup per call.
        self._early_error = metrics.ball_error.labels(EARLY_PHASE)
        self._late_error = metrics.ball_error.labels(LATE_PHASE)
        self.inputs = {config.events_topic: MatchEvent, config.results_topic: MatchResult}

    def is_ready(self) -> bool:
        return self._store.current is not None

    def handle(self, batch: Sequence[Incoming]) -> HandlerResult:
        model = self._store.current  # one model for the whole batch, even if a swap happens now
        if model is None:
            raise RuntimeError("handle() called before a model was loaded")
        events = [item.message for item in batch if isinstance(item.message, MatchEvent)]
        results = [item.message for item in batch if isinstance(item.message, MatchResult)]
        outputs: list[Outgoing] = []
        predicted: list[float] = []
        if events:
            self._metrics.events.inc(len(events))
            self._metrics.batch_size.observe(len(events))
            predicted = model.predict(events).tolist()
            made_at = self._clock_ms()
            latencies_ms = [max(0, made_at - event.event_time_ms) for event in events]
            values = encode_predictions(events, predicted, latencies_ms, model.model_key,
                                        model.version, made_at)
            topic = self._config.predictions_topic
            outputs = [Outgoing(topic, value, event.match_id.encode())
                       for event, value in zip(events, values)]
            observe = self._metrics.latency.observe
            for latency_ms in latencies_ms:
                observe(latency_ms / 1000)
            self._metrics.predictions.inc(len(events))

        def on_delivered() -> None:
            # Match scoring advances once the predictions are delivered (see Handler: state).
            add_prediction = self._scorer.add_prediction
            for event, value in zip(events, predicted):
                self._record(add_prediction(event.match_id, event.event_id, event.current_over,
                                            value))
            for result in results:
                self._record(self._scorer.add_result(result))

        return HandlerResult(outputs=outputs, on_delivered=on_delivered)

    def _record(self, score: MatchScore | None) -> None:
        if score is None:
            return
        self._metrics.matches_scored.inc()
        self._metrics.match_error.observe(score.mean_abs_error)
        for over, error in score.errors:
            (self._late_error if over > LATE_FROM_OVER else self._early_error).observe(error)
        log.info("match scored", extra={"match_id": score.match_id, "final_score": score.final_score,
                                        "mean_abs_error": round(score.mean_abs_error, 2)})

    def on_idle(self) -> list[Outgoing]:
        return self._store.take_dead_letters()

    def close(self) -> None:
        pass
