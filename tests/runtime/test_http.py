"""/metrics, /healthz and /readyz of a real service process."""

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import create_topic, free_port, wait_for


def _ready(service) -> bool:
    return service.get("/readyz")[0] == 200


def test_not_ready_while_the_broker_is_unreachable(start_echo):
    nowhere = f"127.0.0.1:{free_port()}"
    service = start_echo(bootstrap_servers=nowhere, input_topic="in", output_topic="out")
    assert wait_for(lambda: service.get("/healthz")[0] == 200, timeout_s=30)
    status, body = service.get("/readyz")
    assert status == 503
    assert json.loads(body)["ready"] is False
    status, body = service.get("/startupz")
    assert (status, json.loads(body)) == (503, {"started": False}), "the loop never turned"
    assert not wait_for(lambda: _ready(service), timeout_s=3)
    assert service.process.poll() is None, "keeps retrying instead of crashing"
    assert service.terminate() == 0


@pytest.mark.broker
def test_ready_once_connected_and_metrics_parse(broker, unique, start_echo):
    source = create_topic(broker, f"in-{unique}", 3)
    sink = create_topic(broker, f"out-{unique}", 3)
    service = start_echo(bootstrap_servers=broker, input_topic=source, output_topic=sink,
                         group_id=f"g-{unique}")
    assert wait_for(lambda: _ready(service), timeout_s=60)
    assert service.get("/startupz")[0] == 200

    status, body = service.get("/metrics")
    assert status == 200
    families = {family.name: family for family in text_string_to_metric_families(body.decode())}
    for name in ("streamml_messages_consumed", "streamml_dead_letters",
                 "streamml_batch_size", "streamml_batch_duration_seconds", "streamml_ready"):
        assert name in families, name
    ready = [s for s in families["streamml_ready"].samples if s.labels == {"service": "echo"}]
    assert wait_for(lambda: b'streamml_ready{service="echo"} 1.0' in service.get("/metrics")[1])
    assert ready, "the readiness gauge carries the service label"
    assert service.get("/nope")[0] == 404
    assert service.terminate() == 0
