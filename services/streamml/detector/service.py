"""The detector's wiring: settings -> handler -> runtime."""

from __future__ import annotations

import logging
import time
from importlib.machinery import EXTENSION_SUFFIXES

from streamml.detector import scoring
from streamml.detector.config import DetectorConfig
from streamml.detector.handler import DetectorHandler
from streamml.detector.history import PartitionHistory
from streamml.detector.metrics import DetectorMetrics
from streamml.detector.scoring import SensorScorer
from streamml.runtime.service import ServiceContext, run_stream

log = logging.getLogger(__name__)


def clock_ms() -> int:
    return int(time.time() * 1000)


def scoring_build() -> str:
    """Whether the scoring runs compiled, as the image builds it (setup.py), or from sources."""
    compiled = str(scoring.__file__).endswith(tuple(EXTENSION_SUFFIXES))
    return "compiled" if compiled else "interpreted"


def serve(config: DetectorConfig, context: ServiceContext) -> None:
    log.info("detector scoring", extra={"build": scoring_build()})
    history = PartitionHistory(config)
    handler = DetectorHandler(config, DetectorMetrics.create(context.registry),
                              SensorScorer(config.thresholds(), clock_ms), clock_ms, history.read)
    context.health.add_check("models", handler.has_models)
    for field, sample, labels in (
            ("sensors_serving", "streamml_detector_sensors", {"state": "serving"}),
            ("sensors_warming_up", "streamml_detector_sensors", {"state": "warming_up"}),
            ("precision", "streamml_detector_precision", None),
            ("recall", "streamml_detector_recall", None),
            ("model_age_s", "streamml_detector_model_age_seconds", None)):
        context.summary.add_gauge(field, sample, labels)
    try:
        run_stream(context, handler)
    finally:
        history.close()
