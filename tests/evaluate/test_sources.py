"""The CSV replay format, the shipped sample (a second source of truth), the CLI."""

from __future__ import annotations

from pathlib import Path

from streamml.cli import main
from streamml.evaluate.sources import CsvProblems, SimulatedRun, read_csv, simulated, write_csv
from tests.data import weather_sample

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "data" / "weather-sample.csv"


def test_a_simulated_stream_survives_the_csv_round_trip(tmp_path):
    run = SimulatedRun(seed=3, faulty=2, control=1, readings_per_sensor=150)
    path = tmp_path / "run.csv"
    assert write_csv(path, simulated(run)) == 450
    assert list(read_csv(path)) == list(simulated(run))


def test_invalid_rows_are_skipped_and_reported(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("sensor_id,seq,ts_ms,temperature_c,humidity_pct,pressure_hpa,truth\n"
                    "a,0,0,20,50,1010,normal\n"
                    "a,1,60000,20,150,1010,normal\n"
                    "a,2,120000,nan-ish,50,1010,normal\n"
                    "a,3,180000,20,50,1010,maybe\n"
                    "a,4,240000,20.1,51,1010.1,\n")
    problems = CsvProblems()
    rows = list(read_csv(path, problems))
    assert [r.reading.seq for r in rows] == [0, 4]
    assert rows[1].truth is None
    assert problems.skipped == 3 and problems.first.startswith("line 3")


def test_the_shipped_sample_is_what_its_independent_generator_makes(tmp_path):
    regenerated = tmp_path / "sample.csv"
    weather_sample.write(regenerated)
    assert regenerated.read_bytes() == SAMPLE.read_bytes()


def test_the_command_scores_the_sample(capsys):
    assert main(["evaluate", "weather", "--csv", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "weather evaluation" in out and "recall (readings)" in out and "false alarms" in out
