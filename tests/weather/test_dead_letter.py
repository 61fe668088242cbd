"""Bad readings go to the dead-letter topic with a reason; the stream keeps flowing."""

from __future__ import annotations

import json
import math

import pytest

from streamml.contracts.weather import Anomaly
from streamml.runtime.settings import KafkaConnection
from streamml.evaluate.topics import read_range
from streamml.runtime.dead_letter import header_map
from streamml.runtime.messages import decode
from tests.helpers import create_topic, produce, read_all, wait_for
from tests.weather.support import committed

pytestmark = pytest.mark.broker

SENSOR = "dlq-sensor"


def _reading(seq: int, temperature: float = 20.0, humidity: float = 50.0,
             pressure: float = 1013.0) -> dict:
    # A gentle, noisy-looking wobble so the sensor's spread is realistic.
    wobble = math.sin(seq * 1.7)
    return {"schema_version": 1, "sensor_id": SENSOR, "seq": seq, "ts_ms": 1_700_000_000_000 + seq,
            "temperature_c": round(temperature + 0.2 * wobble, 2),
            "humidity_pct": round(humidity + 0.8 * math.cos(seq * 2.3), 1),
            "pressure_hpa": round(pressure + 0.3 * math.sin(seq * 0.9), 2)}


BAD_READINGS = {
    # label: (raw bytes, expected dead-letter reason)
    "malformed json": (b'{"sensor_id": "dlq-sensor", "seq": ', "malformed_json"),
    "not utf-8": (b"\xff\xfe\x00garbage", "invalid_utf8"),
    "temperature is text": (
        json.dumps({**_reading(0), "temperature_c": "hot"}).encode(), "schema_violation"),
    "missing pressure": (
        json.dumps({k: v for k, v in _reading(0).items() if k != "pressure_hpa"}).encode(),
        "schema_violation"),
    "NaN humidity": (json.dumps({**_reading(0), "humidity_pct": float("nan")}).encode(),
                     "not_finite"),
    "infinite pressure": (json.dumps({**_reading(0), "pressure_hpa": float("inf")}).encode(),
                          "not_finite"),
    "humidity 120 %": (json.dumps({**_reading(0), "humidity_pct": 120.0}).encode(),
                       "out_of_range"),
    "below absolute zero": (json.dumps({**_reading(0), "temperature_c": -300.0}).encode(),
                            "out_of_range"),
    "hotter than any Earth record": (
        json.dumps({**_reading(0), "temperature_c": 75.0}).encode(), "out_of_range"),
    "pressure 500 hPa at sea level": (
        json.dumps({**_reading(0), "pressure_hpa": 500.0}).encode(), "out_of_range"),
    "negative sequence number": (json.dumps({**_reading(0), "seq": -1}).encode(),
                                 "out_of_range"),
    "bad sensor id": (json.dumps({**_reading(0), "sensor_id": "bad id!"}).encode(),
                      "schema_violation"),
}


def _valid(start: int, stop: int) -> list[tuple[bytes, bytes]]:
    return [(SENSOR.encode(), json.dumps(_reading(seq)).encode()) for seq in range(start, stop)]


def test_bad_readings_are_dead_lettered_and_the_stream_keeps_flowing(broker, start_cli, unique):
    readings = create_topic(broker, f"wx-readings-{unique}", partitions=3)
    anomalies = create_topic(broker, f"wx-anomalies-{unique}", partitions=3)
    group = f"detector-{unique}"
    detector = start_cli("detector", readings_topic=readings, anomalies_topic=anomalies,
                         group_id=group, warmup=30)
    # One sensor, one partition, in order: 40 good readings, every kind of bad one, then
    # 40 more good readings with a plausible but abnormal temperature (an anomaly) among them.
    produce(broker, readings, _valid(0, 40))
    produce(broker, readings, [(SENSOR.encode(), raw) for raw, _ in BAD_READINGS.values()])
    later = _valid(40, 80)
    later[20] = (SENSOR.encode(), json.dumps(_reading(60, temperature=35.0)).encode())
    produce(broker, readings, later)
    total = 80 + len(BAD_READINGS)
    assert wait_for(lambda: committed(broker, group, readings) == total, timeout_s=300)

    dead = [r for r in read_all(broker, "streamml.dead-letter", lambda rs: sum(
        header_map(r.headers).get("streamml.dlq.source.topic") == readings for r in rs)
        >= len(BAD_READINGS)) if header_map(r.headers).get("streamml.dlq.source.topic") == readings]
    reasons = {r.value: header_map(r.headers)["streamml.dlq.reason"] for r in dead}
    assert reasons == {raw: reason for raw, reason in BAD_READINGS.values()}
    for record in dead:
        headers = header_map(record.headers)
        assert headers["streamml.dlq.service"] == "detector"
        assert int(headers["streamml.dlq.source.offset"]) >= 40
        assert headers["streamml.dlq.error"]

    flagged = {(a.sensor_id, a.seq): a.reasons
               for a in (decode(Anomaly, r.value) for r in read_range(KafkaConnection(bootstrap_servers=broker), anomalies))}
    assert flagged == {(SENSOR, 60): ("spike:temperature_c",)}, \
        "the abnormal-but-possible value is an anomaly"
    assert detector.metric("streamml_detector_readings_total") == 80
    for _, reason in BAD_READINGS.values():
        assert detector.metric("streamml_dead_letters_total", service="detector",
                               reason=reason) >= 1
    assert detector.terminate() == 0

