"""Reading the weather topics back, and the same stream scored offline for comparison."""

from __future__ import annotations

from kafka.errors import KafkaError

from streamml.detector.scoring import SensorScorer
from streamml.detector.thresholds import Thresholds
from streamml.evaluate.scorecard import Key
from streamml.sensors.network import PARAMS, SensorNetwork

from tests.helpers import committed_total


def committed(bootstrap: str, group: str, topic: str) -> int:
    """The group's committed total, or -1 while the group coordinator is not available yet
    (a fresh broker creates its offsets topic on first use)."""
    try:
        return committed_total(bootstrap, group, topic)
    except KafkaError:
        return -1


def offline_flags(faulty: int, control: int, prefix: str, seed: int, fault_rate: float,
                  readings: int, thresholds: Thresholds) -> dict[Key, tuple[str, ...]]:
    """What the detector flags on the same seeded stream scored in-process, without Kafka."""
    network = SensorNetwork(faulty, control, prefix, seed, fault_rate, PARAMS["tuning"])
    scorer = SensorScorer(thresholds, lambda: 0)
    flags: dict[Key, tuple[str, ...]] = {}
    for seq in range(readings):
        for reading in network.tick():
            for flag in scorer.score(reading.sensor_id, seq, seq, reading.values).flags:
                flags[(reading.sensor_id, flag.seq)] = flag.reasons
    return flags
