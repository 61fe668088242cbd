"""The detector's stream handler: score each reading, publish the flagged ones, keep metrics."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from streamml.contracts.weather import (
    CHANNELS, NORMAL, Anomaly, Confusion, SensorReading, is_weather_event, truth_of)
from streamml.detector.config import DetectorConfig
from streamml.detector.metrics import DetectorMetrics
from streamml.detector.scoring import METHOD, SCORED, SensorScorer, Verdict
from streamml.detector.sensor import Flag
from streamml.runtime.dead_letter import Outgoing
from streamml.runtime.stream import HandlerResult, Incoming

log = logging.getLogger(__name__)

DUPLICATE = "duplicate"
TRUE_POSITIVE, FALSE_POSITIVE = "true_positive", "false_positive"
FALSE_NEGATIVE, TRUE_NEGATIVE = "false_negative", "true_negative"
GAUGE_INTERVAL_MS = 1000
# A sensor that went silent while warming up stops holding readiness back after this long.
READY_SILENT_SENSOR_MS = 60_000

# (topic, partition, start offset, end offset) -> the valid readings in [start, end)
HistoryReader = Callable[[str, int, int, int], list[SensorReading]]


class DetectorHandler:
    def __init__(self, config: DetectorConfig, metrics: DetectorMetrics, scorer: SensorScorer,
                 clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
                 history: HistoryReader | None = None) -> None:
        self.inputs = {config.readings_topic: SensorReading}
        self._config = config
        self._metrics = metrics
        self._scorer = scorer
        self._clock_ms = clock_ms
        self._history = history
        # Per partition, the offset after the last record this instance handled.
        self._next_offset: dict[tuple[str, int], int] = {}
        self._confusion = Confusion()
        # Per sensor flagged on its last reading, the reasons last logged for it: a sensor
        # flagged reading after reading (stuck for hours) logs one line, not one per reading.
        self._logged_reasons: dict[str, tuple[str, ...]] = {}
        self._gauges_at = 0
        self._fits_seen = 0
        metrics.model.info({"method": METHOD, "warmup": str(config.warmup),
                            "refit_every": str(config.refit_every),
                            "spike_z": str(config.spike_z),
                            "stuck_log_odds": str(config.stuck_log_odds),
                            "noise_ratio": str(config.noise_ratio)})

    def is_ready(self) -> bool:
        # Never hold the input: each sensor's model is learnt from the input itself, so a
        # paused consumer would wait forever. Warm-up readings are counted, not dropped.
        return True

    def has_models(self) -> bool:
        """Readiness: a model for every sensor heard from lately (and at least one model)."""
        warming_up, serving = self._scorer.counts(READY_SILENT_SENSOR_MS)
        return serving > 0 and warming_up == 0

    @property
    def confusion(self) -> Confusion:
        return self._confusion

    def handle(self, batch: Sequence[Incoming[SensorReading]]) -> HandlerResult:
        spans = _partition_spans(batch)
        for (topic, partition), (first, _) in spans.items():
            self._catch_up(topic, partition, first)
        outputs = []
        counts = _BatchCounts()
        score, account = self._scorer.score, self._account
        try:
            for item in batch:
                reading = item.message
                verdict = score(reading.sensor_id, reading.seq, reading.ts_ms, reading.values())
                if verdict.flags or verdict.duplicate or verdict.status != SCORED:
                    account(verdict, item.record.headers, counts)
                    if verdict.flags:
                        outputs.extend(self._anomaly(reading, verdict, flag)
                                       for flag in verdict.flags)
                else:  # most readings: only their truth is counted, per batch
                    counts.quiet_truths.append(truth_of(item.record.headers))
                    self._logged_reasons.pop(reading.sensor_id, None)
        finally:
            # Even if a reading raised: what was scored is counted, and the batch, handled
            # again one by one, is no gap to restore from the partition's history.
            self._publish(counts)
            self._advance(spans)
        self._update_gauges(force=False)
        return HandlerResult(outputs=outputs)

    def on_idle(self) -> list[Outgoing]:
        self._update_gauges(force=False)
        return []

    def close(self) -> None:
        self._update_gauges(force=True)
        c = self._confusion
        log.info("detector stopping", extra={
            "scored_with_truth": c.total, "precision": round(c.precision, 4),
            "recall": round(c.recall, 4), "model_fits": self._scorer.fits})

    def _advance(self, spans: dict[tuple[str, int], tuple[int, int]]) -> None:
        for key, (_, last) in spans.items():
            self._next_offset[key] = max(self._next_offset.get(key, 0), last + 1)

    def _catch_up(self, topic: str, partition: int, offset: int) -> None:
        """Before the first record of a partition this instance did not just handle, replay
        the records it missed (up to ``restore_records``) so its sensors' state is current."""
        expected = self._next_offset.get((topic, partition))
        if expected is not None and offset <= expected:
            return  # the next record, or a redelivery
        if self._history is None or self._config.restore_records == 0:
            return
        start = max(offset - self._config.restore_records, expected or 0)
        readings = self._history(topic, partition, start, offset)
        for reading in readings:
            self._scorer.score(reading.sensor_id, reading.seq, reading.ts_ms, reading.values())
        self._next_offset[(topic, partition)] = offset
        if readings:
            self._metrics.restored.inc(len(readings))
            log.info("restored sensor state from the partition's history", extra={
                "topic": topic, "partition": partition, "from_offset": start,
                "to_offset": offset, "readings": len(readings),
                "sensors": len({r.sensor_id for r in readings})})

    def _account(self, verdict: Verdict, headers: list[tuple[str, bytes]] | None,
                 counts: _BatchCounts) -> None:
        """Counts (added to the metrics once per batch) and logs. Running precision/recall
        count a reading as flagged when a flag for it is raised on its own arrival (a later
        flag for it is counted as an anomaly, not here): the exact figures come from
        `streamml evaluate weather`."""
        if verdict.duplicate:
            counts.readings[DUPLICATE] += 1
            return
        counts.readings[verdict.status] += 1
        flagged_now = faulty = False
        for flag in verdict.flags:
            if is_weather_event(flag.reasons):
                counts.weather_events[flag.reasons[0].partition(":")[2]] += 1
                continue
            faulty = True
            flagged_now = flagged_now or flag.seq == verdict.seq
            for reason in flag.reasons:
                if not reason.startswith("weather"):
                    counts.anomalies[reason.partition(":")[0]] += 1
            counts.scores.append(flag.score / flag.threshold)
            self._log_anomaly(verdict, flag)
        if not faulty:
            self._logged_reasons.pop(verdict.sensor_id, None)
        if verdict.status != SCORED:
            return
        truth = truth_of(headers)
        if truth is None:
            return
        counts.truth[_outcome(truth != NORMAL, flagged_now)] += 1

    def _log_anomaly(self, verdict: Verdict, flag: Flag) -> None:
        """One line when a sensor's fault flags begin or their reasons change; every flag is
        still published and counted. On 40,000 bench readings: 192 lines instead of 3,890
        (one per flag, about 18 µs each: 2 % of the handler's time)."""
        if self._logged_reasons.get(verdict.sensor_id) == flag.reasons:
            return
        self._logged_reasons[verdict.sensor_id] = flag.reasons
        log.info("anomaly", extra={
            "sensor_id": verdict.sensor_id, "seq": flag.seq, "decided_at_seq": verdict.seq,
            "reasons": list(flag.reasons), "model_version": verdict.model_version})

    def _publish(self, counts: _BatchCounts) -> None:
        counts.count_quiet()
        metrics = self._metrics
        for family, counted in ((metrics.readings, counts.readings),
                                (metrics.anomalies, counts.anomalies),
                                (metrics.weather_events, counts.weather_events),
                                (metrics.truth, counts.truth)):
            for label, count in counted.items():
                family.labels(label).inc(count)
        for score in counts.scores:
            metrics.score.observe(score)
        if counts.truth:
            truth = counts.truth
            self._confusion.add_counts(truth[TRUE_POSITIVE], truth[FALSE_POSITIVE],
                                       truth[FALSE_NEGATIVE], truth[TRUE_NEGATIVE])
            metrics.precision.set(self._confusion.precision)
            metrics.recall.set(self._confusion.recall)

    def _anomaly(self, reading: SensorReading, verdict: Verdict, flag: Flag) -> Outgoing:
        flagged = reading if flag.seq == reading.seq else SensorReading(
            sensor_id=reading.sensor_id, seq=flag.seq, ts_ms=flag.ts_ms,
            temperature_c=flag.values[0], humidity_pct=flag.values[1],
            pressure_hpa=flag.values[2])
        anomaly = Anomaly(
            sensor_id=reading.sensor_id, seq=flag.seq, reading=flagged,
            score=round(flag.score, 4), threshold=flag.threshold, reasons=flag.reasons,
            z_scores={name: z for name, z in zip(CHANNELS, flag.channel_scores)},
            model_method=METHOD, model_version=verdict.model_version,
            model_fitted_at_ms=verdict.fitted_at_ms,
            detector=self._config.effective_group_id, detected_at_ms=self._clock_ms(),
            decided_at_seq=verdict.seq)
        return Outgoing(self._config.anomalies_topic, anomaly.to_bytes(),
                        key=reading.sensor_id.encode())

    def _update_gauges(self, force: bool) -> None:
        now = self._clock_ms()
        if not force and now - self._gauges_at < GAUGE_INTERVAL_MS:
            return
        self._gauges_at = now
        forgotten = self._scorer.evict_idle(int(self._config.sensor_idle_s * 1000))
        if forgotten:
            log.info("forgot idle sensors", extra={"sensors": forgotten})
            # Rare: start every run's log afresh rather than keep a silent sensor's entry.
            self._logged_reasons.clear()
        warming_up, serving = self._scorer.counts()
        self._metrics.sensors.labels("warming_up").set(warming_up)
        self._metrics.sensors.labels("serving").set(serving)
        self._metrics.model_age.set(self._scorer.oldest_model_age_ms() / 1000)
        fits = self._scorer.fits
        self._metrics.model_fits.inc(fits - self._fits_seen)
        self._fits_seen = fits


@dataclass
class _BatchCounts:
    """One batch's counts by label: a labelled child costs a lock and a lookup per call."""

    readings: Counter[str] = field(default_factory=Counter)
    anomalies: Counter[str] = field(default_factory=Counter)
    weather_events: Counter[str] = field(default_factory=Counter)
    truth: Counter[str] = field(default_factory=Counter)
    scores: list[float] = field(default_factory=list)
    # The truth of each scored reading that raised no flag, not duplicated (counted at the end).
    quiet_truths: list[str | None] = field(default_factory=list)

    def count_quiet(self) -> None:
        """Count the quiet readings: scored, and none of them flagged on arrival."""
        if not self.quiet_truths:
            return
        self.readings[SCORED] += len(self.quiet_truths)
        for truth, count in Counter(self.quiet_truths).items():
            if truth is not None:
                self.truth[_outcome(truth != NORMAL, False)] += count
        self.quiet_truths.clear()


def _partition_spans(batch: Sequence[Incoming[SensorReading]]
                     ) -> dict[tuple[str, int], tuple[int, int]]:
    """(first, last) offset of each partition's records in the batch, in one pass. A batch holds
    each partition's records in offset order, from one fetch: only its first record of a
    partition can follow a gap this instance did not handle."""
    spans: dict[tuple[str, int], tuple[int, int]] = {}
    # A run of records of one partition is read as one span (most batches are a run or two).
    topic, partition, first, last = None, -1, 0, 0
    for item in batch:
        record = item.record
        if record.partition == partition and record.topic == topic:
            last = max(last, record.offset)
            continue
        if topic is not None:
            _add_span(spans, (topic, partition), first, last)
        topic, partition, first, last = (record.topic, record.partition, record.offset,
                                         record.offset)
    if topic is not None:
        _add_span(spans, (topic, partition), first, last)
    return spans


def _add_span(spans: dict[tuple[str, int], tuple[int, int]], key: tuple[str, int], first: int,
              last: int) -> None:
    span = spans.get(key)
    spans[key] = (first, last) if span is None else (span[0], max(span[1], last))


def _outcome(is_anomaly: bool, flagged: bool) -> str:
    if is_anomaly:
        return TRUE_POSITIVE if flagged else FALSE_NEGATIVE
    return FALSE_POSITIVE if flagged else TRUE_NEGATIVE
