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
from pathlib import Path

from kafka import KafkaConsumer
from kafka.errors import KafkaError

from streamml.contracts.weather import ANOMALIES_TOPIC, READINGS_TOPIC, Anomaly
from streamml.evaluate.scorecard import report
from streamml.evaluate.topics import read_range, score_topics
from streamml.report.analysis import weather_report
from streamml.runtime.admin import admin_client
from streamml.runtime.clients import connection_settings
from streamml.runtime.config import load_config
from streamml.runtime.messages import DecodeError, decode
from streamml.runtime.settings import KafkaConnection
from streamml.demo.support import (
    DemoKafka, Offsets, end_offsets, free_port, spawn_service, start_group_at, stop_service)

SENSORS = 12
CONTROL_SENSORS = 6
READINGS_PER_SENSOR = 720  # twelve simulated hours; faults start after the first two
RATE_HZ = 120.0
SEED = 7
ANOMALY_RATE = 0.01
WARMUP = 60  # the detector's default: the report counts readings after it, as printed here
DRAIN_TIMEOUT_S = 60.0


def run(kafka: DemoKafka) -> int:
    connection = kafka.connection
    run_id = uuid.uuid4().hex[:8]
    group = f"streamml-detector-demo-{run_id}"
    prefix = f"demo-{run_id}-s"
    started = time.monotonic()
    readings_start = end_offsets(connection, READINGS_TOPIC)
    anomalies_start = end_offsets(connection, ANOMALIES_TOPIC)
    start_group_at(connection, group, readings_start)
    print(f"weather: {SENSORS} sensors with injected faults + {CONTROL_SENSORS} fault-free "
          f"controls, {READINGS_PER_SENSOR} readings (simulated minutes) each, seed {SEED}; "
          f"detector group {group}", flush=True)
    logs = Path(tempfile.mkdtemp(prefix=f"streamml-weather-{run_id}-"))
    common = {**os.environ, "STREAMML_HTTP_PORT": "0", "STREAMML_LOG_LEVEL": "INFO"}
    detector_port = free_port()
    detector = spawn_service("detector", logs, kafka, {
        **common, "STREAMML_HTTP_PORT": str(detector_port), "STREAMML_GROUP_ID": group,
        # The run's sensors are new: older runs' readings before the group's start offsets
        # hold no state worth rebuilding.
        "STREAMML_RESTORE_RECORDS": "0"})
    sensors = spawn_service("sensors", logs, kafka, {
        **common, "STREAMML_SENSORS": str(SENSORS),
        "STREAMML_CONTROL_SENSORS": str(CONTROL_SENSORS),
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
    card, duplicates = score_topics(
        connection, READINGS_TOPIC, ANOMALIES_TOPIC,
        keep_sensor=lambda sensor_id: sensor_id.startswith(prefix), detector=group,
        readings_start=readings_start, anomalies_start=anomalies_start)
    print()
    print(report(card, f"this run, scored from the topics (seed {SEED}; {duplicates} duplicate "
                       "anomaly messages)"), flush=True)
    print_report_summary(connection, group, prefix, readings_start, anomalies_start)
    print(f"  detector stopped with SIGTERM, exit code {detector_code}; the weather part took "
          f"{time.monotonic() - started:.0f} s", flush=True)
    return 0 if detector_code == 0 else 1


def print_report_summary(connection: KafkaConnection, group: str, prefix: str,
                         readings_start: Offsets, anomalies_start: Offsets) -> None:
    """The counts `streamml report` shows for this run (every anomaly but weather events a
    flag; readings after the warm-up), so the two can be compared."""
    readings = [r for r in read_range(connection, READINGS_TOPIC, readings_start)
                if r.key and r.key.decode(errors="replace").startswith(prefix)]
    anomalies = []
    for record in read_range(connection, ANOMALIES_TOPIC, anomalies_start):
        try:
            anomaly = decode(Anomaly, record.value)
        except DecodeError:
            continue
        if anomaly.detector == group and anomaly.sensor_id.startswith(prefix):
            anomalies.append(record)
    summary = weather_report(readings, anomalies, WARMUP)
    f = summary.faulty
    print(f"\n  as `streamml report` counts it: readings {summary.readings} "
          f"({summary.warmup_readings} in warm-up, not scored); flagged {summary.flagged} "
          f"readings ({summary.duplicate_anomalies} duplicate anomaly messages)")
    print(f"  sensors with injected faults: precision {f.precision:.3f}  recall {f.recall:.3f}  "
          f"(TP {f.true_positives}, FP {f.false_positives}, FN {f.false_negatives}, "
          f"TN {f.true_negatives})")
    print("  recall by kind: " + ", ".join(
        f"{kind} {found}/{total}" for kind, (found, total) in summary.recall_by_kind.items()),
        flush=True)


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
    consumer = KafkaConsumer(**connection_settings(connection), enable_auto_commit=False,
                             isolation_level="read_committed")
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
    """One line per episode: the readings that follow with the same reasons are not shown."""

    def __init__(self, group: str, prefix: str) -> None:
        self._group = group
        self._prefix = prefix
        self._short = prefix[:-1]  # "demo-<run>-s007" prints as "s007"
        self._last: dict[str, tuple[int, tuple[str, ...]]] = {}

    def print(self, raw: bytes) -> None:
        try:
            anomaly = decode(Anomaly, raw)
        except DecodeError:
            return
        if anomaly.detector != self._group or not anomaly.sensor_id.startswith(self._prefix):
            return
        last = self._last.get(anomaly.sensor_id)
        self._last[anomaly.sensor_id] = (anomaly.seq, anomaly.reasons)
        if last is not None and last[1] == anomaly.reasons and 0 < anomaly.seq - last[0] <= 2:
            return
        r = anomaly.reading
        label = "WEATHER" if anomaly.is_weather_event else "FAULT  "
        late = "" if anomaly.decided_at_seq in (None, anomaly.seq) else \
            f" (seen at #{anomaly.decided_at_seq})"
        print(f"  {label} {anomaly.sensor_id.removeprefix(self._short)} #{anomaly.seq:<4} "
              f"{','.join(anomaly.reasons):<28} T={r.temperature_c:6.2f}°C "
              f"RH={r.humidity_pct:5.1f}% p={r.pressure_hpa:7.2f}hPa "
              f"model {anomaly.model_version.removeprefix(self._short)}{late}", flush=True)


if __name__ == "__main__":
    print(json.dumps({"exit": run(DemoKafka(load_config(KafkaConnection, os.environ)))}))
