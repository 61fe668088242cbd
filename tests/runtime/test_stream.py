"""The runtime's consume -> handle -> produce -> commit loop, through a real service process."""

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from streamml.runtime.dead_letter import header_map
from streamml.runtime.metrics import STAGES
from tests.helpers import committed_total, create_topic, produce, read_all, wait_for

pytestmark = pytest.mark.broker


def _ping(i: int) -> tuple[bytes, bytes]:
    return f"k{i % 7}".encode(), json.dumps({"id": f"p{i}", "n": i}).encode()


def test_round_trip_keeps_keys_and_order_per_key(broker, unique, start_echo):
    source = create_topic(broker, f"in-{unique}", 3)
    sink = create_topic(broker, f"out-{unique}", 3)
    produce(broker, source, [_ping(i) for i in range(300)])
    start_echo(bootstrap_servers=broker, input_topic=source, output_topic=sink,
               group_id=f"g-{unique}", max_poll_records=50)

    outputs = read_all(broker, sink, lambda r: len(r) >= 300)
    assert sorted(json.loads(r.value)["id"] for r in outputs) == sorted(f"p{i}" for i in range(300))
    by_key: dict[bytes, list[int]] = {}
    for record in sorted(outputs, key=lambda r: (r.partition, r.offset)):
        by_key.setdefault(record.key, []).append(json.loads(record.value)["n"])
    assert all(ns == sorted(ns) for ns in by_key.values())
    assert wait_for(lambda: committed_total(broker, f"g-{unique}", source) == 300)


def _stage_counts(service) -> dict[str, float]:
    status, body = service.get("/metrics")
    assert status == 200
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(body.decode()):
        if family.name == "streamml_stage_duration_seconds":
            for sample in family.samples:
                if sample.name.endswith("_count") and sample.labels["service"] == "echo":
                    counts[sample.labels["stage"]] = sample.value
    return counts


def test_stage_durations_are_exported_per_stage(broker, unique, start_echo):
    """streamml_stage_duration_seconds: every record's fetch delay, and the handle,
    acknowledge and commit stages of the batches that carried them."""
    source = create_topic(broker, f"in-{unique}", 3)
    sink = create_topic(broker, f"out-{unique}", 3)
    produce(broker, source, [_ping(i) for i in range(120)])
    service = start_echo(bootstrap_servers=broker, input_topic=source, output_topic=sink,
                         group_id=f"g-{unique}", max_poll_records=20)
    assert wait_for(lambda: committed_total(broker, f"g-{unique}", source) == 120)
    assert wait_for(lambda: _stage_counts(service).get("commit", 0) > 0)
    counts = _stage_counts(service)
    assert set(counts) == set(STAGES)
    assert counts["fetch"] == 120, "one fetch delay per record"
    for stage in ("handle", "acknowledge", "commit"):
        assert 1 <= counts[stage] <= 120, (stage, counts)


BAD_INPUTS = {
    b"{not json": "malformed_json",
    b"\xc3\x28\xff": "invalid_utf8",
    b'{"id": "x", "n": "seven"}': "schema_violation",
    b'{"id": "x"}': "schema_violation",
    b'{"id": "x", "n": -4}': "out_of_range",
    b'{"id": "x", "n": NaN}': "schema_violation",
    b'{"schema_version": 9, "id": "x", "n": 1}': "unsupported_version",
}


def test_bad_inputs_are_dead_lettered_with_reason_and_origin(broker, unique, start_echo):
    source = create_topic(broker, f"in-{unique}", 3)
    sink = create_topic(broker, f"out-{unique}", 3)
    good_before = [_ping(i) for i in range(20)]
    good_after = [_ping(i) for i in range(20, 40)]
    bad = [(f"bad-{unique}-{i}".encode(), raw) for i, raw in enumerate(BAD_INPUTS)]
    produce(broker, source, good_before + bad + good_after)
    service = start_echo(bootstrap_servers=broker, input_topic=source, output_topic=sink,
                         group_id=f"g-{unique}")

    outputs = read_all(broker, sink, lambda r: len(r) >= 40)
    assert len(outputs) == 40

    def ours(records: list) -> list:
        return [r for r in records if r.key and r.key.startswith(f"bad-{unique}".encode())]

    letters = ours(read_all(broker, "streamml.dead-letter", lambda r: len(ours(r)) >= len(bad)))
    assert len(letters) == len(bad)
    for letter in letters:
        headers = header_map(letter.headers)
        assert letter.value in BAD_INPUTS, "the original bytes are kept"
        assert headers["streamml.dlq.reason"] == BAD_INPUTS[letter.value]
        assert headers["streamml.dlq.error"]
        assert headers["streamml.dlq.service"] == "echo"
        assert headers["streamml.dlq.source.topic"] == source
        assert int(headers["streamml.dlq.source.partition"]) in range(3)
        assert int(headers["streamml.dlq.source.offset"]) >= 0

    status, body = service.get("/metrics")
    assert status == 200
    assert b'streamml_dead_letters_total{reason="malformed_json",service="echo"} 1.0' in body
    assert service.process.poll() is None, "bad input must not stop the service"
    assert wait_for(lambda: committed_total(broker, f"g-{unique}", source) == 40 + len(bad))
