"""Per-sensor scoring: one ``SensorModel`` per sensor, redeliveries answered from memory.

One ``SensorScorer`` holds the state of every sensor this detector instance has seen (the
sensors of the partitions it owns). It never talks to Kafka and never sees ground truth.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from streamml.detector.sensor import Flag, SensorModel
from streamml.detector.thresholds import Thresholds

METHOD = "robust-physics/2"
WARMING_UP = "warming_up"
SCORED = "scored"
# Verdicts remembered per sensor, so a redelivered reading gets the same answer (and output).
REMEMBERED_VERDICTS = 512
# A sensor this many readings away from what this instance knows of it starts afresh.
MAX_GAP = 120


class Verdict(NamedTuple):
    """One reading's verdict (a named tuple: built once per reading, about 4x cheaper than a
    frozen dataclass)."""

    sensor_id: str
    seq: int
    status: str
    # Readings flagged on this reading's arrival: this one and/or earlier ones.
    flags: tuple[Flag, ...] = ()
    model_version: str = ""
    fitted_at_ms: int = 0
    duplicate: bool = False


_new_tuple = tuple.__new__

# A remembered verdict: (ts_ms, status, flags, model_version, fitted_at_ms). A tuple of
# strings, numbers and (mostly empty) flag tuples, not a Verdict: the garbage collector stops
# tracking such a tuple, so 512 of them per sensor add nothing to its full collections
# (docs/weather.md, "Cost per reading").
_Remembered = tuple[int, str, tuple[Flag, ...], str, int]


@dataclass
class _SensorState:
    model: SensorModel
    last_seq: int = -1
    last_seen_ms: int = 0
    verdicts: OrderedDict[int, _Remembered] = field(default_factory=OrderedDict)
    # The model version's name, made again only when the model is refitted.
    version: str = ""
    version_fits: int = 0


class SensorScorer:
    def __init__(self, thresholds: Thresholds, clock_ms: Callable[[], int]) -> None:
        self._thresholds = thresholds
        self._clock_ms = clock_ms
        self._sensors: dict[str, _SensorState] = {}
        self.fits = 0  # model fits since start (every refit is a new model version)

    def score(self, sensor_id: str, seq: int, ts_ms: int, values: Sequence[float]) -> Verdict:
        now = self._clock_ms()
        state = self._sensors.get(sensor_id)
        if state is not None:
            remembered = state.verdicts.get(seq)
            if remembered is not None and remembered[0] == ts_ms:
                state.last_seen_ms = now
                return Verdict(sensor_id, seq, *remembered[1:], duplicate=True)
            if seq <= state.last_seq or seq - state.last_seq > MAX_GAP:
                # The sensor restarted its sequence, or this instance missed too much of it:
                # what it knows about the sensor is stale.
                state = None
        if state is None:
            state = self._sensors[sensor_id] = _SensorState(SensorModel(self._thresholds))
        state.last_seen_ms = now
        state.last_seq = seq
        model = state.model
        fits_before = model.fits
        found = model.update(seq, ts_ms, (float(values[0]), float(values[1]), float(values[2])),
                             now)
        fits = model.fits
        self.fits += fits - fits_before
        status = SCORED if fits else WARMING_UP  # warming up until the first fit
        if fits != state.version_fits:
            state.version_fits = fits
            state.version = f"{sensor_id}/{fits}" if fits else ""
        version = state.version
        fitted_at_ms = model.fitted_at_ms
        verdicts = state.verdicts
        verdicts[seq] = (ts_ms, status, found, version, fitted_at_ms)
        if len(verdicts) > REMEMBERED_VERDICTS:
            verdicts.popitem(last=False)
        # Verdict(sensor_id, seq, status, found, version, fitted_at_ms), built as the named
        # tuple's own constructor builds it, without the Python frame of its __new__.
        return _new_tuple(Verdict, (sensor_id, seq, status, found, version, fitted_at_ms, False))

    def knows(self, sensor_id: str) -> bool:
        return sensor_id in self._sensors

    def counts(self, heard_within_ms: int | None = None) -> tuple[int, int]:
        """(sensors warming up, sensors with a model); also called from the HTTP thread.
        With ``heard_within_ms``, warming-up sensors silent for longer are not counted."""
        states = list(self._sensors.values())  # a snapshot: the main loop may add sensors
        serving = sum(1 for s in states if not s.model.warming_up)
        cutoff = self._clock_ms() - heard_within_ms if heard_within_ms is not None else None
        warming_up = sum(1 for s in states if s.model.warming_up
                         and (cutoff is None or s.last_seen_ms >= cutoff))
        return warming_up, serving

    def oldest_model_age_ms(self) -> int:
        fitted = [s.model.fitted_at_ms for s in list(self._sensors.values()) if s.model.fits]
        return self._clock_ms() - min(fitted) if fitted else 0

    def evict_idle(self, idle_ms: int) -> int:
        """Forget sensors not heard from for ``idle_ms`` (e.g. their partition moved away)."""
        cutoff = self._clock_ms() - idle_ms
        gone = [sid for sid, s in self._sensors.items() if s.last_seen_ms < cutoff]
        for sensor_id in gone:
            del self._sensors[sensor_id]
        return len(gone)
