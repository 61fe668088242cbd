"""Scoring a weather detector against labelled readings, and the report table.

Works on any labelled stream (the simulator, a CSV recording, the topics): the truth of every
reading is joined with the detector's flags by (sensor_id, seq) after the run, so a flag
raised later for an earlier reading (a stuck run recognised on its eighth repeat) counts for
the reading it names. Flags whose reasons all start with ``weather`` are weather events, not
fault flags: they are counted apart and never as a hit or a false alarm.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from streamml.contracts.weather import (
    CONDITIONS, CONTROL, FAULT_KINDS, NORMAL, Truth, is_weather_event)

Key = tuple[str, int]

# The bar of issue 11 (docs/weather.md).
MIN_RECALL = 0.8
MIN_RECALL_SMALL_SPIKES = 0.5
MIN_PRECISION = 0.8
MAX_FALSE_ALARMS = 0.01
MAX_FALSE_ALARMS_PER_CONDITION = 0.03


@dataclass
class Ratio:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += hit
        self.total += 1

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __str__(self) -> str:
        if not self.total:
            return "-"
        return f"{self.hits / self.total:.3f} ({self.hits}/{self.total})"

    def percent(self) -> str:
        if not self.total:
            return "-"
        return f"{100 * self.hits / self.total:.2f} % ({self.hits}/{self.total})"


@dataclass
class Scorecard:
    readings: int = 0
    unlabelled: int = 0
    weather_events: int = 0
    fault_flags: int = 0
    recall_readings: dict[str, Ratio] = field(default_factory=lambda: defaultdict(Ratio))
    recall_episodes: dict[str, Ratio] = field(default_factory=lambda: defaultdict(Ratio))
    missed_multi_episodes: Counter = field(default_factory=Counter)
    # Of those, the episodes whose every reading the fault left as the fault-free sensor would
    # have reported it (known for the simulator only): no detector can see them.
    missed_unchanged_episodes: Counter = field(default_factory=Counter)
    recall_by_class: dict[str, Ratio] = field(default_factory=lambda: defaultdict(Ratio))
    # Among fault flags on sensors with faults: true (a faulty reading) or false.
    precision: Ratio = field(default_factory=Ratio)
    false_alarms: Ratio = field(default_factory=Ratio)  # control sensors, normal readings
    false_alarms_by_condition: dict[str, Ratio] = field(default_factory=lambda: defaultdict(Ratio))
    false_alarms_by_class: dict[str, Ratio] = field(default_factory=lambda: defaultdict(Ratio))
    flagged_kinds: Counter = field(default_factory=Counter)

    @property
    def all_faults(self) -> Ratio:
        return Ratio(sum(r.hits for r in self.recall_readings.values()),
                     sum(r.total for r in self.recall_readings.values()))

    def shortfalls(self) -> list[str]:
        """The parts of the bar not met (empty: met). Kinds absent from the stream are skipped."""
        failed = []
        for kind, ratio in self.recall_readings.items():
            need = MIN_RECALL_SMALL_SPIKES if kind == "spike_small" else MIN_RECALL
            if ratio.value is not None and ratio.value < need:
                failed.append(f"recall {kind} {ratio.value:.3f} < {need}")
        for kind, missed in self.missed_multi_episodes.items():
            if missed:
                failed.append(f"{missed} multi-reading {kind} episodes never flagged")
        if self.precision.value is not None and self.precision.value < MIN_PRECISION:
            failed.append(f"precision {self.precision.value:.3f} < {MIN_PRECISION}")
        if self.false_alarms.value is not None and self.false_alarms.value > MAX_FALSE_ALARMS:
            failed.append(f"false alarms {100 * self.false_alarms.value:.2f} % > 1 %")
        for condition, ratio in self.false_alarms_by_condition.items():
            if ratio.value is not None and ratio.value > MAX_FALSE_ALARMS_PER_CONDITION:
                failed.append(f"false alarms in {condition} {100 * ratio.value:.2f} % > 3 %")
        return failed


@dataclass(frozen=True)
class LabelledTruth:
    sensor_id: str
    seq: int
    truth: Truth | None
    unchanged: bool = False


def score(truths: Iterable[LabelledTruth], flags: Mapping[Key, tuple[str, ...]]) -> Scorecard:
    """Join every reading's truth with the reasons it was flagged for (if any)."""
    card = Scorecard()
    by_sensor: dict[str, list[LabelledTruth]] = defaultdict(list)
    for item in truths:
        by_sensor[item.sensor_id].append(item)
    for reasons in flags.values():
        if is_weather_event(reasons):
            card.weather_events += 1
        else:
            card.fault_flags += 1
            card.flagged_kinds.update(r.split(":")[0] for r in reasons
                                      if not r.startswith("weather"))
    for items in by_sensor.values():
        items.sort(key=lambda item: item.seq)
        _score_sensor(card, items, flags)
    return card


def _is_fault_flag(reasons: tuple[str, ...] | None) -> bool:
    return bool(reasons) and not is_weather_event(reasons)  # type: ignore[arg-type]


def _score_sensor(card: Scorecard, items: list[LabelledTruth],
                  flags: Mapping[Key, tuple[str, ...]]) -> None:
    episode: list[bool] = []
    episode_unchanged = True
    episode_kind = NORMAL
    previous_seq = None
    for item in items:
        card.readings += 1
        truth = item.truth
        if truth is None:
            card.unlabelled += 1
            continue
        flagged = _is_fault_flag(flags.get((item.sensor_id, item.seq)))
        kind = truth.kind
        contiguous = previous_seq is not None and item.seq == previous_seq + 1
        if episode and (kind != episode_kind or not contiguous):
            _close_episode(card, episode_kind, episode, episode_unchanged)
            episode, episode_unchanged = [], True
        previous_seq = item.seq
        if kind != NORMAL:
            episode_kind = kind
            episode.append(flagged)
            episode_unchanged = episode_unchanged and item.unchanged
            card.recall_readings[kind].add(flagged)
            card.recall_by_class[truth.sensor_class or "?"].add(flagged)
            if flagged:
                card.precision.add(True)
            continue
        if truth.role == CONTROL:
            card.false_alarms.add(flagged)
            card.false_alarms_by_condition[truth.condition or "?"].add(flagged)
            card.false_alarms_by_class[truth.sensor_class or "?"].add(flagged)
        elif flagged:
            card.precision.add(False)
    if episode:
        _close_episode(card, episode_kind, episode, episode_unchanged)


def _close_episode(card: Scorecard, kind: str, flagged: list[bool], unchanged: bool) -> None:
    card.recall_episodes[kind].add(any(flagged))
    if len(flagged) > 1 and not any(flagged):
        card.missed_multi_episodes[kind] += 1
        card.missed_unchanged_episodes[kind] += unchanged
    else:
        card.missed_multi_episodes[kind] += 0


def report(card: Scorecard, title: str) -> str:
    """The evaluation table (the same text the demo prints and docs/weather.md quotes)."""
    lines = [f"weather evaluation: {title}",
             f"  readings {card.readings} ({card.unlabelled} without truth); readings flagged "
             f"as sensor faults {card.fault_flags}; weather events reported {card.weather_events}",
             "",
             f"  {'fault kind':<17} {'recall (readings)':>22} {'recall (episodes)':>18} "
             f"{'multi-reading episodes missed':>30}"]
    kinds = [k for k in FAULT_KINDS if k in card.recall_readings] + sorted(
        k for k in card.recall_readings if k not in FAULT_KINDS)
    for kind in kinds:
        missed = card.missed_multi_episodes.get(kind, 0)
        multi = "-" if kind.startswith("spike") else str(missed)
        lines.append(f"  {kind:<17} {card.recall_readings[kind]!s:>22} "
                     f"{card.recall_episodes[kind]!s:>18} {multi:>30}")
    lines.append(f"  {'all faults':<17} {card.all_faults!s:>22}")
    lines += ["", f"  precision (fault flags on sensors with faults): {card.precision}",
              f"  false alarms on fault-free control sensors: {card.false_alarms.percent()}"]
    conditions = [c for c in CONDITIONS if c in card.false_alarms_by_condition] + sorted(
        c for c in card.false_alarms_by_condition if c not in CONDITIONS)
    for condition in conditions:
        lines.append(f"    {condition:<14} {card.false_alarms_by_condition[condition].percent()}")
    lines.append("  by sensor class: false alarms (control) / recall (faulty)")
    for klass in sorted(set(card.false_alarms_by_class) | set(card.recall_by_class)):
        lines.append(f"    {klass:<14} {card.false_alarms_by_class[klass].percent():<26} "
                     f"{card.recall_by_class[klass]}")
    shortfalls = card.shortfalls()
    lines += ["", "  bar (recall >= 0.8 per kind, small spikes >= 0.5, every multi-reading "
              "episode flagged, precision >= 0.8, false alarms <= 1 % overall and <= 3 % per "
              "weather condition): " + ("met" if not shortfalls else "NOT met")]
    lines += [f"    - {item}" for item in shortfalls]
    unseen = [f"{kind} {count}" for kind, count in card.missed_unchanged_episodes.items() if count]
    if unseen:
        lines.append("  never-flagged episodes the fault left unchanged (every reading as the "
                     "fault-free sensor would have sent it; no detector can see them): "
                     + ", ".join(unseen))
    return "\n".join(lines)
