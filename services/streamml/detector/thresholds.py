"""The thresholds of a sensor model's checks (one frozen object, built from the config)."""

from __future__ import annotations

from dataclasses import dataclass

from streamml.contracts.weather import DETECTOR_WARMUP


@dataclass(frozen=True)
class Thresholds:
    warmup: int = DETECTOR_WARMUP
    refit_every: int = 30
    spike_z: float = 4.0
    # A smaller spike off the line through its neighbours is flagged when it is also spike_z
    # off the mean of the two readings either side (less noisy than one each side).
    spike_near_z: float = 3.5
    stuck_log_odds: float = 12.0  # -ln(probability of the run under the learnt repeat rate)
    noise_ratio: float = 3.5
    noise_exit_ratio: float = 1.8
    inconsistent_dew_point_step_c: float = 3.0
    drift_dew_point_c_per_hour: float = 1.2
    drift_pressure_hpa_per_hour: float = 2.0
    # standard errors of the trend (from the learnt noise and the window) a drift must exceed
    drift_evidence_sd: float = 5.0
