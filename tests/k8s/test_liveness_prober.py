"""The test harness' liveness prober counts what the kubelet would restart a pod for, not a
probe that a loaded machine answered late."""

from __future__ import annotations

from pathlib import Path

from tests.k8s.pipeline import LivenessProber, Pod


def prober() -> LivenessProber:
    pod = Pod("predictor-0", "predictor", process=None, log=Path("/nonexistent"), started=0.0)  # type: ignore[arg-type]
    return LivenessProber([pod], failure_threshold=3)


def test_unanswered_probes_fail_only_as_many_in_a_row_as_the_failure_threshold() -> None:
    probe = prober()
    for now, status in enumerate([0, 200, 0, 0, 200, 0, 0, 200]):
        probe.record("predictor-0", status, float(now))
    assert probe.first_live == {"predictor-0": 1.0}
    assert probe.failures["predictor-0"] == []
    for now, status in enumerate([0, 0, 0], start=8):
        probe.record("predictor-0", status, float(now))
    assert probe.failures["predictor-0"] == [(9.0, 0)]


def test_an_error_from_healthz_fails_at_once() -> None:
    probe = prober()
    probe.record("predictor-0", 503, 0.0)  # before the first success: still starting
    probe.record("predictor-0", 200, 1.0)
    probe.record("predictor-0", 503, 2.0)
    assert probe.failures["predictor-0"] == [(1.0, 503)]
