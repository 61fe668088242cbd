"""The simulator behind both the training set and the live matches."""

from __future__ import annotations

import numpy as np

from streamml.contracts.cricket import MAX_BALLS, MAX_WICKETS
from streamml.orchestrator.matches import play_round
from streamml.orchestrator.simulator import MatchSimulator
from streamml.orchestrator.training import generate_training_samples


def finals(seed: int, count: int = 50) -> list[int]:
    simulator = MatchSimulator(count, np.random.default_rng(seed))
    while not simulator.finished:
        simulator.step()
    return list(simulator.scores)


def test_the_simulator_is_seeded() -> None:
    assert finals(5) == finals(5)
    assert finals(5) != finals(6)


def test_innings_are_plausible_t20_innings() -> None:
    scores = np.array(finals(1, 400))
    assert 120 < scores.mean() < 190
    assert scores.min() >= 0 and scores.max() <= 6 * MAX_BALLS


def test_live_matches_are_ball_by_ball_and_end_with_their_result() -> None:
    clock = iter(range(10**6))
    ids = ["r-m1", "r-m2", "r-m3"]
    ticks = list(play_round(ids, np.random.default_rng(3), lambda: next(clock)))
    events = [event for tick in ticks for event in tick.events]
    results = {result.match_id: result for tick in ticks for result in tick.results}
    assert set(results) == set(ids)
    assert len({event.event_id for event in events}) == len(events)
    for match_id in ids:
        balls = [event for event in events if event.match_id == match_id]
        result = results[match_id]
        assert len(balls) == result.balls
        assert result.balls == MAX_BALLS or result.wickets == MAX_WICKETS
        scores = [event.current_score for event in balls]
        assert scores == sorted(scores) and scores[-1] == result.final_score
        assert [event.innings_complete for event in balls] == [False] * (len(balls) - 1) + [True]
        assert all(0 < event.current_over <= 20 and event.wickets <= 10 for event in balls)


def test_training_samples_are_labelled_with_their_own_innings_final_score() -> None:
    samples = generate_training_samples(400, 4, seed=9, id_prefix="t")
    assert len(samples) == 400
    assert samples == generate_training_samples(400, 4, seed=9, id_prefix="t")
    by_match: dict[str, list] = {}
    for sample in samples:
        by_match.setdefault(sample.match_id, []).append(sample)
        assert sample.final_score >= sample.current_score
    assert all(len(group) <= 4 for group in by_match.values())
    assert all(len({s.final_score for s in group}) == 1 for group in by_match.values())
