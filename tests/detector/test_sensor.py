"""The sensor model's helpers (its checks are tested end to end in test_sensor_checks.py)."""

from __future__ import annotations

import math

from streamml.detector.sensor import RUN_TREND_MIN, _shrunk_trend


def _plain_slope(points: list[float]) -> float:
    """Least squares of the points against x = 0, -1, -2, ... (newest first)."""
    n = len(points)
    xs = [-x for x in range(n)]
    mean_x, mean_y = sum(xs) / n, sum(points) / n
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, points)) / \
        sum((x - mean_x) ** 2 for x in xs)


def test_a_straight_line_without_noise_keeps_its_slope():
    rising = [10.0 + 0.05 * (29 - k) for k in range(30)]  # newest first
    assert math.isclose(_shrunk_trend(rising, 0.0), 0.05)
    assert math.isclose(_shrunk_trend(rising[::-1], 0.0), -0.05)


def test_the_slope_is_shrunk_by_two_standard_errors_and_never_past_zero():
    points = [3.0, 2.0, 2.5, 1.0, 1.5, 0.5, 1.0, 0.0, 0.5, -0.5, 0.0, -1.0]
    sxx = sum((x - 5.5) ** 2 for x in range(12))
    slope = _plain_slope(points)
    assert math.isclose(_shrunk_trend(points, 0.1), slope - 2 * 0.1 / math.sqrt(sxx))
    assert _shrunk_trend(points, 100.0) == 0.0


def test_too_few_points_have_no_trend():
    assert _shrunk_trend([float(k) for k in range(RUN_TREND_MIN - 1)], 0.0) == 0.0
    assert _shrunk_trend([], 0.1) == 0.0
