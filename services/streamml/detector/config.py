"""Configuration of the anomaly detector (env STREAMML_*, flags override)."""

from __future__ import annotations

from dataclasses import dataclass

from streamml.contracts.weather import ANOMALIES_TOPIC, READINGS_TOPIC
from streamml.detector.thresholds import Thresholds
from streamml.runtime.config import require
from streamml.runtime.settings import RuntimeConfig

_DEFAULTS = Thresholds()


@dataclass(frozen=True)
class DetectorConfig(RuntimeConfig):
    service_name: str = "detector"
    readings_topic: str = READINGS_TOPIC
    anomalies_topic: str = ANOMALIES_TOPIC
    # Readings per sensor before its first model; they are learnt from, not scored.
    warmup: int = _DEFAULTS.warmup
    # Learnt readings between refits of a sensor's model (each refit is a new version).
    refit_every: int = _DEFAULTS.refit_every
    # The checks' thresholds (docs/weather.md: what each one catches, how they were tuned).
    spike_z: float = _DEFAULTS.spike_z
    stuck_log_odds: float = _DEFAULTS.stuck_log_odds
    noise_ratio: float = _DEFAULTS.noise_ratio
    inconsistent_dew_point_step_c: float = _DEFAULTS.inconsistent_dew_point_step_c
    drift_dew_point_c_per_hour: float = _DEFAULTS.drift_dew_point_c_per_hour
    drift_pressure_hpa_per_hour: float = _DEFAULTS.drift_pressure_hpa_per_hour
    drift_evidence_sd: float = _DEFAULTS.drift_evidence_sd
    # Sensors not heard from for this long are forgotten (their partition moved elsewhere).
    sensor_idle_s: float = 600.0
    # Records read back from a partition this instance takes over, to rebuild its sensors'
    # state from the log (0 = warm each sensor up again instead).
    restore_records: int = 3000

    def validate(self) -> None:
        super().validate()
        require(self, self.readings_topic != self.anomalies_topic, "anomalies_topic",
                "must differ from the readings topic")
        require(self, self.warmup >= 20, "warmup", "must be at least 20 readings")
        require(self, self.refit_every >= 1, "refit_every", "must be positive")
        for name in ("spike_z", "stuck_log_odds", "noise_ratio", "inconsistent_dew_point_step_c",
                     "drift_dew_point_c_per_hour", "drift_pressure_hpa_per_hour",
                     "drift_evidence_sd"):
            require(self, getattr(self, name) > 0, name, "must be positive")
        require(self, self.sensor_idle_s > 0, "sensor_idle_s", "must be positive")
        require(self, self.restore_records >= 0, "restore_records", "must not be negative")

    def thresholds(self) -> Thresholds:
        return Thresholds(
            warmup=self.warmup, refit_every=self.refit_every, spike_z=self.spike_z,
            spike_near_z=min(_DEFAULTS.spike_near_z, self.spike_z),
            stuck_log_odds=self.stuck_log_odds, noise_ratio=self.noise_ratio,
            noise_exit_ratio=min(_DEFAULTS.noise_exit_ratio, self.noise_ratio),
            inconsistent_dew_point_step_c=self.inconsistent_dew_point_step_c,
            drift_dew_point_c_per_hour=self.drift_dew_point_c_per_hour,
            drift_pressure_hpa_per_hour=self.drift_pressure_hpa_per_hour,
            drift_evidence_sd=self.drift_evidence_sd)
