"""A seeded T20 innings simulator, vectorised over many concurrent matches.

The same code produces the training set and the live matches, so the trainer learns exactly
the process it is asked to predict (the workshop used two different formulas, and its model
was 76 runs off on its own matches).

Per legal ball (extras are not modelled): a wicket falls with probability ``p_wicket``;
otherwise the batters score 0, 1, 2, 3, 4 or 6. The chance of boundaries grows with the
batting strength, the pitch, the phase of the innings (powerplay, middle overs, death
overs) and the wickets in hand. An innings ends after 20 overs or at the tenth wicket.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from streamml.contracts.cricket import BALLS_PER_OVER, MAX_BALLS, MAX_WICKETS

RUNS = np.array([0, 1, 2, 3, 4, 6])
POWERPLAY_OVERS = 6
DEATH_FROM_OVER = 15
# Probabilities (per ball that is not a wicket) that do not depend on intensity.
P_ONE, P_TWO, P_THREE = 0.50, 0.10, 0.01


def phase_factor(over_index: int) -> float:
    if over_index < POWERPLAY_OVERS:
        return 1.1
    if over_index < DEATH_FROM_OVER:
        return 0.95
    return 1.3


@dataclass(frozen=True)
class BallStates:
    """The state of every match that was still batting, after one ball."""

    match_index: np.ndarray  # which matches bowled this ball
    balls: int
    scores: np.ndarray
    wickets: np.ndarray
    innings_complete: np.ndarray

    @property
    def current_over(self) -> float:
        return self.balls / BALLS_PER_OVER


class MatchSimulator:
    """``count`` concurrent innings; ``step()`` bowls one ball in every match still batting."""

    def __init__(self, count: int, rng: np.random.Generator) -> None:
        self._rng = rng
        self.batting_strength = rng.uniform(0.6, 1.0, count)
        self.pitch_condition = rng.uniform(0.7, 1.0, count)
        self.scores = np.zeros(count, dtype=np.int64)
        self.wickets = np.zeros(count, dtype=np.int64)
        self.batting = np.ones(count, dtype=bool)
        self.balls = 0

    @property
    def finished(self) -> bool:
        return not self.batting.any() or self.balls >= MAX_BALLS

    def step(self) -> BallStates:
        if self.finished:
            raise RuntimeError("every innings is complete")
        count = len(self.scores)
        phase = phase_factor(self.balls // BALLS_PER_OVER)
        in_hand = (MAX_WICKETS - self.wickets) / MAX_WICKETS
        intensity = self.batting_strength * self.pitch_condition * phase * (0.55 + 0.45 * in_hand)
        p_wicket = 0.012 + 0.02 * (phase - 0.95) + 0.02 * (1 - self.batting_strength)
        out = self._rng.random(count) < p_wicket
        p_six = 0.01 + 0.04 * intensity
        p_four = 0.03 + 0.08 * intensity
        upper = 1 - p_six
        cumulative = np.stack([
            upper - p_four - P_THREE - P_TWO - P_ONE,
            upper - p_four - P_THREE - P_TWO,
            upper - p_four - P_THREE,
            upper - p_four,
            upper,
            np.ones(count),
        ], axis=1)
        runs = RUNS[(self._rng.random(count)[:, None] > cumulative).sum(axis=1)]
        bowled = self.batting.copy()
        self.wickets = np.where(bowled & out, self.wickets + 1, self.wickets)
        self.scores = np.where(bowled & ~out, self.scores + runs, self.scores)
        self.balls += 1
        self.batting = bowled & (self.wickets < MAX_WICKETS)
        if self.balls >= MAX_BALLS:
            self.batting[:] = False
        index = np.flatnonzero(bowled)
        return BallStates(
            match_index=index,
            balls=self.balls,
            scores=self.scores[index].copy(),
            wickets=self.wickets[index].copy(),
            innings_complete=~self.batting[index],
        )
