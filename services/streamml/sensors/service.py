"""The sensors' wiring: settings -> publisher -> producer."""

from __future__ import annotations

from streamml.runtime.clients import connect_with_backoff, make_producer
from streamml.runtime.service import ServiceContext
from streamml.sensors.config import SensorsConfig
from streamml.sensors.metrics import SensorsMetrics
from streamml.sensors.publisher import ReadingPublisher


def serve(config: SensorsConfig, context: ServiceContext) -> int:
    """Publish until stopped or done; returns the readings Kafka never acknowledged."""
    metrics = SensorsMetrics.create(context.registry)
    context.summary.add_output("streamml_sensors_readings_total")
    producer = connect_with_backoff(lambda: make_producer(config), context.stop, "producer",
                                    config.connect_backoff_max_s)
    if producer is None:
        return 0
    publisher = ReadingPublisher(config, producer, metrics, context.stop,
                                 heartbeat=context.health.beat)
    context.health.add_check("kafka", lambda: publisher.delivering)
    try:
        publisher.run()
    finally:
        producer.close(timeout=config.shutdown_timeout_s)
    return publisher.failures
