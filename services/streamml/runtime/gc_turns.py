"""The cyclic garbage collector held off while a loop turn runs, and let run between turns.

A turn makes objects that live as long as the turn (a poll's records, their decoded
messages, the batch's verdicts): several tracked containers per record. A collection that
starts inside the turn, at any allocation, finds them all alive, visits them and moves them
to an older generation, where later collections visit them again — and enough of them
promoted to the oldest generation sets off a full collection of the whole heap. Between turns
they are gone (freed by their reference counts), and a collection visits only what outlives
a turn. The collector's own schedule is kept: its counts and thresholds decide whether a
collection runs and of which generations; only the moment moves to the turn's end.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from types import TracebackType


class CollectBetweenTurns:
    """A context manager around one turn. If the collector was enabled on entry, it is
    disabled for the turn; on exit it is enabled again and, when the allocations of the turn
    passed the youngest generation's threshold, the collection it held off runs there;
    then ``after_collection`` (streamml.runtime.gc_freeze), if given, runs."""

    def __init__(self, after_collection: Callable[[], None] | None = None) -> None:
        self._held = False
        self._after_collection = after_collection

    def __enter__(self) -> CollectBetweenTurns:
        self._held = gc.isenabled()
        if self._held:
            gc.disable()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if not self._held:
            return
        self._held = False
        gc.enable()
        if gc.get_count()[0] > gc.get_threshold()[0]:
            # CPython (3.11) decides on the allocation of a tracked object whether to collect
            # and which generations: one such allocation here runs the collection held off.
            _Allocation()
        if self._after_collection is not None:
            self._after_collection()


class _Allocation:
    """A tracked object whose allocation reaches the collector: unlike a list or a tuple,
    an instance of a class is never taken from a free list (which skips that check)."""
