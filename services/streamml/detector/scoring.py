"""Per-sensor scoring: warm-up, z-scores against the sliding baseline, stuck readings, refits.

One ``SensorScorer`` holds the state of every sensor this detector instance has seen (the
sensors of the partitions it owns). It never talks to Kafka and never sees ground truth.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from streamml.contracts.weather import CHANNELS
from streamml.detector.baseline import Baseline, fit_baseline

METHOD = "robust-trend-z/1"
STUCK_REASON = "stuck"
WARMING_UP = "warming_up"
SCORED = "scored"
# Verdicts remembered per sensor, so a redelivered reading gets the same answer (and output).
REMEMBERED_VERDICTS = 512


@dataclass(frozen=True)
class ScoringSettings:
    warmup: int = 30
    window: int = 90
    refit_every: int = 10
    threshold: float = 6.0
    rebaseline_after: int = 30


@dataclass(frozen=True)
class Verdict:
    sensor_id: str
    seq: int
    status: str
    flagged: bool = False
    score: float = 0.0
    z_scores: tuple[float, ...] = ()
    reasons: tuple[str, ...] = ()
    baseline: Baseline | None = None
    duplicate: bool = False

    @property
    def model_version(self) -> str:
        return f"{self.sensor_id}/{self.baseline.fit_number}" if self.baseline else ""


@dataclass
class _SensorState:
    window: deque
    last_values: tuple[float, ...] | None = None
    last_seq: int = -1
    baseline: Baseline | None = None
    fits: int = 0
    since_fit: int = 0
    last_seen_ms: int = 0
    flagged_run: list = field(default_factory=list)
    verdicts: OrderedDict = field(default_factory=OrderedDict)


class SensorScorer:
    def __init__(self, settings: ScoringSettings, clock_ms: Callable[[], int]) -> None:
        self._settings = settings
        self._clock_ms = clock_ms
        self._sensors: dict[str, _SensorState] = {}
        self.fits = 0

    def score(self, sensor_id: str, seq: int, ts_ms: int, values: Sequence[float]) -> Verdict:
        now = self._clock_ms()
        state = self._sensors.get(sensor_id)
        if state is not None:
            remembered = state.verdicts.get(seq)
            if remembered is not None and remembered[0] == ts_ms:
                state.last_seen_ms = now
                return _as_duplicate(remembered[1])
            if seq <= state.last_seq or seq - state.last_seq > self._settings.window:
                # The sensor restarted its sequence, or this instance missed more readings
                # than a window holds: what it knows about the sensor is stale.
                state = None
        if state is None:
            state = self._sensors[sensor_id] = _SensorState(
                window=deque(maxlen=self._settings.window))
        state.last_seen_ms = now
        verdict = self._score_new(sensor_id, seq, state, tuple(values), now)
        state.verdicts[seq] = (ts_ms, verdict)
        if len(state.verdicts) > REMEMBERED_VERDICTS:
            state.verdicts.popitem(last=False)
        return verdict

    def _score_new(self, sensor_id: str, seq: int, state: _SensorState,
                   values: tuple[float, ...], now: int) -> Verdict:
        settings = self._settings
        # The sequence number is the time axis: a missed reading leaves a gap in the line.
        index = seq
        stuck = values == state.last_values and seq == state.last_seq + 1
        state.last_values = values
        state.last_seq = seq
        if state.baseline is None:
            if not stuck:
                state.window.append((index, values))
            if len(state.window) >= settings.warmup:
                self._fit(sensor_id, state, now)
            return Verdict(sensor_id, seq, WARMING_UP)
        baseline = state.baseline
        z = baseline.z_scores(index, values)
        reasons = tuple(f"level:{CHANNELS[c]}" for c in np.flatnonzero(z >= settings.threshold))
        if stuck:
            reasons += (STUCK_REASON,)
        if not reasons:
            state.window.append((index, values))
            state.flagged_run.clear()
        elif not stuck:
            state.flagged_run.append((index, values))
            if len(state.flagged_run) >= settings.rebaseline_after:
                # The sensor has kept a new level for a long while (moved, recalibrated):
                # that level is its normal now.
                state.window.clear()
                state.window.extend(state.flagged_run)
                state.flagged_run.clear()
                state.since_fit = settings.refit_every
        state.since_fit += 1
        if state.since_fit >= settings.refit_every:
            self._fit(sensor_id, state, now)
        return Verdict(sensor_id, seq, SCORED, flagged=bool(reasons), score=float(z.max()),
                       z_scores=tuple(float(v) for v in z), reasons=reasons, baseline=baseline)

    def _fit(self, sensor_id: str, state: _SensorState, now: int) -> None:
        indices = [index for index, _ in state.window]
        rows = [values for _, values in state.window]
        state.fits += 1
        state.baseline = fit_baseline(indices, rows, self._settings.threshold, state.fits, now)
        state.since_fit = 0
        self.fits += 1

    def knows(self, sensor_id: str) -> bool:
        return sensor_id in self._sensors

    def counts(self, heard_within_ms: int | None = None) -> tuple[int, int]:
        """(sensors warming up, sensors with a model); also called from the HTTP thread.
        With ``heard_within_ms``, warming-up sensors silent for longer are not counted."""
        states = list(self._sensors.values())  # a snapshot: the main loop may add sensors
        serving = sum(1 for s in states if s.baseline is not None)
        cutoff = self._clock_ms() - heard_within_ms if heard_within_ms is not None else None
        warming_up = sum(1 for s in states if s.baseline is None
                         and (cutoff is None or s.last_seen_ms >= cutoff))
        return warming_up, serving

    def oldest_model_age_ms(self) -> int:
        fitted = [s.baseline.fitted_at_ms for s in self._sensors.values() if s.baseline]
        return self._clock_ms() - min(fitted) if fitted else 0

    def evict_idle(self, idle_ms: int) -> int:
        """Forget sensors not heard from for ``idle_ms`` (e.g. their partition moved away)."""
        cutoff = self._clock_ms() - idle_ms
        gone = [sid for sid, s in self._sensors.items() if s.last_seen_ms < cutoff]
        for sensor_id in gone:
            del self._sensors[sensor_id]
        return len(gone)


def _as_duplicate(verdict: Verdict) -> Verdict:
    return Verdict(verdict.sensor_id, verdict.seq, verdict.status, verdict.flagged, verdict.score,
                   verdict.z_scores, verdict.reasons, verdict.baseline, duplicate=True)
