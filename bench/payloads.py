"""Realistic inputs for the benchmarks, made by the same simulators the services' producers use.

Every payload is serialised once, up front, with a placeholder in its event-time field, so a
paced generator only has to stamp the send time into the bytes (``stamp``): the generator's
cost per message stays far below the services' and its own clock is the event's clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from streamml.contracts.weather import SensorReading
from streamml.orchestrator.matches import play_round
from streamml.sensors.network import SensorNetwork

# 13 digits, like an epoch-milliseconds time, so the payload keeps its size once stamped.
TIME_PLACEHOLDER = b"1000000000001"
CONCURRENT_MATCHES = 500
SENSORS = 100


@dataclass(frozen=True)
class Payload:
    key: bytes
    value: bytes  # contains TIME_PLACEHOLDER exactly once
    headers: tuple[tuple[str, bytes], ...] = ()


def stamp(payload: Payload, now_ms: int) -> bytes:
    return payload.value.replace(TIME_PLACEHOLDER, str(now_ms).encode(), 1)


def _placeholder_ms() -> int:
    return int(TIME_PLACEHOLDER)


def match_events(count: int, seed: int = 11, prefix: str = "bench") -> list[Payload]:
    """``count`` ball-by-ball events of concurrent T20 matches (the orchestrator's simulator),
    interleaved as the orchestrator sends them: one ball of every match, then the next."""
    rng = np.random.default_rng(seed)
    payloads: list[Payload] = []
    round_number = 0
    while len(payloads) < count:
        round_number += 1
        ids = [f"{prefix}-r{round_number}-m{i:04d}" for i in range(CONCURRENT_MATCHES)]
        for tick in play_round(ids, rng, _placeholder_ms):
            for event in tick.events:
                payloads.append(Payload(event.match_id.encode(), event.to_bytes()))
                if len(payloads) >= count:
                    return payloads
    return payloads


def sensor_readings(count: int, seed: int = 7, anomaly_rate: float = 0.004,
                    prefix: str = "bench-") -> list[Payload]:
    """``count`` readings of ``SENSORS`` sensors (the sensors' simulator, faults included and
    labelled in the truth headers), one reading of every sensor per tick."""
    network = SensorNetwork(SENSORS, 0, prefix, seed, anomaly_rate)
    payloads: list[Payload] = []
    for tick in _ticks():
        for simulated in network.tick():
            temperature, humidity, pressure = simulated.values
            reading = SensorReading(
                sensor_id=simulated.sensor_id, seq=tick, ts_ms=_placeholder_ms(),
                temperature_c=temperature, humidity_pct=humidity, pressure_hpa=pressure)
            payloads.append(Payload(reading.sensor_id.encode(), reading.to_bytes(),
                                    tuple(simulated.truth.headers())))
            if len(payloads) >= count:
                return payloads
    return payloads


def _ticks() -> Iterator[int]:
    tick = 0
    while True:
        yield tick
        tick += 1


def make(kind: str, count: int, prefix: str = "bench") -> list[Payload]:
    """``prefix`` keeps match and sensor ids of separate runs apart."""
    if kind == "cricket":
        return match_events(count, prefix=prefix)
    if kind == "weather":
        return sensor_readings(count, prefix=f"{prefix}-s")
    raise ValueError(f"unknown payload kind {kind!r}")


def write_file(path: Path, payloads: Sequence[Payload]) -> None:
    """One JSON line per payload, so a generator process can send a slice of a sequence made
    once (a sensor's readings continue across the phases of one service run)."""
    with path.open("w") as out:
        for p in payloads:
            out.write(json.dumps([p.key.decode(), p.value.decode(),
                                  [[name, value.decode()] for name, value in p.headers]]) + "\n")


def read_file(path: Path, offset: int, count: int) -> list[Payload]:
    payloads = []
    with path.open() as lines:
        for index, line in enumerate(lines):
            if index < offset:
                continue
            if len(payloads) >= count:
                break
            key, value, headers = json.loads(line)
            payloads.append(Payload(key.encode(), value.encode(),
                                    tuple((name, v.encode()) for name, v in headers)))
    return payloads
