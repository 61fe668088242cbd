"""What a sensor's model learns per channel."""

from __future__ import annotations

import math
import random

import pytest

from streamml.detector.stats import ChannelStats, SlidingSlope, _grouped_median


def _learnt(values: list[float]) -> ChannelStats:
    stats = ChannelStats()
    for x2, x0, x1 in zip(values, values[1:], values[2:]):
        stats.learn(x0, x1, x2)
    stats.refit()
    return stats


def _quantised(values, step: float) -> list[float]:
    return [round(round(v / step) * step, 2) for v in values]


def test_noise_is_learnt_without_bias_at_a_coarse_resolution():
    # At 0.1 hPa the second differences are 0, 0.1, 0.2 ...: a plain median jumps a whole
    # step, so the learnt noise came out up to 20 % low or 8 % high depending on the noise.
    for sd in (0.07, 0.083, 0.1, 0.12):
        effective = math.sqrt(sd * sd + 0.1 ** 2 / 12)  # quantisation adds its own noise
        ratios = []
        for seed in range(20):
            rng = random.Random(seed)
            stats = _learnt(_quantised((1010 + rng.gauss(0, sd) for _ in range(400)), 0.1))
            ratios.append(stats.sigma / effective)
        assert abs(sum(ratios) / len(ratios) - 1) < 0.04, (sd, ratios)


def test_a_median_on_a_half_step_is_interpolated_without_dividing_by_zero():
    # 0.25 lies on the boundary between two 0.1 steps (it crashed the first version).
    for ordered in ([0.05, 0.25, 0.25, 0.5, 0.9], [0.0, 0.15, 0.25, 0.35, 0.35]):
        assert 0.15 <= _grouped_median(ordered, 0.1) <= 0.35
    assert _grouped_median([0.0, 0.0, 0.1], 0.0) == 0.0


def test_the_slope_error_is_the_scatter_or_the_noise_floor_over_the_spread_of_x():
    line = SlidingSlope(60)
    for x in range(60):
        line.add(x, 0.5 * x + (0.2 if x % 2 else -0.2))
    spread = math.sqrt(60 * (60 * 60 - 1) / 12)  # the centred sum of squares of x
    assert line.slope_sd() == pytest.approx(line.residual_sd() / spread)
    assert line.slope_sd(noise_floor=1.0) == pytest.approx(1.0 / spread)
    assert SlidingSlope(60).slope_sd() == math.inf


def test_a_run_on_a_calm_coarse_channel_is_likely_and_one_across_its_trend_is_not():
    from streamml.detector.stats import quantised_run_log_odds
    # Noise a fifth of a step: a hundred repeats on a still channel are no surprise ...
    assert quantised_run_log_odds(100, 0.04, 0.2, 0.0) < 2.0
    # ... but a channel heading across three steps in that time cannot stay on one.
    assert quantised_run_log_odds(100, 0.04, 0.2, 0.006) > 50.0
    # Noise half a step: the channel leaves its step every few readings.
    assert quantised_run_log_odds(100, 0.1, 0.2, 0.0) > 30.0
    assert quantised_run_log_odds(100, 0.04, 0.0, 0.0) == math.inf
