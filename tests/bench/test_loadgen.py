"""bench.loadgen: the pacing both clients share."""

from __future__ import annotations

from bench import loadgen
from bench.payloads import TIME_PLACEHOLDER, Payload


def test_every_payload_is_sent_once_in_order_and_stamped_at_its_burst() -> None:
    payloads = [Payload(b"k", b"%d:" % i + TIME_PLACEHOLDER) for i in range(50)]
    sent: list[tuple[bytes, int]] = []
    idles = []

    count, elapsed, largest_burst = loadgen._paced(
        payloads, 10_000.0, lambda payload, now_ms: sent.append((payload.value, now_ms)),
        lambda: idles.append(1))

    assert count == 50 and [value for value, _ in sent] == [p.value for p in payloads]
    assert all(now_ms > 1_600_000_000_000 for _, now_ms in sent)
    assert elapsed > 0 and 1 <= largest_burst <= 50
    assert idles  # the loop yields between bursts
