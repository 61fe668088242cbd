"""SIGTERM: finish the batch, commit, flush, exit 0; a restart neither loses nor re-reads."""

import json
import time
from collections import Counter

import pytest

from tests.helpers import committed_total, create_topic, produce, read_all, wait_for

pytestmark = pytest.mark.broker

TOTAL = 400


def test_sigterm_commits_exactly_what_was_processed(broker, unique, start_echo):
    source = create_topic(broker, f"in-{unique}", 3)
    sink = create_topic(broker, f"out-{unique}", 3)
    group = f"g-{unique}"
    produce(broker, source, [(f"k{i}".encode(), json.dumps({"id": f"p{i}", "n": i}).encode())
                             for i in range(TOTAL)])
    settings = dict(bootstrap_servers=broker, input_topic=source, output_topic=sink,
                    group_id=group, max_poll_records=10, handle_delay_s=0.5)

    first = start_echo(**settings)
    read_all(broker, sink, lambda r: len(r) >= 30, timeout_s=60)
    started = time.monotonic()
    assert first.terminate() == 0
    assert time.monotonic() - started < 30, "must exit inside Kubernetes' grace period"

    processed = read_all(broker, sink, lambda r: False, timeout_s=3)
    assert 30 <= len(processed) < TOTAL, "the service was stopped mid-stream"
    assert committed_total(broker, group, source) == len(processed)

    start_echo(**settings)
    everything = read_all(broker, sink, lambda r: len(r) >= TOTAL, timeout_s=90)
    ids = Counter(json.loads(r.value)["id"] for r in everything)
    assert set(ids) == {f"p{i}" for i in range(TOTAL)}, "nothing lost"
    assert max(ids.values()) == 1, "nothing committed was read twice"
    assert wait_for(lambda: committed_total(broker, group, source) == TOTAL)
