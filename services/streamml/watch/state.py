"""What `streamml watch` has seen on the topics, kept small: pure logic, no Kafka, no terminal.

Records arrive as (topic, key, value, headers, timestamp_ms); anything that does not decode
against its contract is skipped here (the services dead-letter what they cannot read).
"""

from __future__ import annotations

import statistics
from collections import Counter, deque
from dataclasses import dataclass, field

from streamml.contracts.cricket import MatchEvent, MatchResult, ModelStatus, Prediction
from streamml.contracts.weather import (
    ANOMALIES_TOPIC, DETECTOR_WARMUP, READINGS_TOPIC, Anomaly, SensorReading, reason_kind)
from streamml.runtime.dead_letter import HEADER_PREFIX, header_map
from streamml.runtime.messages import DecodeError, decode

EVENTS_TOPIC = "cricket.match-events"
RESULTS_TOPIC = "cricket.match-results"
PREDICTIONS_TOPIC = "cricket.predictions"
STATUS_TOPIC = "cricket.model-status"
DEAD_LETTER_TOPIC = "streamml.dead-letter"
FOLLOWED_TOPICS = (EVENTS_TOPIC, RESULTS_TOPIC, PREDICTIONS_TOPIC, STATUS_TOPIC, READINGS_TOPIC,
                   ANOMALIES_TOPIC, DEAD_LETTER_TOPIC)
RECENT_READINGS = 100  # "recent flags": flags among a sensor's last this many readings


@dataclass
class MatchRow:
    match_id: str
    score: int = 0
    wickets: int = 0
    over: float = 0.0
    complete: bool = False
    predictions: list[tuple[float, float]] = field(default_factory=list)  # (over, predicted)
    model_key: str = ""
    model_version: int | None = None
    final_score: int | None = None
    last_seen_ms: int = 0

    @property
    def latest_prediction(self) -> float | None:
        return self.predictions[-1][1] if self.predictions else None

    @property
    def mean_error(self) -> float | None:
        """Mean absolute error of its predictions against the final score, once it ended."""
        if self.final_score is None or not self.predictions:
            return None
        return statistics.fmean(abs(p - self.final_score) for _, p in self.predictions)


@dataclass
class SensorRow:
    sensor_id: str
    reading: SensorReading | None = None
    flags: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=200))
    total_flags: int = 0
    weather_events: int = 0
    model_version: str = ""
    last_seen_ms: int = 0

    def recent_flags(self) -> Counter[str]:
        """Flags by kind among the sensor's last RECENT_READINGS readings."""
        newest = self.reading.seq if self.reading else 0
        return Counter(kind for seq, kind in self.flags if seq > newest - RECENT_READINGS)


@dataclass
class WatchState:
    warmup: int = DETECTOR_WARMUP
    matches: dict[str, MatchRow] = field(default_factory=dict)
    models: dict[tuple[str, int], ModelStatus] = field(default_factory=dict)
    sensors: dict[str, SensorRow] = field(default_factory=dict)
    dead_letters: Counter[str] = field(default_factory=Counter)
    records: int = 0
    undecodable: int = 0

    def add(self, topic: str, value: bytes | None, headers: list | None, timestamp_ms: int) -> None:
        self.records += 1
        if topic == DEAD_LETTER_TOPIC:
            found = header_map(headers)
            service = found.get(HEADER_PREFIX + "service", "?")
            self.dead_letters[f"{service}: {found.get(HEADER_PREFIX + 'reason', 'unknown')}"] += 1
            return
        if value is None:
            return
        try:
            if topic == EVENTS_TOPIC:
                self._event(decode(MatchEvent, value), timestamp_ms)
            elif topic == PREDICTIONS_TOPIC:
                self._prediction(decode(Prediction, value), timestamp_ms)
            elif topic == RESULTS_TOPIC:
                result = decode(MatchResult, value)
                self._match(result.match_id, timestamp_ms).final_score = result.final_score
            elif topic == STATUS_TOPIC:
                status = decode(ModelStatus, value)
                if status.kind == "model_published" and status.version is not None:
                    self.models[(status.model_key, status.version)] = status
            elif topic == READINGS_TOPIC:
                reading = decode(SensorReading, value)
                row = self._sensor(reading.sensor_id, timestamp_ms)
                if row.reading is None or reading.seq >= row.reading.seq:
                    row.reading = reading
            elif topic == ANOMALIES_TOPIC:
                self._anomaly(decode(Anomaly, value), timestamp_ms)
        except DecodeError:
            self.undecodable += 1

    def _match(self, match_id: str, timestamp_ms: int) -> MatchRow:
        row = self.matches.setdefault(match_id, MatchRow(match_id))
        row.last_seen_ms = max(row.last_seen_ms, timestamp_ms)
        return row

    def _event(self, event: MatchEvent, timestamp_ms: int) -> None:
        row = self._match(event.match_id, timestamp_ms)
        if event.current_over >= row.over:
            row.score, row.wickets, row.over = event.current_score, event.wickets, event.current_over
            row.complete = row.complete or event.innings_complete

    def _prediction(self, prediction: Prediction, timestamp_ms: int) -> None:
        row = self._match(prediction.match_id, timestamp_ms)
        if row.predictions and prediction.current_over < row.predictions[-1][0]:
            return  # a redelivered, older prediction
        row.predictions.append((prediction.current_over, prediction.predicted_final_score))
        row.model_key, row.model_version = prediction.model_key, prediction.model_version
        if prediction.current_over >= row.over:
            row.score, row.wickets, row.over = (prediction.current_score, prediction.wickets,
                                                prediction.current_over)

    def _sensor(self, sensor_id: str, timestamp_ms: int) -> SensorRow:
        row = self.sensors.setdefault(sensor_id, SensorRow(sensor_id))
        row.last_seen_ms = max(row.last_seen_ms, timestamp_ms)
        return row

    def _anomaly(self, anomaly: Anomaly, timestamp_ms: int) -> None:
        row = self._sensor(anomaly.sensor_id, timestamp_ms)
        if row.reading is None or anomaly.seq > row.reading.seq:
            row.reading = anomaly.reading
        if anomaly.is_weather_event:
            row.weather_events += 1  # weather, not a sensor fault: not a flag
            return
        kinds = {reason_kind(reason) for reason in anomaly.reasons} or {"unknown"}
        row.flags.extend((anomaly.seq, kind) for kind in sorted(kinds))
        row.total_flags += 1
        row.model_version = anomaly.model_version

    def sensor_state(self, row: SensorRow) -> str:
        """Warming up until the detector's warm-up count of readings (by the reading's seq)."""
        if row.reading is None:
            return "no reading"
        seen = row.reading.seq + 1
        return "serving" if seen >= self.warmup else f"warming up {seen}/{self.warmup}"

    def model_in_use(self) -> tuple[str, int, ModelStatus | None] | None:
        """The model of the newest prediction, with its trainer report when one was seen."""
        newest = max((m for m in self.matches.values() if m.model_version is not None),
                     key=lambda m: m.last_seen_ms, default=None)
        if newest is None:
            if not self.models:
                return None
            key, version = max(self.models, key=lambda kv: self.models[kv].time_ms)
            return key, version, self.models[(key, version)]
        assert newest.model_version is not None
        return (newest.model_key, newest.model_version,
                self.models.get((newest.model_key, newest.model_version)))
