"""Read a run back from Kafka, score it and write the HTML report."""

from __future__ import annotations

from pathlib import Path

from streamml.contracts.weather import DETECTOR_WARMUP
from streamml.report.analysis import CricketReport, WeatherReport, cricket_report, weather_report
from streamml.report.collect import RunInfo, read_run
from streamml.report.page import render
from streamml.runtime.settings import KafkaConnection

DEFAULT_WARMUP = DETECTOR_WARMUP


def write_report(connection: KafkaConnection, run: RunInfo, out: Path,
                 warmup: int | None = None) -> tuple[Path, tuple[CricketReport, WeatherReport]]:
    records = read_run(connection, run)
    if warmup is None:
        warmup = int(run.settings.get("weather", {}).get("WARMUP", DEFAULT_WARMUP))
    cricket = cricket_report(records.get("cricket.predictions", []),
                             records.get("cricket.match-results", []),
                             records.get("cricket.model-status", []))
    weather = weather_report(records.get("weather.readings", []),
                             records.get("weather.anomalies", []), warmup)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(run, cricket, weather), encoding="utf-8")
    return out, (cricket, weather)
