"""Configuration of the anomaly detector (env STREAMML_*, flags override)."""

from __future__ import annotations

from dataclasses import dataclass

from streamml.contracts.weather import ANOMALIES_TOPIC, READINGS_TOPIC
from streamml.detector.scoring import ScoringSettings
from streamml.runtime.config import require
from streamml.runtime.settings import RuntimeConfig


@dataclass(frozen=True)
class DetectorConfig(RuntimeConfig):
    service_name: str = "detector"
    readings_topic: str = READINGS_TOPIC
    anomalies_topic: str = ANOMALIES_TOPIC
    # Readings per sensor before its first model; they are counted, not scored.
    warmup: int = 30
    # Sliding window of normal readings each sensor's model is fitted on.
    window: int = 90
    refit_every: int = 10
    # Robust z-score at or above which a reading is flagged.
    threshold: float = 6.0
    # This many flagged readings in a row at a new level make that level the new normal.
    rebaseline_after: int = 30
    # Sensors not heard from for this long are forgotten (their partition moved elsewhere).
    sensor_idle_s: float = 600.0
    # Records read back from a partition this instance takes over, to rebuild its sensors'
    # state from the log (0 = warm each sensor up again instead).
    restore_records: int = 3000

    def validate(self) -> None:
        super().validate()
        require(self, self.readings_topic != self.anomalies_topic, "anomalies_topic",
                "must differ from the readings topic")
        require(self, self.warmup >= 5, "warmup", "must be at least 5 readings")
        require(self, self.window >= self.warmup, "window", "must be at least the warm-up")
        require(self, self.refit_every >= 1, "refit_every", "must be positive")
        require(self, self.threshold > 0, "threshold", "must be positive")
        require(self, self.rebaseline_after >= 5, "rebaseline_after", "must be at least 5")
        require(self, self.sensor_idle_s > 0, "sensor_idle_s", "must be positive")
        require(self, self.restore_records >= 0, "restore_records", "must not be negative")

    def scoring(self) -> ScoringSettings:
        return ScoringSettings(warmup=self.warmup, window=self.window,
                               refit_every=self.refit_every, threshold=self.threshold,
                               rebaseline_after=self.rebaseline_after)
