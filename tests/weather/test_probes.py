"""The chart's startup probe (/startupz) needs no data: a detector that owns partitions with
no readings has started and stays live, while /readyz waits for models. Were the startup
probe on /readyz, the kubelet would restart such a replica in a loop."""

from __future__ import annotations

import json

import pytest

from tests.helpers import create_topic, wait_for

pytestmark = pytest.mark.broker


def test_a_detector_without_readings_has_started_but_is_not_ready(broker, start_cli, unique):
    quiet = create_topic(broker, f"wx-quiet-{unique}", partitions=2)
    anomalies = create_topic(broker, f"wx-quiet-anomalies-{unique}", partitions=2)
    detector = start_cli("detector", readings_topic=quiet, anomalies_topic=anomalies,
                         group_id=f"detector-{unique}")

    assert wait_for(lambda: detector.get("/startupz")[0] == 200, timeout_s=90), \
        detector.get("/readyz")
    assert json.loads(detector.get("/startupz")[1]) == {"started": True}
    # Connected and consuming (the kafka check), live, and not ready only for want of data.
    assert wait_for(lambda: json.loads(detector.get("/readyz")[1])["checks"] ==
                    {"kafka": True, "handler": True, "models": False}, timeout_s=60)
    assert detector.get("/readyz")[0] == 503
    assert detector.get("/healthz")[0] == 200
    assert detector.terminate() == 0
