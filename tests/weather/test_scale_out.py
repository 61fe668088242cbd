"""Two detector processes in one consumer group share the readings with no coordinator."""

from __future__ import annotations

import pytest
from kafka.errors import KafkaError

from streamml.runtime.admin import admin_client
from tests.helpers import create_topic, wait_for
from tests.weather.support import committed, read_anomalies, read_truth

pytestmark = pytest.mark.broker

SENSORS, PER_SENSOR = 12, 200
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


def _handled(detector) -> float:
    return sum(detector.metric("streamml_detector_readings_total", status=s) for s in STATUSES)


def test_two_detectors_split_partitions_and_handle_every_reading(broker, start_cli, unique):
    readings = create_topic(broker, f"wx-readings-{unique}", partitions=6)
    anomalies = create_topic(broker, f"wx-anomalies-{unique}", partitions=6)
    group = f"detectors-{unique}"
    detector = dict(readings_topic=readings, anomalies_topic=anomalies, group_id=group,
                    max_poll_records=MAX_POLL_RECORDS)
    sensors = dict(readings_topic=readings, sensors=SENSORS, readings_per_sensor=PER_SENSOR,
                   rate_hz=0)
    per_phase = SENSORS * PER_SENSOR

    # Phase 1: one replica owns all six partitions.
    first = start_cli("detector", **detector)
    assert start_cli("sensors", sensor_prefix="one-", seed=1, **sensors).process.wait(120) == 0
    assert wait_for(lambda: committed(broker, group, readings) == per_phase, 120)
    assert _handled(first) == per_phase

    # A second replica joins: the group rebalances and each replica owns some partitions.
    second = start_cli("detector", **detector)
    assert wait_for(lambda: _members_with_partitions(broker, group) == 2, timeout_s=90)
    assert start_cli("sensors", sensor_prefix="two-", seed=2, **sensors).process.wait(120) == 0
    assert wait_for(lambda: committed(broker, group, readings) == 2 * per_phase, 120)

    first_handled, second_handled = _handled(first), _handled(second)
    assert first_handled > per_phase and second_handled > 0, "both replicas handle readings"
    # Every reading was handled — scored, or counted while its sensor warmed up — by one of
    # them. At-least-once: a reading handled twice is one whose commit a rebalance pre-empted;
    # the replicas count the ones they recognise as `duplicate`.
    truth = read_truth(broker, readings, 2 * per_phase)
    redelivered = first_handled + second_handled - 2 * per_phase
    assert 0 <= redelivered <= 2 * MAX_POLL_RECORDS, redelivered
    flagged = read_anomalies(broker, anomalies)
    duplicate_anomalies = sum(flagged.values()) - len(flagged)
    assert duplicate_anomalies <= redelivered
    injected = {key for key, kind in truth.items() if kind != "normal" and key[1] >= 30}
    found = set(flagged) & injected
    assert len(found) >= 0.9 * len(injected), (len(found), len(injected))
    assert first.terminate() == 0 and second.terminate() == 0
