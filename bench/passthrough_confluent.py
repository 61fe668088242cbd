"""Reference row only: the pass-through of ``bench.passthrough`` with confluent-kafka
(librdkafka, a C client) instead of kafka-python. Never a service dependency: it is in the
``bench`` extra, so users see how far the pure-Python client is from a C client on this
machine.

The same loop and the same guarantees as the kafka-python pass-through and the services:
consume a batch, produce it unchanged (acks=all, idempotent), and commit each offset once
every output before it is acknowledged — pipelined like the runtime's loop (at most
``max_in_flight_batches`` batches and ``max_in_flight_records`` records in flight; offsets
committed asynchronously, in input order, at most every ``commit_interval_ms``).
``partitioner=murmur2_random``
puts keys on the partitions the Java and kafka-python clients choose (librdkafka's default,
``consistent_random``, would not). Batch size, linger and the poll size are the runtime's.
Stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from streamml.runtime.clients import FETCH_BYTES_PER_PARTITION, PRODUCER_BATCH_BYTES
from streamml.runtime.settings import RuntimeConfig

IN_FLIGHT_POLL_MS = 10  # as the runtime: poll briefly while outputs are in flight


def client_settings(bootstrap: str, group: str, defaults: RuntimeConfig) -> tuple[dict, dict]:
    """(producer, consumer) settings mirroring streamml's kafka-python clients."""
    producer = {
        "bootstrap.servers": bootstrap,
        "client.id": "streamml-bench-passthrough-confluent",
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": defaults.linger_ms,
        "batch.size": PRODUCER_BATCH_BYTES,
        "partitioner": "murmur2_random",
        "compression.type": defaults.compression_type,
    }
    consumer = {
        "bootstrap.servers": bootstrap,
        "client.id": "streamml-bench-passthrough-confluent",
        "group.id": group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
        "max.partition.fetch.bytes": FETCH_BYTES_PER_PARTITION,
    }
    return producer, consumer


@dataclass
class Batch:
    pending: int
    ends: dict[tuple[str, int], int]  # (topic, partition) -> offset after the batch's last record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--sink", required=True)
    parser.add_argument("--group", required=True)
    args = parser.parse_args(argv)

    config = RuntimeConfig()
    producer_settings, consumer_settings = client_settings(args.bootstrap, args.group, config)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    producer = Producer(producer_settings)
    consumer = Consumer(consumer_settings)
    consumer.subscribe([args.source])
    in_flight: deque[Batch] = deque()
    failed: list[str] = []
    acked: dict[tuple[str, int], int] = {}
    committed: dict[tuple[str, int], int] = {}
    last_commit = 0.0

    def reap() -> None:
        producer.poll(0)  # runs the delivery callbacks
        if failed:
            raise SystemExit(f"outputs not acknowledged: {failed[:3]}")
        while in_flight and in_flight[0].pending == 0:
            acked.update(in_flight.popleft().ends)

    def commit(sync: bool = False) -> None:
        nonlocal last_commit
        changed = {tp: offset for tp, offset in acked.items() if committed.get(tp) != offset}
        if not changed:
            return
        try:
            consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in changed.items()],
                            asynchronous=not sync)
        except KafkaException:
            return  # as the runtime does: a rebalance moved the partition; its new owner re-reads
        committed.update(changed)
        last_commit = time.monotonic()

    try:
        while not stop.is_set():
            reap()
            while in_flight and (len(in_flight) >= config.max_in_flight_batches or sum(
                    b.pending for b in in_flight) >= config.max_in_flight_records):
                producer.poll(0.001)  # wait for the oldest batch's acknowledgements
                reap()
            room = max(1, config.max_in_flight_records - sum(b.pending for b in in_flight))
            batch = consumer.consume(
                num_messages=min(config.max_poll_records, room),
                timeout=(IN_FLIGHT_POLL_MS if in_flight else config.poll_timeout_ms) / 1000)
            records = [m for m in batch if m.error() is None]
            if records:
                sent = Batch(len(records), {})

                def delivered(error, _message, sent: Batch = sent) -> None:
                    if error is not None:
                        failed.append(str(error))
                    sent.pending -= 1

                for record in records:
                    sent.ends[(record.topic(), record.partition())] = record.offset() + 1
                    while True:
                        try:
                            producer.produce(args.sink, value=record.value(), key=record.key(),
                                             headers=record.headers(), on_delivery=delivered)
                            break
                        except BufferError:  # the local queue is full: let deliveries drain
                            producer.poll(0.01)
                in_flight.append(sent)
            reap()
            if time.monotonic() - last_commit >= config.commit_interval_ms / 1000:
                commit()
        producer.flush(config.shutdown_timeout_s)
        reap()
        commit(sync=True)
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
