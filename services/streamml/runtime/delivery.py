"""Sending a turn's outputs and classifying what Kafka answers.

Three kinds of failure, three responses:

- *poison*: one output Kafka will never take (larger than the request or topic limit, an
  invalid record). It is replaced by a bounded dead letter (reason ``output_too_large`` or
  ``output_rejected``) in the same attempt, so the partition moves on;
- *fatal*: the producer itself is unusable (fenced, out-of-order sequence, closed). The caller
  rebuilds it;
- *retriable*: everything else (timeouts, leader changes, a broker down). The attempt fails,
  the caller backs off and tries again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from kafka import KafkaProducer
from kafka.errors import (
    IllegalStateError,
    InvalidProducerEpochError,
    InvalidRecordError,
    InvalidTxnStateError,
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    OutOfOrderSequenceNumberError,
    ProducerFencedError,
    RecordListTooLargeError,
    TransactionalIdAuthorizationFailedError,
    UnknownProducerIdError,
)

from streamml.runtime.dead_letter import HEADER_PREFIX, Outgoing

log = logging.getLogger(__name__)

OUTPUT_TOO_LARGE = "output_too_large"
OUTPUT_REJECTED = "output_rejected"
# What is kept of a poison output's value in its dead letter: enough to identify it.
POISON_KEEP_BYTES = 64 * 1024

_TOO_LARGE = (MessageSizeTooLargeError, RecordListTooLargeError)
_POISON = _TOO_LARGE + (InvalidRecordError,)
_FATAL = (ProducerFencedError, OutOfOrderSequenceNumberError, UnknownProducerIdError,
          InvalidProducerEpochError, InvalidTxnStateError, IllegalStateError,
          TransactionalIdAuthorizationFailedError)


class Failure(Enum):
    RETRIABLE = "retriable"
    FATAL = "fatal"


def is_poison(exc: BaseException) -> bool:
    return isinstance(exc, _POISON)


def is_fatal(exc: BaseException) -> bool:
    return isinstance(exc, _FATAL)


class DeliveryFailed(Exception):
    def __init__(self, kind: Failure, cause: BaseException) -> None:
        super().__init__(f"{kind.value}: {cause!r}")
        self.kind = kind
        self.cause = cause


def classify(exc: BaseException) -> Failure:
    return Failure.FATAL if is_fatal(exc) else Failure.RETRIABLE


def poison_reason(exc: BaseException) -> str:
    return OUTPUT_TOO_LARGE if isinstance(exc, _TOO_LARGE) else OUTPUT_REJECTED


def poison_replacement(output: Outgoing, exc: BaseException, dead_letter_topic: str,
                       service: str) -> Outgoing:
    """A dead letter small enough to be sent: the head of the value, why, and where it was
    going. Sent to the dead-letter topic whatever the output's topic was; if the output was
    itself a dead letter, its origin headers are kept."""
    ours = {
        "reason": poison_reason(exc),
        "error": repr(exc)[:2000],
        "service": service,
        "target.topic": output.topic,
        "original.bytes": str(len(output.value)),
        "dead-lettered-at": str(int(time.time() * 1000)),
    }
    kept = tuple((name, value[:2000]) for name, value in output.headers
                 if name.startswith(HEADER_PREFIX) and name[len(HEADER_PREFIX):] not in ours)
    return Outgoing(
        topic=dead_letter_topic,
        value=output.value[:POISON_KEEP_BYTES],
        key=output.key if output.key is None or len(output.key) <= 1024 else output.key[:1024],
        headers=kept + tuple((HEADER_PREFIX + name, value.encode()) for name, value in ours.items()),
    )


@dataclass
class Sent:
    """What one attempt delivered: acknowledged counts per topic, and the poison replaced."""

    acknowledged: dict[str, int] = field(default_factory=dict)
    poisoned: list[tuple[Outgoing, BaseException]] = field(default_factory=list)


def send_all(producer: KafkaProducer, outputs: Sequence[Outgoing], timeout_s: float,
             replace: Callable[[Outgoing, BaseException], Outgoing]) -> Sent:
    """Send ``outputs`` and wait until each is acknowledged or ``timeout_s`` has passed.

    A poison output is swapped for ``replace(output, error)`` within this attempt. Raises
    DeliveryFailed (retriable or fatal) if anything else stays unacknowledged.
    """
    deadline = time.monotonic() + timeout_s
    sent = Sent()
    pending: list[tuple[Outgoing, object, bool]] = []  # (output, future, is_replacement)

    def submit(output: Outgoing, replacement: bool) -> None:
        try:
            future = producer.send(output.topic, value=output.value, key=output.key,
                                   headers=list(output.headers))
        except KafkaError as exc:
            if is_poison(exc) and not replacement:
                sent.poisoned.append((output, exc))
                submit(replace(output, exc), replacement=True)
                return
            # A metadata timeout means the cluster is unreachable: stop here, every further
            # send would block for max_block_ms too.
            raise DeliveryFailed(classify(exc), exc) from exc
        pending.append((output, future, replacement))

    for output in outputs:
        submit(output, replacement=False)
    while pending:
        remaining = max(deadline - time.monotonic(), 0.0)
        try:
            producer.flush(timeout=remaining)
        except KafkaTimeoutError as exc:
            raise DeliveryFailed(Failure.RETRIABLE, exc) from exc
        retry: list[tuple[Outgoing, object, bool]] = []
        for output, future, replacement in pending:
            try:
                future.get(timeout=max(deadline - time.monotonic(), 0.0))  # type: ignore[attr-defined]
            except KafkaError as exc:
                if is_poison(exc) and not replacement:
                    sent.poisoned.append((output, exc))
                    retry.append((output, exc, True))
                    continue
                raise DeliveryFailed(classify(exc), exc) from exc
            sent.acknowledged[output.topic] = sent.acknowledged.get(output.topic, 0) + 1
        pending = []
        for output, exc, _ in retry:
            submit(replace(output, exc), replacement=True)  # type: ignore[arg-type]
    return sent
