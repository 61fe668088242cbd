"""The collector is held off during a turn and runs its held-off collection at the turn's end."""

from __future__ import annotations

import gc

import pytest

from streamml.runtime.gc_turns import CollectBetweenTurns


@pytest.fixture
def collections():
    """Generations collected while the test runs, with a low youngest threshold."""
    seen: list[int] = []

    def probe(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            seen.append(info["generation"])

    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    gc.enable()
    gc.set_threshold(50, 10, 10)
    gc.collect()
    gc.callbacks.append(probe)
    try:
        yield seen
    finally:
        gc.callbacks.remove(probe)
        gc.set_threshold(*thresholds)
        (gc.enable if enabled else gc.disable)()


def _cycles(n: int) -> list[list[object]]:
    made = []
    for _ in range(n):
        cycle: list[object] = []
        cycle.append(cycle)
        made.append(cycle)
    return made


def test_no_collection_inside_a_turn_and_the_held_off_one_runs_at_its_end(collections):
    with CollectBetweenTurns():
        kept = _cycles(500)  # ten times the threshold
        assert collections == []
        assert not gc.isenabled()
    assert gc.isenabled()
    assert collections, "the collection held off ran at the turn's end"
    assert len(kept) == 500


def test_garbage_cycles_of_a_turn_are_freed_after_it(collections):
    with CollectBetweenTurns():
        _cycles(500)  # unreachable at once: only the collector frees them
    assert collections
    assert gc.get_count()[0] <= gc.get_threshold()[0]


def test_a_quiet_turn_collects_nothing(collections):
    with CollectBetweenTurns():
        pass
    assert collections == []


def test_a_collector_disabled_before_the_turn_stays_disabled(collections):
    gc.disable()
    with CollectBetweenTurns():
        _cycles(500)
    assert not gc.isenabled()
    assert collections == []


def test_the_collector_is_enabled_again_when_the_turn_raises(collections):
    with pytest.raises(RuntimeError):
        with CollectBetweenTurns():
            raise RuntimeError("a turn that fails")
    assert gc.isenabled()


def test_after_collection_runs_at_the_end_of_every_turn_with_the_collector_held(collections):
    calls: list[int] = []
    turns = CollectBetweenTurns(lambda: calls.append(len(collections)))
    with turns:
        _cycles(500)
    with turns:
        pass
    assert len(calls) == 2
    assert calls[0] >= 1, "it runs after the held-off collection"
