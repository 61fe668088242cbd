"""Which input event an output answers, and its latency."""

from __future__ import annotations

import json

from bench import latency


def reading(sensor: str, seq: int, ts_ms: int) -> bytes:
    return json.dumps({"sensor_id": sensor, "seq": seq, "ts_ms": ts_ms}).encode()


def anomaly(sensor: str, seq: int, decided_at_seq: int | None) -> bytes:
    body = {"sensor_id": sensor, "seq": seq, "reading": {"ts_ms": 0}}
    if decided_at_seq is not None:
        body["decided_at_seq"] = decided_at_seq
    return json.dumps(body).encode()


def test_a_flag_is_timed_from_the_reading_that_decided_it() -> None:
    times = latency.event_times([reading("s1", 7, 1_000), reading("s1", 8, 2_000)],
                                latency.reading_key, latency.event_time_of_reading)

    samples = latency.latencies([(2_030.0, anomaly("s1", 7, decided_at_seq=8))], times,
                                latency.anomaly_answers)

    assert samples == [(2_000.0, 30.0)]  # not 1,030 ms from the flagged reading


def test_a_flag_without_decided_at_seq_is_timed_from_its_own_reading() -> None:
    times = latency.event_times([reading("s1", 7, 1_000)], latency.reading_key,
                                latency.event_time_of_reading)

    assert latency.latencies([(1_012.0, anomaly("s1", 7, None))], times,
                             latency.anomaly_answers) == [(1_000.0, 12.0)]


def test_predictions_join_on_event_id_and_unknown_outputs_are_left_out() -> None:
    events = [json.dumps({"event_id": "m1-1", "event_time_ms": 500}).encode(), b"not json"]
    times = latency.event_times(events, latency.match_event_key,
                                latency.event_time_of_match_event)
    outputs = [(520.0, json.dumps({"event_id": "m1-1"}).encode()),
               (530.0, json.dumps({"event_id": "from-another-phase"}).encode())]

    assert latency.latencies(outputs, times, latency.prediction_answers) == [(500.0, 20.0)]


def test_sketch_keeps_the_extremes_and_bounds_the_size() -> None:
    values = list(range(10_000, 0, -1))

    kept = latency.sketch(values, points=101)

    assert len(kept) == 101
    assert kept[0] == 1 and kept[-1] == 10_000
    assert kept == sorted(kept)
    assert latency.sketch([3.0, 1.0], points=10) == [1.0, 3.0]


def test_a_sample_splits_where_its_input_entered_kafka() -> None:
    # (append time of the input record, value): stamped at 1,000, appended at 1,018
    inputs = latency.input_times([(1_018.0, reading("s1", 8, 1_000)), (5.0, b"not json")],
                                 latency.reading_key, latency.event_time_of_reading)

    [sample] = latency.split_latencies([(1_050.0, anomaly("s1", 7, decided_at_seq=8))], inputs,
                                       latency.anomaly_answers)

    assert sample.event_ms == 1_000.0
    assert sample.generator_ms == 18.0  # the generator's part: stamp -> in Kafka
    assert sample.service_ms == 32.0    # the service's: in Kafka -> output appended
    assert sample.total_ms == 50.0      # what end to end was before the split


def test_outputs_of_unknown_inputs_have_no_split() -> None:
    inputs = latency.input_times([(520.0, json.dumps({"event_id": "m1-1",
                                                       "event_time_ms": 500}).encode())],
                                 latency.match_event_key, latency.event_time_of_match_event)
    outputs = [(530.0, json.dumps({"event_id": "m1-1"}).encode()),
               (540.0, json.dumps({"event_id": "from-another-phase"}).encode())]

    assert latency.split_latencies(outputs, inputs, latency.prediction_answers) == [
        latency.Split(500.0, 20.0, 10.0)]


def test_a_phase_records_end_to_end_generator_and_service_percentiles() -> None:
    from bench.suite import Results, record_latencies

    results = Results()
    samples = [latency.Split(float(i), generator_ms=10.0 + i, service_ms=2.0 * i)
               for i in range(1, 101)]

    record_latencies(results, "predictor.latency.1000.quiet", samples)

    values = {key: runs[0] for key, runs in results.values.items()}
    # bench.measure.percentile is nearest-rank: of 100 samples, p99 is the 100th, p50 the 50th
    assert values["predictor.latency.1000.quiet.p99"] == 100 + 10 + 2 * 100  # end to end
    assert values["predictor.latency.1000.quiet.generator.p50"] == 50 + 10
    assert values["predictor.latency.1000.quiet.service.p50"] == 2 * 50
    assert values["predictor.latency.1000.quiet.service.max"] == 200
    assert set(results.distributions) == {"predictor.latency.1000.quiet",
                                          "predictor.latency.1000.quiet.service"}
