"""`streamml sensors`: simulated weather sensors publishing readings (the workflow's producer)."""

from __future__ import annotations

import argparse
import logging

from streamml.runtime.cli_support import add_config_flags, config_from_args
from streamml.runtime.clients import connect_with_backoff, make_producer
from streamml.runtime.service import ServiceContext, run_service
from streamml.sensors.config import SensorsConfig
from streamml.sensors.metrics import SensorsMetrics
from streamml.sensors.publisher import ReadingPublisher

log = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sensors", help="simulate weather sensors publishing readings with injected faults")
    add_config_flags(parser, SensorsConfig)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(SensorsConfig, args)
    failures = []

    def serve(context: ServiceContext) -> None:
        metrics = SensorsMetrics.create(context.registry)
        context.summary.add_output("streamml_sensors_readings_total")
        producer = connect_with_backoff(lambda: make_producer(config), context.stop, "producer",
                                        config.connect_backoff_max_s)
        if producer is None:
            return
        publisher = ReadingPublisher(config, producer, metrics, context.stop,
                                     heartbeat=context.health.beat)
        context.health.add_check("kafka", lambda: publisher.delivering)
        try:
            publisher.run()
        finally:
            producer.close(timeout=config.shutdown_timeout_s)
        failures.append(publisher.failures)

    code = run_service(config, serve)
    # A reading Kafka never acknowledged is lost: say so in the exit code.
    return code or (1 if any(failures) else 0)
