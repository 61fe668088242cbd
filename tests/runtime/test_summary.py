"""The periodic one-line summary: rates from the runtime's counters plus the service's fields."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from streamml.runtime.config import ConfigError, load_config
from streamml.runtime.logs import JsonLineFormatter, TextLineFormatter
from streamml.runtime.metrics import RuntimeMetrics
from streamml.runtime.settings import RuntimeConfig
from streamml.runtime.summary import PeriodicSummary, Samples
from tests.helpers import REPO


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rates_lag_dead_letters_and_service_fields() -> None:
    registry = CollectorRegistry()
    metrics = RuntimeMetrics.create(registry)
    published = Counter("streamml_demo_published", "test", registry=registry)
    precision = Gauge("streamml_demo_precision", "test", registry=registry)
    clock = FakeClock()
    summary = PeriodicSummary(registry, interval_s=10, clock=clock)
    summary.add_output("streamml_demo_published_total")
    summary.add_gauge("precision", "streamml_demo_precision")
    summary.add_fields(lambda samples: {"model_version": 3})
    first = summary.snapshot()
    assert "in_per_s" not in first and first["consumed"] == 0

    metrics.consumed.labels("svc", "a").inc(150)
    metrics.consumed.labels("svc", "b").inc(50)
    metrics.produced.labels("svc", "out").inc(80)
    published.inc(20)
    metrics.lag.labels("svc", "a", "0").set(7)
    metrics.lag.labels("svc", "a", "1").set(5)
    metrics.dead_letters.labels("svc", "invalid_json").inc(2)
    precision.set(0.91234)
    clock.now += 10
    line = summary.snapshot()
    assert line == {"in_per_s": 20.0, "out_per_s": 10.0, "consumed": 200, "produced": 100,
                    "lag": 12, "dead_letters": 2, "precision": 0.912, "model_version": 3}


def test_a_failing_field_is_skipped_not_fatal() -> None:
    summary = PeriodicSummary(CollectorRegistry(), interval_s=10, clock=FakeClock())

    def broken(samples: Samples) -> dict[str, object]:
        raise RuntimeError("no model yet")

    summary.add_fields(broken)
    summary.add_fields(lambda samples: {"ok": 1})
    assert summary.snapshot()["ok"] == 1


class CountingCollector(Collector):
    def __init__(self) -> None:
        self.collections = 0

    def collect(self) -> list[GaugeMetricFamily]:
        self.collections += 1
        return [GaugeMetricFamily("streamml_demo_sensors", "test", labels=["state"])]


def test_a_line_collects_the_registry_once_whatever_its_fields() -> None:
    registry = CollectorRegistry()
    counting = CountingCollector()
    registry.register(counting)
    sensors = Gauge("streamml_demo_sensor_count", "test", ["state"], registry=registry)
    sensors.labels("serving").set(4)
    sensors.labels("warming_up").set(1)
    summary = PeriodicSummary(registry, interval_s=10, clock=FakeClock())
    summary.add_gauge("serving", "streamml_demo_sensor_count", {"state": "serving"})
    summary.add_gauge("warming_up", "streamml_demo_sensor_count", {"state": "warming_up"})
    summary.add_gauge("missing", "streamml_demo_sensor_count", {"state": "gone"})
    summary.add_fields(lambda samples: {"total": samples.total("streamml_demo_sensor_count")})
    line = summary.snapshot()
    assert counting.collections == 1
    assert (line["serving"], line["warming_up"], line["total"]) == (4, 1, 5)
    assert "missing" not in line


def _record(**extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "streamml.summary", "levelname": "INFO",
                                    "msg": "summary", "created": 0.0, "msecs": 0})
    record.__dict__.update(extra)
    return record


def test_text_format_is_one_readable_line() -> None:
    line = TextLineFormatter("predictor").format(
        _record(in_per_s=41.5, lag=0, model_version=3, topic="cricket.match-events",
                detail="two words"))
    assert line == ('1970-01-01T00:00:00.000Z INFO  predictor  summary  in_per_s=41.5 lag=0 '
                    'model_version=3 topic=cricket.match-events detail="two words"')
    assert "\n" not in line


def test_json_format_keeps_the_fields() -> None:
    line = JsonLineFormatter("predictor").format(_record(lag=4))
    assert '"msg": "summary"' in line and '"lag": 4' in line


def test_log_format_and_interval_are_validated() -> None:
    assert load_config(RuntimeConfig, {"STREAMML_LOG_FORMAT": "text"}).log_format == "text"
    with pytest.raises(ConfigError, match="STREAMML_LOG_FORMAT"):
        load_config(RuntimeConfig, {"STREAMML_LOG_FORMAT": "xml"})
    with pytest.raises(ConfigError, match="STREAMML_SUMMARY_INTERVAL_S"):
        load_config(RuntimeConfig, {"STREAMML_SUMMARY_INTERVAL_S": "-1"})


@pytest.mark.broker
def test_a_service_logs_text_summaries_at_its_interval(broker: str, unique: str) -> None:
    """The sensors (a producer-only service) against the real broker: summaries say what it
    published, and the final one counts every reading."""
    env = {"STREAMML_BOOTSTRAP_SERVERS": broker, "STREAMML_HTTP_PORT": "0",
           "STREAMML_LOG_FORMAT": "text", "STREAMML_SUMMARY_INTERVAL_S": "0.5",
           "STREAMML_SENSORS": "2", "STREAMML_DRIFT_ONLY_SENSORS": "0",
           "STREAMML_SENSOR_PREFIX": f"sum-{unique}-", "STREAMML_RATE_HZ": "40",
           "STREAMML_READINGS_PER_SENSOR": "60", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "streamml.cli", "sensors"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    periodic = [line for line in lines if " sensors  summary  " in line]
    final = [line for line in lines if " sensors  final summary  " in line]
    assert periodic, result.stdout
    assert any("out_per_s=" in line and "out_per_s=0 " not in line for line in periodic)
    assert len(final) == 1 and "produced=120 " in final[0] and "dead_letters=0" in final[0]
    assert not any(line.startswith("{") for line in lines)
