"""The sensors' main loop: one reading per sensor per tick, keyed by sensor id, at a steady rate."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kafka import KafkaProducer

from streamml.contracts.weather import SensorReading
from streamml.sensors.config import SensorsConfig
from streamml.sensors.metrics import SensorsMetrics
from streamml.sensors.network import SensorNetwork, params_for

log = logging.getLogger(__name__)


class ReadingPublisher:
    def __init__(self, config: SensorsConfig, producer: KafkaProducer, metrics: SensorsMetrics,
                 stop: threading.Event, heartbeat: Callable[[], None] = lambda: None) -> None:
        self._config = config
        self._heartbeat = heartbeat
        self._producer = producer
        self._metrics = metrics
        self._stop = stop
        self._failures = 0
        self._last_send_ok = True
        self._network = SensorNetwork(config.sensors, config.control_sensors,
                                      config.sensor_prefix, config.seed, config.anomaly_rate,
                                      params_for(config.network_params, config.seed))
        for _ in range(config.resume_at_seq):
            self._network.tick()
        metrics.sensors.set(len(self._network.profiles))

    @property
    def delivering(self) -> bool:
        """Readiness: the most recent reading was acknowledged (or none was sent yet)."""
        return self._last_send_ok

    @property
    def failures(self) -> int:
        return self._failures

    def run(self) -> int:
        """Publish until stopped or the configured count is reached; returns readings sent."""
        config = self._config
        started = time.monotonic()
        tick = 0
        while not self._stop.is_set():
            if config.readings_per_sensor and tick >= config.readings_per_sensor:
                break
            self._heartbeat()
            self._publish_tick(config.resume_at_seq + tick)
            tick += 1
            if config.rate_hz > 0:
                self._stop.wait(max(0.0, started + tick / config.rate_hz - time.monotonic()))
        self._producer.flush(timeout=config.shutdown_timeout_s)
        sent = tick * len(self._network.profiles)
        log.info("sensors finished", extra={"ticks": tick, "readings": sent,
                                             "send_failures": self._failures})
        return sent

    def _publish_tick(self, seq: int) -> None:
        now_ms = int(time.time() * 1000)
        for simulated in self._network.tick():
            temperature, humidity, pressure = simulated.values
            reading = SensorReading(sensor_id=simulated.sensor_id, seq=seq, ts_ms=now_ms,
                                    temperature_c=temperature, humidity_pct=humidity,
                                    pressure_hpa=pressure)
            future = self._producer.send(
                self._config.readings_topic, key=simulated.sensor_id.encode(),
                value=reading.to_bytes(), headers=simulated.truth.headers())
            future.add_callback(self._on_ack, simulated.truth.kind)
            future.add_errback(self._on_failure)

    def _on_ack(self, truth: str, _metadata: object) -> None:
        self._last_send_ok = True
        self._metrics.readings.labels(truth).inc()

    def _on_failure(self, exc: BaseException) -> None:
        self._last_send_ok = False
        self._failures += 1
        self._metrics.send_failures.inc()
        log.error("reading not acknowledged", extra={"error": repr(exc)})
