"""The report's numbers from a run's records (pure logic), scored as the demo scores them:

- cricket: every prediction of a finished match against its actual final score (a redelivered
  prediction counts once, by event id); "late" is from the 15th over on;
- weather: readings after each sensor's warm-up, against the injected truth in the record's
  headers. Sensors are *faulty* (faults injected) or *control* (never): from the role header
  when the sensors send one, otherwise a sensor with no injected fault in the run is a control.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kafka.consumer.fetcher import ConsumerRecord

from streamml.contracts.cricket import MAX_OVERS, MatchResult, ModelStatus, Prediction
from streamml.contracts.weather import (
    CONTROL, DETECTOR_WARMUP, NORMAL, SENSOR_ROLE_HEADER, Anomaly, Confusion, SensorReading,
    reason_kind, truth_of)
from streamml.runtime.messages import DecodeError, decode

LATE_FROM_OVER = 14.0  # the 15th over starts after 14 overs


@dataclass
class MatchReport:
    match_id: str
    final_score: int
    wickets: int
    balls: int
    # (over, current score, predicted final score), in over order
    predictions: list[tuple[float, int, float]]

    def errors(self) -> list[tuple[float, float]]:
        return [(over, abs(predicted - self.final_score))
                for over, _, predicted in self.predictions]

    @property
    def mean_error(self) -> float:
        return statistics.fmean(e for _, e in self.errors())

    @property
    def late_error(self) -> float | None:
        late = [e for over, e in self.errors() if over > LATE_FROM_OVER]
        return statistics.fmean(late) if late else None

    def run_rate_projection(self) -> list[tuple[float, float]]:
        """The naive projection: the current run rate kept for the whole innings."""
        return [(over, score / over * MAX_OVERS) for over, score, _ in self.predictions if over > 0]


@dataclass
class CricketReport:
    matches: list[MatchReport] = field(default_factory=list)
    models: list[ModelStatus] = field(default_factory=list)
    unfinished: int = 0

    def all_errors(self) -> list[tuple[float, float]]:
        return [pair for match in self.matches for pair in match.errors()]

    @property
    def mean_error(self) -> float | None:
        errors = self.all_errors()
        return statistics.fmean(e for _, e in errors) if errors else None

    @property
    def late_error(self) -> float | None:
        late = [e for over, e in self.all_errors() if over > LATE_FROM_OVER]
        return statistics.fmean(late) if late else None


def cricket_report(predictions: list[ConsumerRecord], results: list[ConsumerRecord],
                   statuses: list[ConsumerRecord]) -> CricketReport:
    by_match: dict[str, dict[str, Prediction]] = defaultdict(dict)
    for record in predictions:
        prediction = _decode(Prediction, record.value)
        if prediction is not None:
            by_match[prediction.match_id][prediction.event_id] = prediction
    finals: dict[str, MatchResult] = {}
    for record in results:
        result = _decode(MatchResult, record.value)
        if result is not None:
            finals[result.match_id] = result
    report = CricketReport()
    for record in statuses:
        status = _decode(ModelStatus, record.value)
        if status is not None and status.kind == "model_published":
            report.models.append(status)
    for match_id in sorted(by_match):
        result = finals.get(match_id)
        if result is None:
            report.unfinished += 1
            continue
        rows = sorted((p.current_over, p.current_score, p.predicted_final_score)
                      for p in by_match[match_id].values())
        report.matches.append(MatchReport(match_id, result.final_score, result.wickets,
                                          result.balls, rows))
    return report


@dataclass
class SensorSeries:
    sensor_id: str
    control: bool = False
    # seq -> (temperature, humidity, pressure)
    values: dict[int, tuple[float, float, float]] = field(default_factory=dict)
    truth: dict[int, str] = field(default_factory=dict)
    flags: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    # seq -> channels a flag named ("level:temperature_c"); a flag naming none marks them all
    flag_channels: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))


@dataclass
class WeatherReport:
    sensors: dict[str, SensorSeries] = field(default_factory=dict)
    warmup: int = DETECTOR_WARMUP
    readings: int = 0
    warmup_readings: int = 0
    flagged: int = 0
    weather_events: int = 0  # anomalies that report weather, not a sensor fault: not flags
    duplicate_anomalies: int = 0
    faulty: Confusion = field(default_factory=Confusion)
    control: Confusion = field(default_factory=Confusion)
    # truth kind -> (flagged, total) on faulty sensors after warm-up
    recall_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)
    # flag kind -> (flags on a truly faulty reading, flags) on faulty sensors after warm-up
    precision_by_flag: dict[str, tuple[int, int]] = field(default_factory=dict)


def weather_report(readings: list[ConsumerRecord], anomalies: list[ConsumerRecord],
                   warmup: int = DETECTOR_WARMUP) -> WeatherReport:
    report = WeatherReport(warmup=warmup)
    roles: dict[str, str] = {}
    for record in readings:
        reading = _decode(SensorReading, record.value)
        if reading is None:
            continue
        series = report.sensors.setdefault(reading.sensor_id, SensorSeries(reading.sensor_id))
        series.values[reading.seq] = reading.values()
        series.truth[reading.seq] = truth_of(record.headers) or NORMAL
        for name, value in record.headers or []:
            if name == SENSOR_ROLE_HEADER:
                roles[reading.sensor_id] = value.decode(errors="replace")
    messages: Counter[tuple[str, int]] = Counter()
    for record in anomalies:
        anomaly = _decode(Anomaly, record.value)
        if anomaly is None or anomaly.sensor_id not in report.sensors:
            continue
        if anomaly.is_weather_event:
            report.weather_events += 1
            continue
        messages[(anomaly.sensor_id, anomaly.seq)] += 1
        kinds = {reason_kind(reason) for reason in anomaly.reasons} or {"unknown"}
        series = report.sensors[anomaly.sensor_id]
        series.flags[anomaly.seq].update(kinds)
        series.flag_channels[anomaly.seq].update(
            reason.split(":", 1)[1] for reason in anomaly.reasons if ":" in reason)
    report.flagged = len(messages)
    report.duplicate_anomalies = sum(messages.values()) - len(messages)
    recall: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    precision: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for series in report.sensors.values():
        role = roles.get(series.sensor_id)
        series.control = (role == CONTROL if role is not None
                          else all(kind == NORMAL for kind in series.truth.values()))
        for seq, kind in series.truth.items():
            report.readings += 1
            if seq < warmup:
                report.warmup_readings += 1
                continue
            is_fault, flags = kind != NORMAL, series.flags.get(seq, set())
            (report.control if series.control else report.faulty).add(is_fault, bool(flags))
            if series.control:
                continue
            if is_fault:
                recall[kind][0] += bool(flags)
                recall[kind][1] += 1
            for flag in flags:
                precision[flag][0] += is_fault
                precision[flag][1] += 1
    report.recall_by_kind = {kind: (found, total) for kind, (found, total) in sorted(recall.items())}
    report.precision_by_flag = {kind: (hits, total)
                                for kind, (hits, total) in sorted(precision.items())}
    return report


def _decode(schema, value: bytes | None):
    try:
        return decode(schema, value)
    except DecodeError:
        return None
