"""The topic catalog (``topics.yaml``) and ``topics apply``: create what is missing, report drift.

Apply never deletes a topic, never shrinks one and never rewrites configs: data is never lost
by provisioning. Drift is reported so that an operator can decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from kafka.admin import ConfigResource, ConfigResourceType

from streamml.runtime.admin import admin_client


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replicas: int
    config: dict[str, str]
    description: str = ""


@dataclass(frozen=True)
class TopicCatalog:
    topics: tuple[TopicSpec, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.topics)

    def get(self, name: str) -> TopicSpec:
        for spec in self.topics:
            if spec.name == name:
                return spec
        raise KeyError(f"topic {name!r} is not declared in topics.yaml")


def parse_catalog(document: dict[str, Any]) -> TopicCatalog:
    defaults = document.get("defaults", {})
    specs = []
    seen: set[str] = set()
    for entry in document["topics"]:
        name = entry["name"]
        if name in seen:
            raise ValueError(f"topic {name!r} is declared twice")
        seen.add(name)
        partitions = int(entry["partitions"])
        replicas = int(entry.get("replicas", defaults.get("replicas", 1)))
        if partitions < 1 or replicas < 1:
            raise ValueError(f"topic {name!r}: partitions and replicas must be positive")
        config = {str(key): str(value) for key, value in (entry.get("config") or {}).items()}
        specs.append(TopicSpec(name, partitions, replicas, config, entry.get("description", "")))
    return TopicCatalog(tuple(specs))


def load_catalog(path: Path | None = None) -> TopicCatalog:
    if path is None:
        text = resources.files("streamml").joinpath("topics.yaml").read_text()
    else:
        text = Path(path).read_text()
    return parse_catalog(yaml.safe_load(text))


@dataclass
class ApplyReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return (
            [f"created   {name}" for name in self.created]
            + [f"ok        {name}" for name in self.unchanged]
            + [f"DRIFT     {message}" for message in self.drift]
        )


def _partition_counts(admin: Any, names: list[str]) -> dict[str, int]:
    return {
        topic["name"]: len(topic["partitions"])
        for topic in admin.describe_topics(names)
        if topic.get("error_code", 0) == 0
    }


def _topic_configs(admin: Any, names: list[str]) -> dict[str, dict[str, str]]:
    if not names:
        return {}
    resources_ = [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    described = admin.describe_configs(resources_, config_filter="all")
    by_name = next(iter(described.values())) if described else {}
    return {
        name: {key: str(data.get("value")) for key, data in configs.items()}
        for name, configs in by_name.items()
    }


def durable_configs(spec: TopicSpec, replication_factor: int) -> dict[str, str]:
    """The topic's configs, with min.insync.replicas 2 once it has 3 replicas: an acks=all
    write then survives the loss of any one broker (unless the catalog says otherwise)."""
    if replication_factor >= 3:
        return {"min.insync.replicas": "2", **spec.config}
    return dict(spec.config)


def apply_catalog(
    bootstrap_servers: str,
    catalog: TopicCatalog,
    max_replicas: int | None = None,
    timeout_ms: int = 30000,
    security: Mapping[str, object] | None = None,
) -> ApplyReport:
    """Create missing topics and compare existing ones with the catalog.

    The replication factor is capped at the cluster's broker count and at ``max_replicas``;
    with 3 replicas a topic gets min.insync.replicas 2.
    """
    report = ApplyReport()
    with admin_client(bootstrap_servers, timeout_ms=timeout_ms, security=security) as admin:
        existing = set(admin.list_topics())
        missing = [spec for spec in catalog.topics if spec.name not in existing]
        if missing:
            brokers = len(admin.describe_cluster()["brokers"])
            cap = min(brokers, max_replicas or brokers)
            admin.create_topics(
                {
                    spec.name: {
                        "num_partitions": spec.partitions,
                        "replication_factor": min(spec.replicas, cap),
                        "configs": durable_configs(spec, min(spec.replicas, cap)),
                    }
                    for spec in missing
                },
                timeout_ms=timeout_ms,
            )
            admin.wait_for_topics([spec.name for spec in missing], timeout_ms=timeout_ms)
            report.created.extend(spec.name for spec in missing)
        present = [spec for spec in catalog.topics if spec.name in existing]
        counts = _partition_counts(admin, [spec.name for spec in present])
        configs = _topic_configs(admin, [spec.name for spec in present])
        for spec in present:
            problems = []
            actual_partitions = counts.get(spec.name)
            if actual_partitions is not None and actual_partitions < spec.partitions:
                problems.append(f"{actual_partitions} partitions, {spec.partitions} declared")
            for key, wanted in spec.config.items():
                actual = configs.get(spec.name, {}).get(key)
                if actual != wanted:
                    problems.append(f"{key}={actual}, {wanted} declared")
            if problems:
                report.drift.append(f"{spec.name}: " + "; ".join(problems))
            else:
                report.unchanged.append(spec.name)
    return report
