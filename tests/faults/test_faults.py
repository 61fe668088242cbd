"""The fault suite at reduced size (make test); `make faults` runs every scenario at full size
and writes docs/reliability.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.run import default_port, run_all
from tests.faults.scenarios import REDUCED, REDUCED_SCENARIOS

pytestmark = pytest.mark.broker


def test_no_loss_and_no_duplicate_under_exactly_once(tmp_path: Path) -> None:
    lines: list[str] = []
    results = run_all(list(REDUCED_SCENARIOS), REDUCED, tmp_path, default_port(), lines.append)
    report = "\n".join(lines)
    assert len(results) == 2 * len(REDUCED_SCENARIOS)
    for result in results:
        assert result.sent == REDUCED.events, report
        assert result.lost == 0, report
        if result.guarantee == "exactly-once":
            assert result.duplicated == 0, report
