"""The robust local trend every sensor's model is made of."""

from __future__ import annotations

import numpy as np
import pytest

from streamml.detector.baseline import MIN_SIGMA, fit_baseline


def _window(n: int = 90, slope: float = 0.02, noise: float = 0.2, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = np.arange(n, dtype=float)
    rows = np.column_stack([10 + slope * x, 50 - 3 * slope * x, 1010 + 0 * x])
    return x, rows + rng.normal(0, noise, rows.shape)


def test_fit_follows_the_trend_and_measures_the_noise():
    x, rows = _window()
    baseline = fit_baseline(x, rows, threshold=6, fit_number=1, fitted_at_ms=5)
    assert baseline.slope == pytest.approx([0.02, -0.06, 0.0], abs=0.005)
    assert baseline.sigma == pytest.approx([0.2, 0.2, 0.2], rel=0.3)
    # One step past the window the prediction continues the line.
    assert baseline.predict(90)[0] == pytest.approx(10 + 0.02 * 90, abs=0.15)


def test_outliers_in_the_window_do_not_bend_the_baseline():
    x, rows = _window()
    dirty = rows.copy()
    dirty[::9, 0] += 15.0  # every ninth reading is a big spike
    clean = fit_baseline(x, rows, 6, 1, 0)
    robust = fit_baseline(x, dirty, 6, 1, 0)
    assert robust.predict(90)[0] == pytest.approx(clean.predict(90)[0], abs=0.1)
    assert robust.sigma[0] < 0.4


def test_a_flat_quantised_window_still_has_a_spread():
    rows = np.tile([20.0, 50.0, 1000.0], (40, 1))
    baseline = fit_baseline(np.arange(40), rows, 6, 1, 0)
    assert (baseline.sigma == MIN_SIGMA).all()
    assert baseline.z_scores(40, [20.0, 50.0, 1000.0]).max() == 0
    assert baseline.z_scores(40, [21.0, 50.0, 1000.0])[0] == pytest.approx(1.0 / MIN_SIGMA[0])
