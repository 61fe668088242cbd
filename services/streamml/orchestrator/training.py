"""The training set: states of simulated innings labelled with that innings' final score."""

from __future__ import annotations

import numpy as np

from streamml.contracts.cricket import TrainingSample
from streamml.orchestrator.simulator import MatchSimulator

SIMULATED_BATCH = 500


def generate_training_samples(count: int, samples_per_match: int, seed: int,
                              id_prefix: str) -> list[TrainingSample]:
    """``count`` samples, ``samples_per_match`` random balls from each simulated innings.

    A few balls per innings (rather than all of them) give more distinct innings for the
    same number of samples, and the trainer's held-out split is by match.
    """
    rng = np.random.default_rng(seed)
    samples: list[TrainingSample] = []
    match_number = 0
    while len(samples) < count:
        simulator = MatchSimulator(SIMULATED_BATCH, rng)
        history: list[list[tuple[float, int, int]]] = [[] for _ in range(SIMULATED_BATCH)]
        while not simulator.finished:
            states = simulator.step()
            for row, match in enumerate(states.match_index):
                history[match].append((states.current_over, int(states.scores[row]),
                                       int(states.wickets[row])))
        for match in range(SIMULATED_BATCH):
            if len(samples) >= count:
                break
            match_number += 1
            match_id = f"{id_prefix}-t{match_number:06d}"
            balls = history[match]
            picks = rng.choice(len(balls), size=min(samples_per_match, len(balls)), replace=False)
            final_score = int(simulator.scores[match])
            for pick in sorted(picks)[: count - len(samples)]:
                over, score, wickets = balls[pick]
                samples.append(TrainingSample(
                    sample_id=f"{match_id}.{pick + 1}",
                    match_id=match_id,
                    current_over=over,
                    current_score=score,
                    wickets=wickets,
                    run_rate=score / over,
                    batting_strength=float(simulator.batting_strength[match]),
                    pitch_condition=float(simulator.pitch_condition[match]),
                    final_score=final_score,
                ))
    return samples
