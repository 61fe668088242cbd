"""Event -> output latency: which input event each output answers, and when that event was sent.

The paced generator stamps each event's time as it sends it (``bench.payloads.stamp``). An
output is matched to the input event it answers through the input topic's records of the
same phase. The bench's input topics, like its output topics, take the broker's append time
as record timestamp (``LogAppendTime``), so each sample splits in two at the moment the input
is in Kafka (``split_latencies``):

- **generator**: the event's stamp -> its input appended. The bench's generator process
  (sharing the node's cores) and its producer's linger, not the service;
- **service**: the input appended -> the output readable (appended, or under exactly-once read
  by a ``read_committed`` reader): what the service under test adds.

Matching:

- a prediction answers the match event with its ``event_id``;
- an anomaly answers the reading that *decided* the flag: ``decided_at_seq`` of the same
  sensor (a spike is recognised when the next reading returns to the line, a stuck run on a
  later repeat). Timing it from the flagged reading itself (``seq``) would add the time
  between two readings of that sensor to every such flag, which is not the service's delay.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

EventKey = tuple[str, int] | str
# kafka-python's ConsumerRecord.timestamp_type: the broker's append time, not the producer's.
LOG_APPEND_TIME = 1


def match_event_key(value: dict) -> str:
    return value["event_id"]


def prediction_answers(value: dict) -> str:
    return value["event_id"]


def reading_key(value: dict) -> tuple[str, int]:
    return value["sensor_id"], value["seq"]


def anomaly_answers(value: dict) -> tuple[str, int]:
    decided = value.get("decided_at_seq")
    return value["sensor_id"], value["seq"] if decided is None else decided


def event_time_of_match_event(value: dict) -> float:
    return value["event_time_ms"]


def event_time_of_reading(value: dict) -> float:
    return value["ts_ms"]


def event_times(values: Iterable[bytes], key: Callable[[dict], EventKey],
                time_of: Callable[[dict], float]) -> dict[EventKey, float]:
    """Input event key -> the time the generator stamped into it."""
    times: dict[EventKey, float] = {}
    for raw in values:
        try:
            value = json.loads(raw)
            times[key(value)] = float(time_of(value))
        except (ValueError, KeyError, TypeError):
            continue  # not one of the generator's events
    return times


def latencies(outputs: Sequence[tuple[float, bytes]], times: dict[EventKey, float],
              answers: Callable[[dict], EventKey]) -> list[tuple[float, float]]:
    """(event time, latency ms) per output whose input event is known; ``outputs`` are
    (moment the output was readable, value)."""
    samples = []
    for observed_ms, raw in outputs:
        event_ms = times.get(answers(json.loads(raw)))
        if event_ms is not None:
            samples.append((event_ms, observed_ms - event_ms))
    return samples


class InputTimes(NamedTuple):
    """When an input event was stamped by the generator and appended by the broker (ms)."""

    stamped_ms: float
    appended_ms: float


class Split(NamedTuple):
    """One output's latency, split where its input event entered Kafka (ms)."""

    event_ms: float      # the generator's stamp of the input event
    generator_ms: float  # stamp -> the input appended
    service_ms: float    # the input appended -> the output readable

    @property
    def total_ms(self) -> float:
        """Event -> output, end to end."""
        return self.generator_ms + self.service_ms


def input_times(records: Iterable[tuple[float, bytes]], key: Callable[[dict], EventKey],
                time_of: Callable[[dict], float]) -> dict[EventKey, InputTimes]:
    """Input event key -> (the generator's stamp, the broker's append time) from the input
    topic's (record timestamp, value) pairs; the topic must use ``LogAppendTime``."""
    times: dict[EventKey, InputTimes] = {}
    for appended_ms, raw in records:
        try:
            value = json.loads(raw)
            times[key(value)] = InputTimes(float(time_of(value)), float(appended_ms))
        except (ValueError, KeyError, TypeError):
            continue  # not one of the generator's events
    return times


def split_latencies(outputs: Sequence[tuple[float, bytes]], inputs: dict[EventKey, InputTimes],
                    answers: Callable[[dict], EventKey]) -> list[Split]:
    """One ``Split`` per output whose input event is known; ``outputs`` are (moment the output
    was readable, value)."""
    samples = []
    for observed_ms, raw in outputs:
        known = inputs.get(answers(json.loads(raw)))
        if known is not None:
            samples.append(Split(known.stamped_ms, known.appended_ms - known.stamped_ms,
                                 observed_ms - known.appended_ms))
    return samples


def sketch(values: Sequence[float], points: int = 400) -> list[float]:
    """At most ``points`` evenly spaced order statistics (min and max kept): enough to draw a
    distribution, small enough to keep in results.json."""
    ordered = sorted(values)
    if len(ordered) <= points:
        return ordered
    step = (len(ordered) - 1) / (points - 1)
    return [ordered[round(i * step)] for i in range(points)]
