"""`streamml detector`: learns each sensor's normal and flags anomalous readings."""

from __future__ import annotations

import argparse
import time

from streamml.detector.config import DetectorConfig
from streamml.detector.handler import DetectorHandler
from streamml.detector.history import PartitionHistory
from streamml.detector.metrics import DetectorMetrics
from streamml.detector.scoring import SensorScorer
from streamml.runtime.cli_support import add_config_flags, config_from_args
from streamml.runtime.service import ServiceContext, run_service, run_stream


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "detector", help="score weather readings per sensor and publish anomalies")
    add_config_flags(parser, DetectorConfig)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(DetectorConfig, args)

    def serve(context: ServiceContext) -> None:
        def clock_ms() -> int:
            return int(time.time() * 1000)

        history = PartitionHistory(config)
        handler = DetectorHandler(config, DetectorMetrics.create(context.registry),
                                  SensorScorer(config.scoring(), clock_ms), clock_ms,
                                  history.read)
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

    return run_service(config, serve)
