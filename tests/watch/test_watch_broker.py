"""`streamml watch` headless against a real stream on the broker: the frame rendered to text."""

from __future__ import annotations

import time

import pytest
from kafka import KafkaProducer

from streamml.contracts.weather import ANOMALIES_TOPIC, READINGS_TOPIC
from streamml.runtime.settings import KafkaConnection
from streamml.watch.follow import Watcher
from streamml.watch.state import DEAD_LETTER_TOPIC, PREDICTIONS_TOPIC, RESULTS_TOPIC, STATUS_TOPIC
from streamml.watch.view import render_text
from tests.helpers import group_member_at_end, wait_for
from tests.watch.messages import anomaly, prediction, reading, result, status

pytestmark = pytest.mark.broker


def test_the_frame_shows_a_live_stream_read_committed(broker: str, unique: str) -> None:
    match, aborted, sensor = f"m-{unique}", f"aborted-{unique}", f"s-{unique}"
    group = f"watch-test-{unique}"
    # The group's committed position: the end, before this test's predictions.
    member = group_member_at_end(PREDICTIONS_TOPIC, group, bootstrap_servers=broker)
    watcher = Watcher(KafkaConnection(bootstrap_servers=broker),
                      since_ms=int(time.time() * 1000) - 1000)
    try:
        producer = KafkaProducer(bootstrap_servers=broker, acks="all")
        for ball, (score, predicted) in enumerate([(4, 150.0), (9, 155.0), (15, 162.0)], 1):
            producer.send(PREDICTIONS_TOPIC, key=match.encode(),
                          value=prediction(match, ball, score, predicted).to_bytes())
        producer.send(RESULTS_TOPIC, key=match.encode(), value=result(match, 160).to_bytes())
        producer.send(STATUS_TOPIC, key=b"cricket-score",
                      value=status(version=2, mae=9.25, time_ms=int(time.time() * 1000)).to_bytes())
        for seq in range(70):
            producer.send(READINGS_TOPIC, key=sensor.encode(), value=reading(sensor, seq).to_bytes())
        producer.send(ANOMALIES_TOPIC, key=sensor.encode(),
                      value=anomaly(sensor, 69, ("stuck:humidity_pct",)).to_bytes())
        producer.send(DEAD_LETTER_TOPIC, value=b"{",
                      headers=[("streamml.dlq.reason", b"invalid_json"),
                               ("streamml.dlq.service", b"watch-test")])
        producer.flush(30)
        producer.close()
        transactional = KafkaProducer(bootstrap_servers=broker, transactional_id=f"t-{unique}")
        transactional.init_transactions()
        transactional.begin_transaction()
        transactional.send(PREDICTIONS_TOPIC, key=aborted.encode(),
                           value=prediction(aborted, 1, 4, 150.0).to_bytes())
        transactional.flush(30)
        transactional.abort_transaction()
        transactional.close()

        def seen() -> bool:
            watcher.step()
            row = watcher.state.matches.get(match)
            sensor_row = watcher.state.sensors.get(sensor)
            return (row is not None and row.final_score == 160 and sensor_row is not None
                    and sensor_row.total_flags == 1 and sensor_row.reading.seq == 69
                    and bool(watcher.state.dead_letters))
        assert wait_for(seen, timeout_s=60, every_s=0)
        watcher._next_sample = 0  # sample offsets and lag now
        watcher.step()
        text = render_text(watcher.frame(), width=160)
    finally:
        watcher.close()
        member.close(autocommit=False)
    lines = text.splitlines()
    match_line = next(line for line in lines if match in line)
    assert "15/0" in match_line and "162" in match_line and "v2" in match_line
    assert "160" in match_line and "5.7" in match_line and "▁▄█" in match_line
    assert "model in use: cricket-score v2 · held-out MAE 9.2 runs" in text
    sensor_line = next(line for line in lines if sensor in line)
    assert "69" in sensor_line and "serving" in sensor_line and "stuck 1" in sensor_line
    assert aborted not in text  # read_committed: the aborted transaction is never shown
    group_line = next(line for line in lines if group in line)
    # Lag is in offsets: 3 predictions, the aborted one and its transaction's abort marker.
    assert group_line.rstrip(" │").split()[-2:] == ["Stable", "5"]
    assert "watch-test: invalid_json 1" in text
    for topic in (PREDICTIONS_TOPIC, READINGS_TOPIC, DEAD_LETTER_TOPIC):
        assert topic in text
