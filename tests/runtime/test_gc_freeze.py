"""Survivors of older collections are frozen after a turn; the frozen heap is collected once
per reclaim interval."""

from __future__ import annotations

import gc
import weakref

import pytest

from streamml.runtime.gc_freeze import FreezeSurvivors


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def thawed():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_what_survives_an_older_collection_is_frozen():
    freeze = FreezeSurvivors(600, _Clock())
    kept = [_Node() for _ in range(1000)]
    gc.collect(1)
    freeze.after_turn()
    assert gc.get_freeze_count() >= len(kept)
    assert not any(node is kept[0] for node in gc.get_objects())


def test_nothing_is_frozen_after_turns_with_only_young_collections():
    freeze = FreezeSurvivors(600, _Clock())
    gc.collect(0)
    freeze.after_turn()
    assert gc.get_freeze_count() == 0


def test_a_frozen_cycle_dropped_later_is_freed_at_the_next_reclaim():
    clock = _Clock()
    freeze = FreezeSurvivors(600, clock)
    node = _Node()
    gone = weakref.ref(node)
    gc.collect(1)
    freeze.after_turn()
    del node
    gc.collect()
    assert gone() is not None, "frozen: no collection visits it"
    clock.now = 599
    freeze.after_turn()
    assert gone() is not None
    clock.now = 600
    freeze.after_turn()
    assert gone() is None
    assert gc.get_freeze_count() > 0, "what survived the reclaim is frozen again"


def test_the_frozen_objects_are_counted_after_a_reclaim_and_only_then(monkeypatch):
    walks = []
    real_count = gc.get_freeze_count
    monkeypatch.setattr(gc, "get_freeze_count", lambda: walks.append(1) or real_count())
    reported = []
    clock = _Clock()
    freeze = FreezeSurvivors(600, clock, reported.append)
    kept = [_Node() for _ in range(1000)]
    gc.collect(1)
    freeze.after_turn()
    assert walks == [] and reported == [], "an ordinary freeze walks nothing"
    clock.now = 600
    freeze.after_turn()
    assert len(walks) == 1 and reported[0] >= len(kept)
