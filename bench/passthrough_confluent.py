"""Reference row only: the pass-through of ``bench.passthrough`` with confluent-kafka
(librdkafka, a C client) instead of kafka-python. Never a service dependency: it is in the
``bench`` extra, so users see how far the pure-Python client is from a C client on this
machine.

The same loop and the same guarantees as the kafka-python pass-through and the services:
consume a batch, produce it unchanged, wait until every record is acknowledged (acks=all,
idempotent), then commit the batch's offsets synchronously. ``partitioner=murmur2_random``
puts keys on the partitions the Java and kafka-python clients choose (librdkafka's default,
``consistent_random``, would not). Batch size, linger and the poll size are the runtime's.
Stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from streamml.runtime.clients import PRODUCER_BATCH_BYTES
from streamml.runtime.settings import RuntimeConfig


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
        "max.partition.fetch.bytes": defaults.max_message_bytes,
    }
    return producer, consumer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--sink", required=True)
    parser.add_argument("--group", required=True)
    args = parser.parse_args(argv)

    defaults = RuntimeConfig()
    producer_settings, consumer_settings = client_settings(args.bootstrap, args.group, defaults)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    producer = Producer(producer_settings)
    consumer = Consumer(consumer_settings)
    consumer.subscribe([args.source])
    failed: list[str] = []

    def on_delivery(error, _message) -> None:
        if error is not None:
            failed.append(str(error))

    try:
        while not stop.is_set():
            batch = consumer.consume(num_messages=defaults.max_poll_records,
                                     timeout=defaults.poll_timeout_ms / 1000)
            records = [m for m in batch if m.error() is None]
            if not records:
                continue
            for record in records:
                while True:
                    try:
                        producer.produce(args.sink, value=record.value(), key=record.key(),
                                         headers=record.headers(), on_delivery=on_delivery)
                        break
                    except BufferError:  # the local queue is full: let deliveries drain
                        producer.poll(0.01)
            if producer.flush(defaults.shutdown_timeout_s) > 0 or failed:
                raise SystemExit(f"outputs not acknowledged: {failed[:3]}")
            ends: dict[tuple[str, int], int] = {}
            for record in records:
                ends[(record.topic(), record.partition())] = record.offset() + 1
            try:
                consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in ends.items()],
                                asynchronous=False)
            except KafkaException:
                pass  # as the runtime does: a rebalance moved the partition; its new owner re-reads
    finally:
        producer.flush(defaults.shutdown_timeout_s)
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
