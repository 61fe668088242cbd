"""One reading as the detector's checks hold it: the sensor model's record, which the drift and
`inconsistent` checks read too (one concrete type, so the compiled build can read its fields
directly: docs/runtime.md, "Compiled scoring")."""

from __future__ import annotations

from dataclasses import dataclass

# A reading's channels and reasons are immutable and shared while empty (most readings are
# never flagged): every container a reading holds for its RECENT readings is one more object
# for each full garbage collection to visit (docs/weather.md, "Cost per reading").
NO_CHANNELS: frozenset[int] = frozenset()


@dataclass(eq=False, slots=True)
class Reading:
    seq: int
    ts_ms: int
    values: tuple[float, float, float]
    # The values with a spike repaired: the values' own tuple until a spike check repairs one.
    repaired: tuple[float, float, float]
    dew_point: float
    faulty: frozenset[int] = NO_CHANNELS  # channels flagged as faulty
    blocked: frozenset[int] = NO_CHANNELS  # ... as stuck, dropout or noise
    reasons: tuple[str, ...] = ()
    score: float = 0.0
    threshold: float = 1.0
    emitted: bool = False
    # Channels the one-reading spike check found spike_near_z to spike_z widths off the line.
    near_spikes: tuple[int, ...] = ()
    # Channels the one-reading spike check found spike_z widths off the line but whose next
    # reading stands farther off this one than the reading before does: decided one reading later.
    late_spikes: tuple[int, ...] = ()
