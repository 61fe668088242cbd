"""The weather demo (choreography), end to end on a running broker.

The detector runs as its own process through the real `streamml detector` entrypoint; the
sensors run through `streamml sensors` and stop after a fixed number of readings. Nothing
coordinates them: the sensors publish readings, the detector reacts to each one, and this
script only watches the anomalies topic, then scores the run against the injected truth.

Every run uses a fresh consumer group that starts at the current end of the readings topic
and sensor ids unique to the run, so reruns against the same broker see only their own data.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer
from kafka.errors import KafkaError

from streamml.contracts.weather import (
    ANOMALIES_TOPIC, ANOMALY_KINDS, NORMAL, READINGS_TOPIC, Anomaly, Confusion, SensorReading,
    truth_of)
from streamml.runtime.admin import admin_client
from streamml.runtime.clients import connection_settings
from streamml.runtime.config import load_config
from streamml.runtime.messages import DecodeError, decode
from streamml.runtime.settings import KafkaConnection
from streamml.demo.support import (
    DemoKafka, Offsets, end_offsets, free_port, spawn_service, start_group_at, stop_service)

SENSORS = 12
DRIFT_ONLY_SENSORS = 4
READINGS_PER_SENSOR = 600
RATE_HZ = 40.0
SEED = 7
ANOMALY_RATE = 0.02
WARMUP = 30
DRAIN_TIMEOUT_S = 60.0


@dataclass
class Quality:
    """The run scored against the injected truth (readings after each sensor's warm-up)."""

    faulty: Confusion = field(default_factory=Confusion)
    drift_only: Confusion = field(default_factory=Confusion)
    recall_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)
    warmup_readings: int = 0
    anomalies: int = 0
    duplicate_anomalies: int = 0
    readings: int = 0

    @property
    def meets_bar(self) -> bool:
        return (self.faulty.recall >= 0.9 and self.faulty.precision >= 0.8
                and self.drift_only.false_alarm_rate <= 0.01)


def run(kafka: DemoKafka) -> int:
    connection = kafka.connection
    run_id = uuid.uuid4().hex[:8]
    group = f"streamml-detector-demo-{run_id}"
    prefix = f"demo-{run_id}-s"
    started = time.monotonic()
    readings_start = end_offsets(connection, READINGS_TOPIC)
    anomalies_start = end_offsets(connection, ANOMALIES_TOPIC)
    start_group_at(connection, group, readings_start)
    print(f"weather: {SENSORS} sensors with injected faults + {DRIFT_ONLY_SENSORS} drift-only, "
          f"{READINGS_PER_SENSOR} readings each, seed {SEED}; detector group {group}", flush=True)
    logs = Path(tempfile.mkdtemp(prefix=f"streamml-weather-{run_id}-"))
    common = {**os.environ, "STREAMML_HTTP_PORT": "0", "STREAMML_LOG_LEVEL": "INFO"}
    detector_port = free_port()
    detector = spawn_service("detector", logs, kafka, {
        **common, "STREAMML_HTTP_PORT": str(detector_port), "STREAMML_GROUP_ID": group,
        "STREAMML_WARMUP": str(WARMUP),
        # The run's sensors are new: older runs' readings before the group's start offsets
        # hold no state worth rebuilding.
        "STREAMML_RESTORE_RECORDS": "0"})
    sensors = spawn_service("sensors", logs, kafka, {
        **common, "STREAMML_SENSORS": str(SENSORS),
        "STREAMML_DRIFT_ONLY_SENSORS": str(DRIFT_ONLY_SENSORS),
        "STREAMML_SENSOR_PREFIX": prefix, "STREAMML_RATE_HZ": str(RATE_HZ),
        "STREAMML_READINGS_PER_SENSOR": str(READINGS_PER_SENSOR),
        "STREAMML_ANOMALY_RATE": str(ANOMALY_RATE), "STREAMML_SEED": str(SEED)})
    try:
        caught_up = _watch(connection, group, prefix, anomalies_start, sensors, detector)
    finally:
        stop_service(sensors)
        detector_code = stop_service(detector)
    if sensors.returncode != 0 or not caught_up:
        print(f"weather demo failed: sensors exit code {sensors.returncode}, detector caught up: "
              f"{caught_up}; logs in {logs}", flush=True)
        return 1
    quality = evaluate(connection, group, prefix, readings_start, anomalies_start, WARMUP)
    print_summary(quality, time.monotonic() - started, detector_code)
    return 0 if detector_code == 0 else 1


def committed(connection: KafkaConnection, group: str) -> Offsets:
    """The group's committed offsets; empty while its coordinator cannot be reached."""
    try:
        with admin_client(connection.bootstrap_servers,
                          security=connection_settings(connection)) as admin:
            found = admin.list_group_offsets({group: None}).get(group, {})
    except KafkaError:
        return {}
    return {tp: meta.offset for tp, meta in found.items()}


def _watch(connection: KafkaConnection, group: str, prefix: str, anomalies_start: Offsets,
           sensors: subprocess.Popen, detector: subprocess.Popen) -> bool:
    """Print anomalies as they are flagged until the detector has handled every reading."""
    consumer = KafkaConsumer(**connection_settings(connection), enable_auto_commit=False)
    consumer.assign(list(anomalies_start))
    for tp, offset in anomalies_start.items():
        consumer.seek(tp, offset)
    deadline = None
    printer = _AnomalyPrinter(group, prefix)
    try:
        while True:
            for batch in consumer.poll(timeout_ms=300).values():
                for record in batch:
                    printer.print(record.value)
            if detector.poll() is not None:
                print(f"detector exited early with code {detector.returncode}", flush=True)
                return False
            if sensors.poll() is None:
                continue
            if sensors.returncode != 0:
                return False
            deadline = deadline or time.monotonic() + DRAIN_TIMEOUT_S
            readings_end = end_offsets(connection, READINGS_TOPIC)
            done = committed(connection, group)
            if all(done.get(tp, 0) >= end for tp, end in readings_end.items()):
                # Outputs are acknowledged before offsets are committed: read to the end.
                final = end_offsets(connection, ANOMALIES_TOPIC)
                while any(consumer.position(tp) < end for tp, end in final.items()):
                    for batch in consumer.poll(timeout_ms=300).values():
                        for record in batch:
                            printer.print(record.value)
                return True
            if time.monotonic() > deadline:
                return False
    finally:
        consumer.close()


class _AnomalyPrinter:
    """One line per anomaly; a stuck sensor gets one line per run of repeats, not per repeat."""

    def __init__(self, group: str, prefix: str) -> None:
        self._group = group
        self._prefix = prefix
        self._short = prefix[:-1]  # "demo-<run>-s007" prints as "s007"
        self._stuck_until: dict[str, int] = {}

    def print(self, raw: bytes) -> None:
        try:
            anomaly = decode(Anomaly, raw)
        except DecodeError:
            return
        if anomaly.detector != self._group or not anomaly.sensor_id.startswith(self._prefix):
            return
        stuck_only = anomaly.reasons == ("stuck",)
        continues_run = self._stuck_until.get(anomaly.sensor_id) == anomaly.seq - 1
        self._stuck_until[anomaly.sensor_id] = anomaly.seq if stuck_only else -2
        if stuck_only and continues_run:
            return
        r = anomaly.reading
        reasons = "stuck (repeats not shown)" if stuck_only else ",".join(anomaly.reasons)
        print(f"  ANOMALY {anomaly.sensor_id.removeprefix(self._short)} #{anomaly.seq:<4} "
              f"score {anomaly.score:7.1f}  {reasons:<26} "
              f"T={r.temperature_c:6.2f}°C RH={r.humidity_pct:5.1f}% p={r.pressure_hpa:7.2f}hPa "
              f"model {anomaly.model_version.removeprefix(self._short)}", flush=True)


def read_range(connection: KafkaConnection, start: Offsets) -> list:
    """Every record from ``start`` to the current end of the same partitions."""
    end = end_offsets(connection, next(iter(start)).topic)
    consumer = KafkaConsumer(**connection_settings(connection), enable_auto_commit=False)
    consumer.assign(list(start))
    for tp, offset in start.items():
        consumer.seek(tp, offset)
    records: list = []
    try:
        while any(consumer.position(tp) < end[tp] for tp in start):
            for tp, batch in consumer.poll(timeout_ms=500).items():
                records.extend(r for r in batch if r.offset < end[tp])
    finally:
        consumer.close()
    return records


def evaluate(connection: KafkaConnection, group: str, prefix: str, readings_start: Offsets,
             anomalies_start: Offsets, warmup: int) -> Quality:
    """Join the run's readings (with their truth headers) and the detector's anomalies."""
    quality = Quality()
    truth: dict[tuple[str, int], str] = {}
    for record in read_range(connection, readings_start):
        try:
            reading = decode(SensorReading, record.value)
        except DecodeError:
            continue
        if reading.sensor_id.startswith(prefix):
            truth[(reading.sensor_id, reading.seq)] = truth_of(record.headers) or NORMAL
    flagged: Counter[tuple[str, int]] = Counter()
    for record in read_range(connection, anomalies_start):
        try:
            anomaly = decode(Anomaly, record.value)
        except DecodeError:
            continue
        if anomaly.detector == group and anomaly.sensor_id.startswith(prefix):
            flagged[(anomaly.sensor_id, anomaly.seq)] += 1
    quality.readings = len(truth)
    quality.anomalies = len(flagged)
    quality.duplicate_anomalies = sum(flagged.values()) - len(flagged)
    drift_only_ids = {f"{prefix}{i:03d}" for i in range(SENSORS, SENSORS + DRIFT_ONLY_SENSORS)}
    kinds = {kind: [0, 0] for kind in ANOMALY_KINDS}
    for (sensor_id, seq), kind in truth.items():
        if seq < warmup:
            quality.warmup_readings += 1
            continue
        is_anomaly, was_flagged = kind != NORMAL, (sensor_id, seq) in flagged
        (quality.drift_only if sensor_id in drift_only_ids else quality.faulty).add(
            is_anomaly, was_flagged)
        if is_anomaly:
            kinds[kind][0] += 1
            kinds[kind][1] += was_flagged
    quality.recall_by_kind = {kind: (found, total) for kind, (total, found) in kinds.items()}
    return quality


def print_summary(quality: Quality, seconds: float, detector_code: int) -> None:
    f, d = quality.faulty, quality.drift_only
    by_kind = ", ".join(f"{kind} {found}/{total}"
                        for kind, (found, total) in quality.recall_by_kind.items())
    print("\nweather summary", flush=True)
    print(f"  readings {quality.readings} ({quality.warmup_readings} in warm-up, not scored); "
          f"flagged {quality.anomalies} readings "
          f"({quality.duplicate_anomalies} duplicate anomaly messages)")
    print(f"  sensors with injected faults: precision {f.precision:.3f}  recall {f.recall:.3f}  "
          f"(TP {f.true_positives}, FP {f.false_positives}, FN {f.false_negatives}, "
          f"TN {f.true_negatives})")
    print(f"  recall by kind: {by_kind}")
    print(f"  drift-only sensors: false alarms {d.false_positives}/{d.total} "
          f"= {100 * d.false_alarm_rate:.2f} %")
    verdict = "met" if quality.meets_bar else "NOT met"
    print(f"  quality bar (recall >= 0.9, precision >= 0.8, drift false alarms <= 1 %): {verdict}")
    print(f"  detector stopped with SIGTERM, exit code {detector_code}; demo took {seconds:.0f} s",
          flush=True)


if __name__ == "__main__":
    print(json.dumps({"exit": run(DemoKafka(load_config(KafkaConnection, os.environ)))}))
