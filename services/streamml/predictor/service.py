from __future__ import annotations

import logging
import time

from streamml.contracts.cricket import CricketModel
from streamml.predictor.config import PredictorConfig
from streamml.predictor.handler import PredictorHandler
from streamml.predictor.metrics import PredictorMetrics
from streamml.predictor.model_store import ModelStore
from streamml.runtime.service import ServiceContext, run_stream
from streamml.runtime.signing import TrustedKeys
from streamml.runtime.summary import Samples

log = logging.getLogger(__name__)


def model_summary(model: CricketModel | None, now_ms: int | None = None) -> dict[str, object]:
    """The model in use, for the periodic log summary."""
    if model is None:
        return {"model_version": None}
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    return {"model_version": model.version,
            "model_age_s": round(max(now_ms - model.trained_at_ms, 0) / 1000),
            "model_holdout_mae": round(model.metrics.get("mae", float("nan")), 2)}


def live_error_summary(samples: Samples) -> dict[str, object]:
    """Mean absolute error of finished matches' predictions against their final scores."""
    count = samples.value("streamml_predictor_match_error_runs_count") or 0
    total = samples.value("streamml_predictor_match_error_runs_sum") or 0
    return {"live_mae": round(total / count, 2)} if count else {}


def serve(config: PredictorConfig, context: ServiceContext, trusted: TrustedKeys) -> None:
    metrics = PredictorMetrics.create(context.registry)
    log.info("trusting model signing keys", extra={"key_ids": sorted(trusted.keys)})
    store = ModelStore(config, metrics, context.metrics, trusted)
    context.health.add_check("model", lambda: store.current is not None)
    context.health.add_check("model_reader", store.reader_following)
    context.summary.add_fields(lambda samples: model_summary(store.current))
    context.summary.add_gauge("matches_scored", "streamml_predictor_matches_scored_total", digits=0)
    context.summary.add_fields(live_error_summary)
    store.start(context.stop)
    try:
        # Join the consumer group only once a model is loaded: until then the events wait in
        # Kafka, uncommitted, for this replica or another one that has a model.
        if store.current is None:
            log.info("waiting for a model", extra={"model_key": config.model_key,
                                                   "topic": config.models_topic})
        while store.current is None and not context.stop.is_set():
            context.health.beat()
            context.stop.wait(0.2)
        if context.stop.is_set():
            return
        run_stream(context, PredictorHandler(config, metrics, store))
    finally:
        context.stop.set()
        store.join(timeout_s=5)
