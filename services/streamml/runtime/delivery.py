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
from enum import Enum

from kafka import KafkaProducer
from kafka.errors import (
    IllegalStateError,
    InvalidProducerEpochError,
    InvalidRecordError,
    InvalidTxnStateError,
    KafkaError,
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


class Sending:
    """One batch's outputs on their way to Kafka: sent at once, acknowledged later.

    The loop keeps several of these in flight and asks ``done()`` (never blocks) or ``wait()``
    in input order. A poison output is swapped for ``replace(output, error)`` within the same
    attempt, whether ``send()`` refused it or the broker did. Anything else that stays
    unacknowledged raises DeliveryFailed (retriable or fatal)."""

    __slots__ = ("_producer", "_replace", "_outputs", "_futures", "_replacements", "_checked",
                 "acknowledged", "poisoned")

    def __init__(self, producer: KafkaProducer,
                 replace: Callable[[Outgoing, BaseException], Outgoing]) -> None:
        self._producer = producer
        self._replace = replace
        self._outputs: list[Outgoing] = []
        self._futures: list[object] = []
        self._replacements: set[int] = set()  # indexes of outputs that replace a poison one
        self._checked = 0  # every future before this index is acknowledged
        # Outputs acknowledged per topic once done() (counted at send, moved when replaced).
        self.acknowledged: dict[str, int] = {}
        self.poisoned: list[tuple[Outgoing, BaseException]] = []

    def send(self, outputs: Sequence[Outgoing]) -> None:
        for output in outputs:
            self._submit(output, replacement=False)

    def _submit(self, output: Outgoing, replacement: bool) -> None:
        try:
            future = self._producer.send(output.topic, value=output.value, key=output.key,
                                         headers=list(output.headers) if output.headers else None)
        except KafkaError as exc:
            if is_poison(exc) and not replacement:
                self._poisoned(output, exc)
                return
            # A metadata timeout means the cluster is unreachable: stop here, every further
            # send would block for max_block_ms too.
            raise DeliveryFailed(classify(exc), exc) from exc
        if replacement:
            self._replacements.add(len(self._futures))
        self._outputs.append(output)
        self._futures.append(future)
        self.acknowledged[output.topic] = self.acknowledged.get(output.topic, 0) + 1

    def _poisoned(self, output: Outgoing, exc: BaseException) -> None:
        self.poisoned.append((output, exc))
        self._submit(self._replace(output, exc), replacement=True)

    def done(self) -> bool:
        """True once every output is acknowledged; never blocks."""
        futures, index = self._futures, self._checked
        while index < len(futures):  # replacements may be appended while checking
            future = futures[index]
            if not future.is_done:  # type: ignore[attr-defined]
                break
            exc = future.exception  # type: ignore[attr-defined]
            if exc is not None:
                output = self._outputs[index]
                if not (is_poison(exc) and index not in self._replacements):
                    self._checked = index
                    raise DeliveryFailed(classify(exc), exc)
                self.acknowledged[output.topic] -= 1
                self._poisoned(output, exc)
            index += 1
        self._checked = index
        return index == len(futures)

    def wait(self, timeout_s: float) -> bool:
        """Block until ``done()`` or ``timeout_s`` has passed (False)."""
        deadline = time.monotonic() + timeout_s
        while not self.done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                self._futures[self._checked].get(timeout=remaining)  # type: ignore[attr-defined]
            except KafkaError:
                pass  # done() tells what it means
        return True
