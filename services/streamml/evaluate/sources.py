"""Labelled weather streams for the evaluation: the simulator, and CSV recordings.

CSV format (one reading per row, header row required, UTF-8, comma-separated)::

    sensor_id,seq,ts_ms,temperature_c,humidity_pct,pressure_hpa,truth,truth_channel,condition,sensor_class,role

- the first six columns are a ``SensorReading`` (``seq`` counts each sensor's readings;
  ``ts_ms`` is epoch milliseconds); rows of one sensor in increasing ``seq``, sensors may
  interleave;
- ``truth`` is ``normal`` or a fault kind (``contracts.weather.FAULT_KINDS``), empty when
  unknown (the row is scored, not counted); ``truth_channel`` the faulty channel (optional);
- ``condition`` (fair, cloudy, rain, front, thunderstorm), ``sensor_class`` (free text) and
  ``role`` (``faulty``: faults may occur; ``control``: known fault-free, its flags are false
  alarms) are optional; without ``role`` a sensor counts as ``faulty``.

Rows that are not a valid reading (a physical limit, a bad number) are skipped and counted,
as the detector service would dead-letter them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from streamml.contracts.weather import FAULTY, TRUTH_VALUES, SensorReading, Truth
from streamml.sensors.network import SensorNetwork, params_for

CSV_COLUMNS = ("sensor_id", "seq", "ts_ms", "temperature_c", "humidity_pct", "pressure_hpa",
               "truth", "truth_channel", "condition", "sensor_class", "role")
REQUIRED_COLUMNS = CSV_COLUMNS[:6]
START_MS = 1_767_225_600_000  # 2026-01-01T00:00Z: simulated readings are one minute apart


@dataclass(frozen=True)
class Labelled:
    reading: SensorReading
    truth: Truth | None
    # Known only where the source can replay the fault-free sensor (the simulator).
    unchanged: bool = False


@dataclass(frozen=True)
class SimulatedRun:
    """One simulated stream: which seed and sensor parameters, how big."""

    seed: int
    params: str = "tuning"
    faulty: int = 24
    control: int = 12
    readings_per_sensor: int = 2880
    fault_rate: float = 0.004
    prefix: str = "sim-"

    def describe(self) -> str:
        return (f"simulator seed {self.seed}, parameters {self.params!r}, {self.faulty} sensors "
                f"with faults + {self.control} control, {self.readings_per_sensor} readings each")


def simulated(run: SimulatedRun) -> Iterator[Labelled]:
    network = SensorNetwork(run.faulty, run.control, f"{run.prefix}{run.seed}-", run.seed,
                            run.fault_rate, params_for(run.params, run.seed))
    for seq in range(run.readings_per_sensor):
        ts_ms = START_MS + 60_000 * seq
        for simulated_reading in network.tick():
            t, h, p = simulated_reading.values
            yield Labelled(SensorReading(sensor_id=simulated_reading.sensor_id, seq=seq,
                                         ts_ms=ts_ms, temperature_c=t, humidity_pct=h,
                                         pressure_hpa=p), simulated_reading.truth,
                           simulated_reading.unchanged)


@dataclass
class CsvProblems:
    skipped: int = 0
    first: str = ""

    def add(self, line: int, message: str) -> None:
        self.skipped += 1
        self.first = self.first or f"line {line}: {message}"


def read_csv(path: Path, problems: CsvProblems | None = None) -> Iterator[Labelled]:
    problems = problems if problems is not None else CsvProblems()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (rows.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(missing)}")
        for line, row in enumerate(rows, start=2):
            try:
                reading = SensorReading(
                    sensor_id=row["sensor_id"], seq=int(row["seq"]), ts_ms=int(row["ts_ms"]),
                    temperature_c=float(row["temperature_c"]),
                    humidity_pct=float(row["humidity_pct"]),
                    pressure_hpa=float(row["pressure_hpa"]))
            except (ValueError, ValidationError) as exc:
                problems.add(line, str(exc).splitlines()[0])
                continue
            kind = (row.get("truth") or "").strip()
            if kind and kind not in TRUTH_VALUES:
                problems.add(line, f"unknown truth {kind!r}")
                continue
            truth = Truth(kind=kind, channel=row.get("truth_channel") or "",
                          condition=row.get("condition") or "",
                          sensor_class=row.get("sensor_class") or "",
                          role=row.get("role") or FAULTY) if kind else None
            yield Labelled(reading, truth)


def write_csv(path: Path, items: Iterable[Labelled]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for item in items:
            r, t = item.reading, item.truth
            writer.writerow([r.sensor_id, r.seq, r.ts_ms, r.temperature_c, r.humidity_pct,
                             r.pressure_hpa, *((t.kind, t.channel, t.condition, t.sensor_class,
                                                t.role) if t else ("",) * 5)])
            count += 1
    return count
