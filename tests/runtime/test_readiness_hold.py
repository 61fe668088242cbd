"""A handler that is not ready holds its input in Kafka: nothing handled, nothing dropped."""

import json

import pytest
from kafka.errors import KafkaError

from streamml.runtime.admin import admin_client

from tests.helpers import committed_total, create_topic, produce, read_all, wait_for

pytestmark = pytest.mark.broker


def group_is_stable(bootstrap: str, group: str) -> bool:
    """The group finished its rebalance and has members (so partitions are assigned)."""
    try:
        with admin_client(bootstrap) as admin:
            described = admin.describe_groups([group]).get(group, {})
    except KafkaError:  # e.g. the group coordinator of a fresh broker is not up yet
        return False
    return described.get("group_state") == "Stable" and bool(described.get("members"))


def test_input_waits_until_the_handler_is_ready(broker, unique, start_echo, tmp_path):
    source = create_topic(broker, f"in-{unique}", 3)
    sink = create_topic(broker, f"out-{unique}", 3)
    group = f"g-{unique}"
    produce(broker, source, [(f"k{i}".encode(), json.dumps({"id": f"p{i}", "n": i}).encode())
                             for i in range(100)])
    ready_file = tmp_path / "model-loaded"
    service = start_echo(bootstrap_servers=broker, input_topic=source, output_topic=sink,
                         group_id=group, ready_file=ready_file)

    # Proven by what the service did, not by waiting for something not to happen: it joined
    # its group, owns the partitions, and consumed nothing.
    assert wait_for(lambda: group_is_stable(broker, group), timeout_s=60)
    assert service.get("/readyz")[0] == 503
    assert service.metric("streamml_messages_consumed_total") == 0
    assert committed_total(broker, group, source) == 0

    ready_file.touch()
    outputs = read_all(broker, sink, lambda r: len(r) >= 100)
    assert sorted(json.loads(r.value)["n"] for r in outputs) == list(range(100)), (
        service.get("/readyz"), committed_total(broker, group, source))
    assert wait_for(lambda: service.get("/readyz")[0] == 200)
    assert service.terminate() == 0
