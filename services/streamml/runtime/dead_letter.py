"""Dead-letter records: the original key and bytes, with reason and origin in headers.

Keeping the value byte-for-byte lets an operator fix the cause and replay the message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple

from kafka.consumer.fetcher import ConsumerRecord

HEADER_PREFIX = "streamml.dlq."


@dataclass(frozen=True)
class Rejection:
    """An input that cannot be processed; ``reason`` is a short, bounded label."""

    record: ConsumerRecord
    reason: str
    detail: str


class Outgoing(NamedTuple):
    """One record to send. A tuple, not a frozen dataclass: handlers build one per event, and
    a frozen dataclass costs about 4 us to build against 0.7 us (measured, loaded node)."""

    topic: str
    value: bytes
    key: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()


def dead_letter(rejection: Rejection, topic: str, service: str) -> Outgoing:
    record = rejection.record
    headers = (
        ("reason", rejection.reason),
        ("error", rejection.detail[:2000]),
        ("service", service),
        ("source.topic", record.topic),
        ("source.partition", str(record.partition)),
        ("source.offset", str(record.offset)),
        ("source.timestamp", str(record.timestamp)),
        ("dead-lettered-at", str(int(time.time() * 1000))),
    )
    return Outgoing(
        topic=topic,
        value=record.value if record.value is not None else b"",
        key=record.key,
        headers=tuple((HEADER_PREFIX + name, value.encode()) for name, value in headers),
    )


def header_map(headers: list[tuple[str, bytes]] | None) -> dict[str, str]:
    return {name: value.decode(errors="replace") for name, value in headers or []}
