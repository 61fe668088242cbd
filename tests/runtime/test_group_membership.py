"""Static group membership and cooperative rebalancing on the real broker (docs/scaling.md)."""

from __future__ import annotations

import pytest

from streamml.runtime.admin import admin_client
from tests.helpers import create_topic, wait_for

pytestmark = pytest.mark.broker


def members(broker: str, group: str) -> list[dict]:
    with admin_client(broker) as admin:
        return admin.describe_groups([group])[group]["members"]


def test_a_static_member_leaves_its_group_when_it_stops(broker, unique, start_echo):
    """A static member's own close sends no LeaveGroup: the runtime removes it explicitly, so
    its partitions move at once instead of after the 45 s session timeout."""
    source = create_topic(broker, f"in-{unique}", 3)
    sink = create_topic(broker, f"out-{unique}", 3)
    group, instance = f"g-{unique}", f"echo-{unique}-0"
    service = start_echo(bootstrap_servers=broker, input_topic=source, output_topic=sink,
                         group_id=group, group_instance_id=instance,
                         rebalance_protocol="cooperative-sticky")
    assert wait_for(lambda: service.get("/readyz")[0] == 200, timeout_s=60)
    assert wait_for(lambda: [m.get("group_instance_id") for m in members(broker, group)]
                    == [instance], timeout_s=30), members(broker, group)
    assert service.terminate() == 0
    assert wait_for(lambda: members(broker, group) == [], timeout_s=15), members(broker, group)

