from __future__ import annotations

import logging

from streamml.predictor.config import PredictorConfig
from streamml.predictor.handler import PredictorHandler
from streamml.predictor.metrics import PredictorMetrics
from streamml.predictor.model_store import ModelStore
from streamml.runtime.service import ServiceContext, run_stream
from streamml.runtime.signing import TrustedKeys

log = logging.getLogger(__name__)


def serve(config: PredictorConfig, context: ServiceContext, trusted: TrustedKeys) -> None:
    metrics = PredictorMetrics.create(context.registry)
    log.info("trusting model signing keys", extra={"key_ids": sorted(trusted.keys)})
    store = ModelStore(config, metrics, context.metrics, trusted)
    context.health.add_check("model", lambda: store.current is not None)
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
