"""Per-sensor "normal": a robust local trend over a sliding window, and z-scores against it.

For every sensor the detector keeps the last ``window`` readings it judged normal. A fit
draws a straight line through each channel of that window (a robust Theil-Sen-style line on
the sequence number finds the points beyond the threshold, then least squares through the
rest), and measures the spread of the residuals robustly: 1.4826 x the median absolute
deviation, floored at a minimum per channel so a quiet or coarsely rounded sensor cannot
make every wobble look huge.

A new reading's z-score on a channel is its distance from the line's prediction in units of
that spread. Because the line follows the window and the window slides, slow drift (daily
cycles, weather fronts) moves the baseline with it and is not flagged; a reading that jumps
away from its own sensor's recent trend is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAD_TO_SD = 1.4826
# Floors of the residual spread per channel (°C, %RH, hPa): about twice a typical sensor's
# resolution, so a perfectly quantised window cannot have zero spread.
MIN_SIGMA = np.array([0.05, 0.2, 0.05])


@dataclass(frozen=True)
class Baseline:
    """One fitted model of one sensor: a line per channel plus the residual spread."""

    center: float
    intercept: np.ndarray
    slope: np.ndarray
    sigma: np.ndarray
    fit_number: int
    fitted_at_ms: int

    def predict(self, index: float) -> np.ndarray:
        return self.intercept + self.slope * (index - self.center)

    def z_scores(self, index: float, values: Sequence[float]) -> np.ndarray:
        return np.abs(np.asarray(values, dtype=float) - self.predict(index)) / self.sigma


def _least_squares_line(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    center = float(x.mean())
    dx = x - center
    denominator = float(dx @ dx)
    intercept = y.mean(axis=0)
    slope = (dx @ (y - intercept)) / denominator if denominator > 0 else np.zeros(y.shape[1])
    return intercept, slope, center


def _robust_line(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Median of the slopes between points half a window apart (a Theil-Sen estimator on
    n/2 pairs instead of all n^2/2): a few wild points cannot drag it, and it is O(n)."""
    center = float(x.mean())
    half = len(x) // 2
    dx = x[half:2 * half] - x[:half]
    usable = dx != 0
    if not usable.any():
        return np.median(y, axis=0), np.zeros(y.shape[1]), center
    dy = y[half:2 * half] - y[:half]
    slope = np.median(dy[usable] / dx[usable, None], axis=0)
    intercept = np.median(y - np.outer(x - center, slope), axis=0)
    return intercept, slope, center


def fit_baseline(indices: Sequence[float], rows: Sequence[Sequence[float]], threshold: float,
                 fit_number: int, fitted_at_ms: int) -> Baseline:
    """Fit on a window of (index, values): a robust line finds the points beyond
    ``threshold``; a least-squares line through the rest is the model."""
    x = np.asarray(indices, dtype=float)
    y = np.asarray(rows, dtype=float)
    intercept, slope, center = _robust_line(x, y)
    residuals = y - (intercept + np.outer(x - center, slope))
    keep = (np.abs(residuals) / _spread(residuals) <= threshold).all(axis=1)
    if keep.sum() >= max(3, len(x) // 2):
        intercept, slope, center = _least_squares_line(x[keep], y[keep])
        residuals = y[keep] - (intercept + np.outer(x[keep] - center, slope))
    return Baseline(center, intercept, slope, _spread(residuals), fit_number, fitted_at_ms)


def _spread(residuals: np.ndarray) -> np.ndarray:
    mad = np.median(np.abs(residuals - np.median(residuals, axis=0)), axis=0)
    return np.maximum(MAD_TO_SD * mad, MIN_SIGMA)
