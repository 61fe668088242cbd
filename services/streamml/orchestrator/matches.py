"""Live matches: a round of concurrent innings turned into ball-by-ball events and results."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from streamml.contracts.cricket import MatchEvent, MatchResult
from streamml.orchestrator.simulator import MatchSimulator


@dataclass(frozen=True)
class Tick:
    """One ball in every match still batting, and the results of the innings it completed."""

    events: list[MatchEvent]
    results: list[MatchResult]


def play_round(match_ids: list[str], rng: np.random.Generator,
               clock_ms: Callable[[], int]) -> Iterator[Tick]:
    simulator = MatchSimulator(len(match_ids), rng)
    while not simulator.finished:
        states = simulator.step()
        now = clock_ms()
        events: list[MatchEvent] = []
        results: list[MatchResult] = []
        for row, match in enumerate(states.match_index):
            match_id = match_ids[match]
            score = int(states.scores[row])
            wickets = int(states.wickets[row])
            complete = bool(states.innings_complete[row])
            events.append(MatchEvent(
                event_id=f"{match_id}.{states.balls}",
                match_id=match_id,
                event_time_ms=now,
                innings_complete=complete,
                current_over=states.current_over,
                current_score=score,
                wickets=wickets,
                run_rate=score / states.current_over,
                batting_strength=float(simulator.batting_strength[match]),
                pitch_condition=float(simulator.pitch_condition[match]),
            ))
            if complete:
                results.append(MatchResult(match_id=match_id, final_score=score, wickets=wickets,
                                           balls=states.balls, event_time_ms=now))
        yield Tick(events, results)
