"""streamml_consumer_lag: per owned partition, grows with a backlog and drains to zero."""

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import create_topic, produce, wait_for

pytestmark = pytest.mark.broker

TOTAL = 300


def _lag(service) -> dict[tuple[str, str], float]:
    status, body = service.get("/metrics")
    if status != 200:
        return {}
    return {
        (sample.labels["topic"], sample.labels["partition"]): sample.value
        for family in text_string_to_metric_families(body.decode())
        if family.name == "streamml_consumer_lag"
        for sample in family.samples
    }


def test_lag_is_reported_per_partition_and_drains(broker, unique, start_echo):
    source = create_topic(broker, f"in-{unique}", 3)
    sink = create_topic(broker, f"out-{unique}", 3)
    produce(broker, source, [(f"k{i}".encode(), json.dumps({"id": f"p{i}", "n": i}).encode())
                             for i in range(TOTAL)])
    service = start_echo(bootstrap_servers=broker, input_topic=source, output_topic=sink,
                         group_id=f"g-{unique}", max_poll_records=10, handle_delay_s=0.3)

    assert wait_for(lambda: sum(_lag(service).values()) > 0, timeout_s=60), "backlog seen as lag"
    partitions = {partition for topic, partition in _lag(service) if topic == source}
    assert partitions <= {"0", "1", "2"} and partitions, partitions
    assert wait_for(lambda: (lag := _lag(service)) and len(lag) == 3 and sum(lag.values()) == 0,
                    timeout_s=120), _lag(service)
    assert service.terminate() == 0
