"""Two detector processes in one consumer group share the readings with no coordinator."""

from __future__ import annotations

import pytest
from kafka.errors import KafkaError

from streamml.contracts.weather import Anomaly
from streamml.detector.config import DetectorConfig
from streamml.runtime.settings import KafkaConnection
from streamml.evaluate.topics import read_range
from streamml.runtime.admin import admin_client
from streamml.runtime.messages import decode
from tests.helpers import create_topic, wait_for
from tests.weather.support import committed, offline_flags

pytestmark = pytest.mark.broker

SENSORS, PER_SENSOR, SEED, RATE = 12, 300, 3, 0.01
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
                    max_poll_records=MAX_POLL_RECORDS)
    sensors = dict(readings_topic=readings, sensors=SENSORS, readings_per_sensor=PER_SENSOR,
                   rate_hz=0, seed=SEED, anomaly_rate=RATE, sensor_prefix="scale-")
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
    redelivered = first_handled + second_handled - 2 * per_phase
    assert 0 <= redelivered <= 2 * MAX_POLL_RECORDS, redelivered
    # Rebuilt from the log, the newcomer's sensors carry on exactly: together the replicas
    # flag what one detector flags on the whole stream, offline. A reading handled twice
    # may be flagged twice (the same sensor_id and seq): consumers de-duplicate.
    published = [decode(Anomaly, r.value) for r in read_range(KafkaConnection(bootstrap_servers=broker), anomalies)]
    flags = {(a.sensor_id, a.seq): a.reasons for a in published}
    assert len(published) - len(flags) <= redelivered
    assert flags == offline_flags(SENSORS, 0, "scale-", SEED, RATE, 2 * PER_SENSOR,
                                  DetectorConfig().thresholds())
    assert any(seq >= PER_SENSOR for _, seq in flags), "faults flagged after the rebalance"
    assert first.terminate() == 0 and second.terminate() == 0
