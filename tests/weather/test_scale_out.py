"""Two detector processes in one consumer group share the readings with no coordinator."""

from __future__ import annotations

import pytest
from kafka.errors import KafkaError

from streamml.runtime.admin import admin_client
from tests.helpers import create_topic, wait_for
from tests.weather.support import committed, read_anomalies, read_truth, score

pytestmark = pytest.mark.broker

SENSORS, PER_SENSOR, WARMUP = 12, 200, 30
MAX_POLL_RECORDS = 200
STATUSES = ("scored", "warming_up", "duplicate")


def _members_with_partitions(bootstrap: str, group: str) -> int:
    try:
        with admin_client(bootstrap) as admin:
            members = admin.describe_groups([group]).get(group, {}).get("members", [])
    except KafkaError:
        return 0
    owning = 0
    for member in members:
        assignment = member.get("member_assignment")  # empty while the group rebalances
        if isinstance(assignment, dict) and any(
                a["partitions"] for a in assignment.get("assigned_partitions", [])):
            owning += 1
    return owning


def _handled_as(detector, status: str) -> float:
    return detector.metric("streamml_detector_readings_total", status=status)


def _handled(detector) -> float:
    return sum(_handled_as(detector, status) for status in STATUSES)


def test_two_detectors_split_partitions_and_score_every_reading(broker, start_cli, unique):
    readings = create_topic(broker, f"wx-readings-{unique}", partitions=6)
    anomalies = create_topic(broker, f"wx-anomalies-{unique}", partitions=6)
    group = f"detectors-{unique}"
    detector = dict(readings_topic=readings, anomalies_topic=anomalies, group_id=group,
                    max_poll_records=MAX_POLL_RECORDS, warmup=WARMUP)
    sensors = dict(readings_topic=readings, sensors=SENSORS, readings_per_sensor=PER_SENSOR,
                   rate_hz=0, seed=3, sensor_prefix="scale-")
    per_phase = SENSORS * PER_SENSOR

    # Phase 1: one replica owns all six partitions and warms every sensor up.
    first = start_cli("detector", **detector)
    assert start_cli("sensors", **sensors).process.wait(300) == 0
    assert wait_for(lambda: committed(broker, group, readings) == per_phase, 300)
    assert _handled(first) == per_phase

    # A second replica joins: the group rebalances, each replica owns some partitions, and
    # the same sensors carry on (the second run continues the seeded stream).
    second = start_cli("detector", **detector)
    assert wait_for(lambda: _members_with_partitions(broker, group) == 2, timeout_s=300)
    assert start_cli("sensors", resume_at_seq=PER_SENSOR, **sensors).process.wait(300) == 0
    assert wait_for(lambda: committed(broker, group, readings) == 2 * per_phase, 300)

    first_handled, second_handled = _handled(first), _handled(second)
    assert first_handled > per_phase and second_handled > 0, "both replicas handle readings"
    # The newcomer rebuilt its sensors from the partitions' history: no warm-up, every
    # reading it was handed is scored.
    assert second.metric("streamml_detector_restored_readings_total") > 0
    assert _handled_as(second, "warming_up") == 0
    assert _handled_as(second, "scored") > 0
    # Every reading was handled by one of them. At-least-once: a reading handled twice is
    # one whose commit a rebalance pre-empted; a replica counts the ones it recognises as
    # `duplicate`, and anomaly consumers see the same (sensor_id, seq) again.
    truth = read_truth(broker, readings, 2 * per_phase)
    redelivered = first_handled + second_handled - 2 * per_phase
    assert 0 <= redelivered <= 2 * MAX_POLL_RECORDS, redelivered
    flagged = read_anomalies(broker, anomalies)
    duplicate_anomalies = sum(flagged.values()) - len(flagged)
    assert duplicate_anomalies <= redelivered
    confusion = score(truth, flagged, WARMUP)
    assert confusion.recall >= 0.9 and confusion.precision >= 0.8, confusion
    assert first.terminate() == 0 and second.terminate() == 0
