"""Contract messages for the watch tests: what the services publish."""

from __future__ import annotations

from streamml.contracts.cricket import MatchEvent, MatchResult, ModelStatus, Prediction
from streamml.contracts.weather import Anomaly, SensorReading


def event(match_id: str, ball: int, score: int, wickets: int = 0) -> MatchEvent:
    return MatchEvent(event_id=f"{match_id}-{ball}", match_id=match_id, event_time_ms=ball,
                      current_over=ball / 6, current_score=score, wickets=wickets,
                      run_rate=score / (ball / 6), batting_strength=0.5, pitch_condition=0.5,
                      innings_complete=ball == 120)


def prediction(match_id: str, ball: int, score: int, predicted: float, wickets: int = 0,
               version: int = 2, key: str = "cricket-score") -> Prediction:
    return Prediction(event_id=f"{match_id}-{ball}", match_id=match_id, model_key=key,
                      model_version=version, predicted_final_score=predicted,
                      current_over=ball / 6, current_score=score, wickets=wickets,
                      latency_ms=3.0, predicted_at_ms=ball)


def result(match_id: str, final_score: int, wickets: int = 3) -> MatchResult:
    return MatchResult(match_id=match_id, final_score=final_score, wickets=wickets, balls=120,
                       event_time_ms=1)


def status(key: str = "cricket-score", version: int = 2, mae: float = 9.5,
           time_ms: int = 0) -> ModelStatus:
    return ModelStatus(model_key=key, kind="model_published", version=version,
                       train_samples=4800, holdout_samples=1200, r2=0.6, mae=mae,
                       time_ms=time_ms)


def reading(sensor_id: str, seq: int, temperature: float = 15.0) -> SensorReading:
    return SensorReading(sensor_id=sensor_id, seq=seq, ts_ms=seq, temperature_c=temperature,
                         humidity_pct=60.0, pressure_hpa=1013.0)


def anomaly(sensor_id: str, seq: int, reasons: tuple[str, ...]) -> Anomaly:
    return Anomaly(sensor_id=sensor_id, seq=seq, reading=reading(sensor_id, seq, 40.0),
                   score=9.0, threshold=6.0, reasons=reasons, z_scores={"temperature_c": 9.0},
                   model_method="robust-trend-z", model_version=f"{sensor_id}/1",
                   model_fitted_at_ms=0, detector="d", detected_at_ms=seq)
