"""Scoring predictions against the actual final score once a match ends."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from streamml.contracts.cricket import MatchResult

LATE_FROM_OVER = 14.0  # the 15th over starts after 14 overs are bowled


@dataclass
class _Match:
    predictions: dict[str, tuple[float, float]] = field(default_factory=dict)
    result: MatchResult | None = None


@dataclass(frozen=True)
class MatchScore:
    match_id: str
    final_score: int
    mean_abs_error: float
    errors: tuple[tuple[float, float], ...]  # (current_over, absolute error) per ball

    def late_errors(self) -> list[float]:
        return [error for over, error in self.errors if over > LATE_FROM_OVER]


class MatchScorer:
    """Keeps each match's predictions until both its result and all its balls are in."""

    def __init__(self, max_matches: int) -> None:
        self._max = max_matches
        self._matches: OrderedDict[str, _Match] = OrderedDict()

    def _get(self, match_id: str) -> _Match:
        match = self._matches.get(match_id)
        if match is None:
            match = self._matches[match_id] = _Match()
            while len(self._matches) > self._max:
                self._matches.popitem(last=False)
        return match

    def add_prediction(self, match_id: str, event_id: str, current_over: float,
                       predicted: float) -> MatchScore | None:
        match = self._get(match_id)
        match.predictions[event_id] = (current_over, predicted)  # a re-prediction replaces
        return self._score_if_complete(match_id, match)

    def add_result(self, result: MatchResult) -> MatchScore | None:
        match = self._get(result.match_id)
        match.result = result
        return self._score_if_complete(result.match_id, match)

    def _score_if_complete(self, match_id: str, match: _Match) -> MatchScore | None:
        result = match.result
        if result is None or len(match.predictions) < result.balls:
            return None
        del self._matches[match_id]
        errors = tuple((over, abs(predicted - result.final_score))
                       for over, predicted in match.predictions.values())
        return MatchScore(match_id, result.final_score,
                          sum(error for _, error in errors) / len(errors), errors)
