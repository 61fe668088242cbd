import pytest

from streamml.runtime.admin import admin_client
from streamml.runtime.topics import TopicCatalog, TopicSpec, apply_catalog, load_catalog
from tests.helpers import create_topic

pytestmark = pytest.mark.broker


def _describe(bootstrap: str, names: list[str]) -> dict[str, int]:
    with admin_client(bootstrap) as admin:
        return {t["name"]: len(t["partitions"]) for t in admin.describe_topics(names)}


def test_catalog_declares_data_topics_with_room_to_scale():
    catalog = load_catalog()
    assert "streamml.dead-letter" in catalog.names()
    assert any(spec.config.get("cleanup.policy") == "compact" for spec in catalog.topics)
    for spec in catalog.topics:
        if spec.config.get("cleanup.policy") != "compact" and "status" not in spec.name:
            assert spec.partitions >= 6, spec.name


def test_apply_creates_declared_partitions_and_configs_and_is_idempotent(broker, unique):
    catalog = TopicCatalog((
        TopicSpec(f"apply-{unique}-data", 6, 1, {"retention.ms": "3600000"}),
        TopicSpec(f"apply-{unique}-models", 1, 1,
                  {"cleanup.policy": "compact", "max.message.bytes": "16777216"}),
    ))
    first = apply_catalog(broker, catalog, max_replicas=1)
    assert sorted(first.created) == sorted(catalog.names())
    assert _describe(broker, list(catalog.names())) == {
        f"apply-{unique}-data": 6, f"apply-{unique}-models": 1}

    second = apply_catalog(broker, catalog, max_replicas=1)
    assert second.created == [] and second.drift == []
    assert sorted(second.unchanged) == sorted(catalog.names())


def test_apply_reports_drift_without_touching_data(broker, unique):
    name = create_topic(broker, f"drift-{unique}", partitions=2)
    catalog = TopicCatalog((TopicSpec(name, 6, 1, {"cleanup.policy": "compact"}),))
    report = apply_catalog(broker, catalog, max_replicas=1)
    assert report.created == [] and report.unchanged == []
    assert len(report.drift) == 1
    assert "2 partitions, 6 declared" in report.drift[0]
    assert "cleanup.policy=delete, compact declared" in report.drift[0]
    assert _describe(broker, [name]) == {name: 2}


def test_the_whole_catalog_is_applied_on_the_test_broker(broker):
    report = apply_catalog(broker, load_catalog(), max_replicas=1)
    assert report.drift == [] and report.created == []
