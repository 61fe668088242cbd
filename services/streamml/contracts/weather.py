"""Messages of the weather workflow, shared by the sensors (producer) and the detector.

Ground truth travels *beside* the features: the sensors mark every reading with a Kafka
header (``streamml.truth``). The reading's JSON body — the only thing the detector scores —
never says whether it was injected, so a detector cannot cheat by reading the answer; the
header is read only to count true and false alarms (running precision and recall).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import Field

from streamml.runtime.messages import Message

READINGS_TOPIC = "weather.readings"
# Readings a sensor's model learns from before it flags anything (the detector's default
# STREAMML_WARMUP; `watch` and `report` assume it unless told otherwise).
DETECTOR_WARMUP = 60
ANOMALIES_TOPIC = "weather.anomalies"

# Ground truth, in headers beside the reading (never in its body). `streamml.truth` is the
# fault kind of the reading (or `normal`); the others say where it was measured.
TRUTH_HEADER = "streamml.truth"
TRUTH_CHANNEL_HEADER = "streamml.truth.channel"  # the faulty channel, "" if all or none
CONDITION_HEADER = "streamml.truth.condition"  # weather: fair, cloudy, rain, front, thunderstorm
SENSOR_CLASS_HEADER = "streamml.truth.sensor_class"  # station, consumer, cheap
SENSOR_ROLE_HEADER = "streamml.truth.role"  # faulty (faults are injected) or control (never)
FAULTY, CONTROL = "faulty", "control"
# Weather conditions a reading is labelled with (the most severe one that applies).
FAIR, CLOUDY, RAIN, FRONT, THUNDERSTORM = "fair", "cloudy", "rain", "front", "thunderstorm"
CONDITIONS = (FAIR, CLOUDY, RAIN, FRONT, THUNDERSTORM)

NORMAL = "normal"
SPIKE_SMALL = "spike_small"  # one reading, one channel, 4-7 noise standard deviations
SPIKE_LARGE = "spike_large"  # one reading, one channel, 10-40 standard deviations
STUCK_ALL_SHORT = "stuck_all_short"  # every channel repeats its last value, 5-30 readings
STUCK_ALL_LONG = "stuck_all_long"  # ... for 2-6 hours
STUCK_ONE_SHORT = "stuck_one_short"  # one channel repeats its last value, 5-30 readings
STUCK_ONE_LONG = "stuck_one_long"  # ... for 2-6 hours
DRIFT = "drift"  # a bias on one channel growing 1.5-4 °C, 6-15 %, 2-5 hPa an hour, 1.5-4 hours
NOISE = "noise"  # one channel's noise 5-12 times larger, 10-60 readings
DROPOUT = "dropout"  # one channel reports a constant (0.0 °C, -40.0 °C, 0 %, 1013.25 hPa)
INCONSISTENT = "inconsistent"  # humidity no weather pairs with this temperature, 5-60 readings
FAULT_KINDS = (SPIKE_SMALL, SPIKE_LARGE, STUCK_ALL_SHORT, STUCK_ALL_LONG, STUCK_ONE_SHORT,
               STUCK_ONE_LONG, DRIFT, NOISE, DROPOUT, INCONSISTENT)
# The first simulator's kinds, still accepted from older recordings.
SPIKE = "spike"
STUCK = "stuck"
OUT_OF_RANGE = "out_of_range"
ANOMALY_KINDS = (SPIKE, STUCK, OUT_OF_RANGE)
TRUTH_VALUES = (NORMAL, *FAULT_KINDS, *ANOMALY_KINDS)

# Physical limits: a value outside them is a data error (dead-lettered as `out_of_range`),
# never an anomaly. Temperature: Earth's air-temperature records are -89.2 °C (Vostok, 1983)
# and 56.7 °C (Death Valley, 1913); relative humidity is 0-100 % by definition; pressure is
# reported reduced to sea level, whose records are 870 hPa (Typhoon Tip, 1979) and
# 1084.8 hPa (Tosontsengel, 2001). The limits keep a small margin beyond the records.
TEMPERATURE_LIMITS_C = (-90.0, 60.0)
HUMIDITY_LIMITS_PCT = (0.0, 100.0)
PRESSURE_LIMITS_HPA = (860.0, 1090.0)
SENSOR_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"

CHANNELS = ("temperature_c", "humidity_pct", "pressure_hpa")


class SensorReading(Message):
    """One reading of one sensor; keyed by ``sensor_id`` so a sensor's readings stay in order."""

    sensor_id: str = Field(pattern=SENSOR_ID_PATTERN)
    # Per-sensor sequence number: tells a redelivered reading from a new one.
    seq: int = Field(ge=0)
    ts_ms: int = Field(ge=0, description="event time, epoch milliseconds")
    temperature_c: float = Field(ge=TEMPERATURE_LIMITS_C[0], le=TEMPERATURE_LIMITS_C[1])
    humidity_pct: float = Field(ge=HUMIDITY_LIMITS_PCT[0], le=HUMIDITY_LIMITS_PCT[1])
    pressure_hpa: float = Field(ge=PRESSURE_LIMITS_HPA[0], le=PRESSURE_LIMITS_HPA[1])

    def values(self) -> tuple[float, float, float]:
        return (self.temperature_c, self.humidity_pct, self.pressure_hpa)


class Anomaly(Message):
    """A reading the detector flagged, with the evidence and the model that scored it.

    ``reasons`` say what it is: sensor faults ``spike:<channel>``, ``stuck:<channel>``,
    ``dropout:<channel>``, ``noise:<channel>``, ``drift:<channel>``, ``inconsistent`` (see
    ``FAULT_REASONS``), or a weather event — every reason starting with ``weather``
    (``weather:thunderstorm``, ``weather:front``), which is not a fault. One message per
    reading; a reading may be flagged after later readings arrived (``decided_at_seq``): a
    stuck run is recognised on a later repeat, a spike when the next reading returns. A reading
    reported as weather and then found faulty (a spike that read as a storm's plunge) is
    reported once more, with all its reasons: the later message supersedes the earlier.
    """

    sensor_id: str = Field(pattern=SENSOR_ID_PATTERN)
    seq: int = Field(ge=0)
    reading: SensorReading
    # The strongest check's statistic and its threshold (score >= threshold for a fault).
    score: float = Field(ge=0)
    threshold: float = Field(gt=0)
    reasons: tuple[str, ...]
    # Each channel's distance from the line through the two readings before, in noise widths.
    z_scores: dict[str, float]
    model_method: str
    model_version: str
    model_fitted_at_ms: int = Field(ge=0)
    detector: str
    detected_at_ms: int = Field(ge=0)
    # The sensor's reading on whose arrival the flag was raised (absent from older producers).
    decided_at_seq: int | None = Field(default=None, ge=0)

    @property
    def is_weather_event(self) -> bool:
        return is_weather_event(self.reasons)


# Reasons of an anomaly (the detector's verdict; the `watch` view reads them): the kind of
# fault, then the channel after a colon. An anomaly whose reasons all start with `weather`
# reports weather (a fast but physically coherent change), not a sensor fault.
SPIKE_REASON = "spike"  # spike:<channel>: one reading off the line through its neighbours
STUCK_REASON = "stuck"  # stuck:<channel>: exact repeats, too many for this channel's resolution
DROPOUT_REASON = "dropout"  # dropout:<channel>: a jump to a constant that then repeats
NOISE_REASON = "noise"  # noise:<channel>: a burst of noise well above the learnt level
DRIFT_REASON = "drift"  # drift:<channel>: a steady trend faster than weather (dew point, pressure)
INCONSISTENT_REASON = "inconsistent"  # humidity that does not fit the temperature
WEATHER_REASON_PREFIX = "weather"
WEATHER_THUNDERSTORM = "weather:thunderstorm"
WEATHER_FRONT = "weather:front"
FAULT_REASONS = (SPIKE_REASON, STUCK_REASON, DROPOUT_REASON, NOISE_REASON, DRIFT_REASON,
                 INCONSISTENT_REASON)

MAGNUS_A, MAGNUS_B = 17.625, 243.04


def relative_humidity(temperature_c: float, dew_point_c: float) -> float:
    """Relative humidity (%) from temperature and dew point (Magnus), saturating at 100 %."""
    dew_point_c = min(dew_point_c, temperature_c)
    gamma_d = MAGNUS_A * dew_point_c / (MAGNUS_B + dew_point_c)
    gamma_t = MAGNUS_A * temperature_c / (MAGNUS_B + temperature_c)
    return 100.0 * math.exp(gamma_d - gamma_t)


def dew_point(temperature_c: float, humidity_pct: float) -> float:
    """Dew point (°C) from temperature and relative humidity (the Magnus formula inverted)."""
    gamma = math.log(max(humidity_pct, 0.1) / 100.0) + MAGNUS_A * temperature_c / (
        MAGNUS_B + temperature_c)
    return MAGNUS_B * gamma / (MAGNUS_A - gamma)


def temperature_at_humidity(dew_point_c: float, humidity_pct: float) -> float:
    """The temperature (°C) at which air at a dew point reads a relative humidity (Magnus)."""
    gamma = MAGNUS_A * dew_point_c / (MAGNUS_B + dew_point_c) - math.log(
        max(humidity_pct, 0.1) / 100.0)
    return MAGNUS_B * gamma / (MAGNUS_A - gamma)




def reason_kind(reason: str) -> str:
    """The kind of a detector reason, whatever its detail: "level:temperature_c" -> "level",
    "stuck:humidity_pct" -> "stuck", "spike" -> "spike", "weather front" -> "weather"."""
    return reason.split(":", 1)[0].split(" ", 1)[0] or "unknown"


def is_weather_event(reasons: tuple[str, ...] | list[str]) -> bool:
    """An anomaly whose reasons all start with ``weather`` reports weather, not a fault."""
    return bool(reasons) and all(r.startswith(WEATHER_REASON_PREFIX) for r in reasons)


def truth_header(kind: str) -> tuple[str, bytes]:
    if kind not in TRUTH_VALUES:
        raise ValueError(f"unknown truth value {kind!r}")
    return (TRUTH_HEADER, kind.encode())


@dataclass(frozen=True)
class Truth:
    """Everything the simulator knows about one reading (carried in headers)."""

    kind: str = NORMAL
    channel: str = ""
    condition: str = ""
    sensor_class: str = ""
    role: str = FAULTY

    def headers(self) -> list[tuple[str, bytes]]:
        return [truth_header(self.kind), (TRUTH_CHANNEL_HEADER, self.channel.encode()),
                (CONDITION_HEADER, self.condition.encode()),
                (SENSOR_CLASS_HEADER, self.sensor_class.encode()),
                (SENSOR_ROLE_HEADER, self.role.encode())]

    @classmethod
    def from_headers(cls, headers: list[tuple[str, bytes]] | None) -> Truth | None:
        """None when the record carries no (valid) truth."""
        kind = truth_of(headers)
        if kind is None:
            return None
        found = {name: value.decode(errors="replace") for name, value in headers or []}
        return cls(kind=kind, channel=found.get(TRUTH_CHANNEL_HEADER, ""),
                   condition=found.get(CONDITION_HEADER, ""),
                   sensor_class=found.get(SENSOR_CLASS_HEADER, ""),
                   role=found.get(SENSOR_ROLE_HEADER, FAULTY))


# Each truth value by its header bytes: the detector reads a record's truth once per reading.
_TRUTH_BY_BYTES = {kind.encode(): kind for kind in TRUTH_VALUES}


def truth_of(headers: list[tuple[str, bytes]] | None) -> str | None:
    """The injected truth of a record, or None when the producer did not mark it."""
    for name, value in headers or []:
        if name == TRUTH_HEADER:
            if type(value) is bytes:  # what Kafka clients give: looked up, not decoded
                return _TRUTH_BY_BYTES.get(value)
            kind = (value or b"").decode(errors="replace")  # a header value may be null
            return kind if kind in TRUTH_VALUES else None
    return None


@dataclass
class Confusion:
    """Counts of flagged/not flagged against the injected truth."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0

    def add(self, is_anomaly: bool, flagged: bool) -> None:
        if is_anomaly and flagged:
            self.true_positives += 1
        elif flagged:
            self.false_positives += 1
        elif is_anomaly:
            self.false_negatives += 1
        else:
            self.true_negatives += 1

    def add_counts(self, true_positives: int, false_positives: int, false_negatives: int,
                   true_negatives: int) -> None:
        """Many readings' outcomes at once (a batch's)."""
        self.true_positives += true_positives
        self.false_positives += false_positives
        self.false_negatives += false_negatives
        self.true_negatives += true_negatives

    @property
    def total(self) -> int:
        return (self.true_positives + self.false_positives + self.false_negatives
                + self.true_negatives)

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def false_alarm_rate(self) -> float:
        normal = self.false_positives + self.true_negatives
        return self.false_positives / normal if normal else 0.0
