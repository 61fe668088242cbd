"""The detector's wiring: settings -> handler -> runtime."""

from __future__ import annotations

import time

from streamml.detector.config import DetectorConfig
from streamml.detector.handler import DetectorHandler
from streamml.detector.history import PartitionHistory
from streamml.detector.metrics import DetectorMetrics
from streamml.detector.scoring import SensorScorer
from streamml.runtime.service import ServiceContext, run_stream


def clock_ms() -> int:
    return int(time.time() * 1000)


def serve(config: DetectorConfig, context: ServiceContext) -> None:
    history = PartitionHistory(config)
    handler = DetectorHandler(config, DetectorMetrics.create(context.registry),
                              SensorScorer(config.thresholds(), clock_ms), clock_ms, history.read)
    context.health.add_check("models", handler.has_models)
    try:
        run_stream(context, handler)
    finally:
        history.close()
