"""The broker goes away and comes back: the service reports not ready, keeps running, recovers."""

import json
import os

import pytest

from streamml.broker import embedded
from streamml.runtime.topics import TopicCatalog, TopicSpec, apply_catalog
from tests.conftest import REPO
from tests.helpers import produce, read_all, session_port, wait_for

pytestmark = pytest.mark.broker


@pytest.fixture
def own_broker(tmp_path):
    config = embedded.BrokerConfig(
        data_dir=str(tmp_path / "broker"),
        cache_dir=os.environ.get("STREAMML_BROKER_CACHE_DIR", str(REPO / ".cache")),
        port=session_port(4), controller_port=session_port(5))
    embedded.start(config)
    yield config
    embedded.stop(config)


def _pings(start: int, stop: int) -> list[tuple[bytes, bytes]]:
    return [(f"k{i}".encode(), json.dumps({"id": f"p{i}", "n": i}).encode())
            for i in range(start, stop)]


def test_service_survives_a_broker_restart(own_broker, start_echo):
    bootstrap = own_broker.bootstrap
    apply_catalog(bootstrap, TopicCatalog((
        TopicSpec("in", 3, 1, {}), TopicSpec("out", 3, 1, {}),
        TopicSpec("streamml.dead-letter", 1, 1, {}))))
    service = start_echo(bootstrap_servers=bootstrap, input_topic="in", output_topic="out",
                         group_id="outage")
    produce(bootstrap, "in", _pings(0, 50))
    read_all(bootstrap, "out", lambda r: len(r) >= 50)
    assert wait_for(lambda: service.get("/readyz")[0] == 200)

    embedded.stop(own_broker)
    assert wait_for(lambda: service.get("/readyz")[0] == 503, timeout_s=60)
    assert service.get("/healthz")[0] == 200 and service.process.poll() is None

    embedded.start(own_broker)
    produce(bootstrap, "in", _pings(50, 100))
    outputs = read_all(bootstrap, "out", lambda r: len(r) >= 100, timeout_s=120)
    assert {json.loads(r.value)["id"] for r in outputs} == {f"p{i}" for i in range(100)}
    assert wait_for(lambda: service.get("/readyz")[0] == 200, timeout_s=60)
    assert service.terminate() == 0
