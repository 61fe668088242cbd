"""The weather message contracts: physical limits, truth marking, the confusion counts."""

from __future__ import annotations

import json

import pytest

from streamml.contracts.weather import (
    NORMAL, SPIKE, TRUTH_HEADER, TRUTH_VALUES, Confusion, SensorReading, dew_point,
    relative_humidity, temperature_at_humidity, truth_header, truth_of)
from streamml.runtime.messages import DecodeError, decode

VALID = {"sensor_id": "s-1", "seq": 3, "ts_ms": 1, "temperature_c": 21.5,
         "humidity_pct": 40.0, "pressure_hpa": 1012.0}


def test_a_valid_reading_decodes_and_integers_are_numbers():
    reading = decode(SensorReading, json.dumps({**VALID, "temperature_c": 21}).encode())
    assert reading.values() == (21.0, 40.0, 1012.0)


@pytest.mark.parametrize("field, value", [
    ("temperature_c", -273.2), ("temperature_c", 61.0), ("humidity_pct", -0.1),
    ("humidity_pct", 100.1), ("pressure_hpa", 700.0), ("pressure_hpa", 1100.0),
])
def test_physically_impossible_values_are_data_errors(field, value):
    with pytest.raises(DecodeError) as error:
        decode(SensorReading, json.dumps({**VALID, field: value}).encode())
    assert error.value.reason == "out_of_range"


@pytest.mark.parametrize("field, value", [
    ("temperature_c", -89.2), ("temperature_c", 56.7), ("humidity_pct", 0.0),
    ("humidity_pct", 100.0), ("pressure_hpa", 870.0), ("pressure_hpa", 1084.8),
])
def test_record_values_are_possible(field, value):
    assert getattr(decode(SensorReading, json.dumps({**VALID, field: value}).encode()), field) \
        == value


def test_the_truth_is_a_header_not_a_field():
    assert not any("truth" in name for name in SensorReading.model_fields)
    assert truth_of([("other", b"x"), truth_header(SPIKE)]) == SPIKE
    assert truth_of([(TRUTH_HEADER, b"nonsense")]) is None
    assert truth_of(None) is None
    with pytest.raises(ValueError):
        truth_header("maybe")


@pytest.mark.parametrize("value", [*(kind.encode() for kind in TRUTH_VALUES), b"", None,
                                   b"normal ", b"NORMAL", b"\xffnormal", b"norm\xe4l"])
def test_the_truth_read_from_bytes_is_the_truth_decoded(value):
    decoded = (value or b"").decode(errors="replace")
    expected = decoded if decoded in TRUTH_VALUES else None
    assert truth_of([(TRUTH_HEADER, value)]) == expected
    if value is not None:  # a client that gives a bytearray gets the same answer
        assert truth_of([(TRUTH_HEADER, bytearray(value))]) == expected


def test_confusion_counts():
    confusion = Confusion()
    for is_anomaly, flagged in [(True, True)] * 9 + [(True, False)] + [(False, True)] * 3 \
            + [(False, False)] * 87:
        confusion.add(is_anomaly, flagged)
    assert confusion.recall == pytest.approx(0.9)
    assert confusion.precision == pytest.approx(0.75)
    assert confusion.false_alarm_rate == pytest.approx(3 / 90)
    assert Confusion().precision == 1.0 and Confusion().recall == 1.0
    assert NORMAL == "normal"


def test_a_batchs_counts_add_up_like_its_readings_one_by_one():
    one_by_one, at_once = Confusion(true_positives=2, true_negatives=5), \
        Confusion(true_positives=2, true_negatives=5)
    for is_anomaly, flagged in [(True, True)] * 3 + [(False, True)] * 2 + [(True, False)] \
            + [(False, False)] * 7:
        one_by_one.add(is_anomaly, flagged)
    at_once.add_counts(true_positives=3, false_positives=2, false_negatives=1, true_negatives=7)
    assert at_once == one_by_one


@pytest.mark.parametrize("temperature, humidity", [(-12.0, 95.0), (4.0, 61.0), (31.0, 22.0)])
def test_the_temperature_at_a_humidity_inverts_the_dew_point(temperature, humidity):
    dew = dew_point(temperature, humidity)
    assert temperature_at_humidity(dew, humidity) == pytest.approx(temperature, abs=1e-9)
    assert relative_humidity(temperature_at_humidity(dew, humidity), dew) == \
        pytest.approx(humidity, abs=1e-9)
