"""The trainer's memory: a bounded window of labelled samples, split into train and held-out
by match (all balls of one match on the same side, so the held-out score is honest)."""

from __future__ import annotations

import zlib
from collections import OrderedDict, deque
from dataclasses import dataclass

import numpy as np

from streamml.contracts.cricket import FEATURES, MatchEvent, MatchResult, MatchState


def is_holdout(match_id: str, fraction: float) -> bool:
    return zlib.crc32(match_id.encode()) % 10000 < fraction * 10000


def feature_row(state: MatchState) -> tuple[float, ...]:
    return tuple(float(getattr(state, name)) for name in FEATURES)


@dataclass(frozen=True)
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_holdout: np.ndarray
    y_holdout: np.ndarray


class TrainingWindow:
    def __init__(self, max_samples: int, holdout_fraction: float) -> None:
        self._fraction = holdout_fraction
        self._rows: deque[tuple[tuple[float, ...], float, bool]] = deque(maxlen=max_samples)
        self.new_since_training = 0

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, match_id: str, state: MatchState, final_score: int) -> None:
        self._rows.append((feature_row(state), float(final_score), is_holdout(match_id, self._fraction)))
        self.new_since_training += 1

    def split(self) -> Split:
        self.new_since_training = 0
        width = len(FEATURES)
        x = np.array([row for row, _, _ in self._rows], dtype=np.float64).reshape(-1, width)
        y = np.array([target for _, target, _ in self._rows], dtype=np.float64)
        holdout = np.array([flag for _, _, flag in self._rows], dtype=bool)
        return Split(x[~holdout], y[~holdout], x[holdout], y[holdout])


class MatchOutcomes:
    """Live match states waiting for their match's final score (bounded, oldest evicted)."""

    def __init__(self, max_open_matches: int) -> None:
        self._max = max_open_matches
        self._open: OrderedDict[str, dict[str, MatchEvent]] = OrderedDict()
        self._finished: OrderedDict[str, int] = OrderedDict()

    @property
    def open_matches(self) -> int:
        return len(self._open)

    def add_event(self, event: MatchEvent) -> list[tuple[MatchEvent, int]]:
        """Buffer ``event``; if its match already finished, it is labelled at once."""
        final = self._finished.get(event.match_id)
        if final is not None:
            return [(event, final)]
        states = self._open.setdefault(event.match_id, {})
        states[event.event_id] = event  # a redelivered event replaces itself
        self._open.move_to_end(event.match_id)
        while len(self._open) > self._max:
            self._open.popitem(last=False)
        return []

    def finish(self, result: MatchResult) -> list[tuple[MatchEvent, int]]:
        self._finished[result.match_id] = result.final_score
        while len(self._finished) > self._max:
            self._finished.popitem(last=False)
        states = self._open.pop(result.match_id, {})
        return [(event, result.final_score) for event in states.values()]
