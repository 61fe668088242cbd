"""Runs the detector's scorer over a labelled stream without Kafka, and times it."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from streamml.detector.config import DetectorConfig
from streamml.detector.scoring import SensorScorer, Verdict
from streamml.evaluate.scorecard import Key, LabelledTruth, Scorecard, score
from streamml.evaluate.sources import Labelled


@dataclass(frozen=True)
class OfflineResult:
    truths: list[LabelledTruth]
    flags: dict[Key, tuple[str, ...]]
    seconds: float

    @property
    def readings(self) -> int:
        return len(self.truths)

    @property
    def card(self) -> Scorecard:
        return score(self.truths, self.flags)

    @property
    def microseconds_per_reading(self) -> float:
        return 1e6 * self.seconds / self.readings if self.readings else 0.0


def evaluate(items: Iterable[Labelled], config: DetectorConfig) -> OfflineResult:
    """Score every reading in order, as the detector service would, and join with the truth.
    The cost is CPU time of the scorer alone (the machine may be shared)."""
    scorer = SensorScorer(config.thresholds(), clock_ms=lambda: 0)
    truths: list[LabelledTruth] = []
    flags: dict[Key, tuple[str, ...]] = {}
    busy = 0.0
    for item in items:
        reading = item.reading
        truths.append(LabelledTruth(reading.sensor_id, reading.seq, item.truth, item.unchanged))
        started = time.process_time()
        verdict = scorer.score(reading.sensor_id, reading.seq, reading.ts_ms, reading.values())
        busy += time.process_time() - started
        for seq, reasons in flags_of(verdict):
            key = (reading.sensor_id, seq)
            flags[key] = tuple(sorted(set(flags.get(key, ())) | set(reasons)))
    return OfflineResult(truths, flags, busy)


def combined(results: list[OfflineResult]) -> OfflineResult:
    """Several runs as one (their sensor ids differ)."""
    return OfflineResult([t for r in results for t in r.truths],
                         {k: v for r in results for k, v in r.flags.items()},
                         sum(r.seconds for r in results))


def flags_of(verdict: Verdict) -> list[tuple[int, tuple[str, ...]]]:
    """(seq, reasons) of every reading the verdict flags (its own, or earlier ones)."""
    return [(flag.seq, flag.reasons) for flag in verdict.flags]
