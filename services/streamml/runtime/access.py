"""Who may do what on Kafka (``access.yaml``): one principal per service, least privilege.

The declaration is turned into grants here (for the embedded broker and the tests) and in the
Helm chart (KafkaUser ACLs); both follow the table at the top of ``access.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from streamml.runtime.topics import TopicCatalog, load_catalog

TOPIC, GROUP, TRANSACTIONAL_ID = "topic", "group", "transactionalId"
LITERAL, PREFIX = "literal", "prefix"


class AccessError(ValueError):
    """access.yaml is malformed or names a topic the catalog does not declare."""


@dataclass(frozen=True)
class Grant:
    """Allow ``operations`` on one resource (Strimzi's KafkaUser ACL vocabulary)."""

    resource_type: str
    name: str
    pattern: str
    operations: tuple[str, ...]


@dataclass(frozen=True)
class ServiceAccess:
    name: str
    consumes: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    group: str = ""
    transactional_id: str = ""

    def grants(self) -> list[Grant]:
        read = sorted(set(self.consumes) | set(self.reads))
        grants = [Grant(TOPIC, topic, LITERAL, ("Read", "Describe")) for topic in read]
        grants += [Grant(TOPIC, topic, LITERAL, ("Write", "Describe")) for topic in self.produces]
        if self.group:
            grants.append(Grant(GROUP, self.group, PREFIX, ("Read", "Describe")))
        if self.transactional_id:
            grants.append(Grant(TRANSACTIONAL_ID, self.transactional_id, PREFIX, ("Write", "Describe")))
        return grants


@dataclass(frozen=True)
class AccessPolicy:
    admin: str
    services: Mapping[str, ServiceAccess]

    @property
    def users(self) -> list[str]:
        return [self.admin, *self.services]


def _names(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, str) and item for item in raw):
        raise AccessError(f"{where}: expected a list of names, got {raw!r}")
    return tuple(raw)


def parse_access(raw: Any, catalog: TopicCatalog) -> AccessPolicy:
    if not isinstance(raw, dict) or not isinstance(raw.get("services"), dict):
        raise AccessError("access.yaml: expected a mapping with 'admin' and 'services'")
    declared = {spec.name for spec in catalog.topics}
    services: dict[str, ServiceAccess] = {}
    for name, entry in raw["services"].items():
        entry = entry or {}
        unknown_keys = set(entry) - {"consumes", "reads", "produces", "group", "transactional_id"}
        if unknown_keys:
            raise AccessError(f"services.{name}: unknown keys {sorted(unknown_keys)}")
        access = ServiceAccess(
            name=name,
            consumes=_names(entry.get("consumes"), f"services.{name}.consumes"),
            reads=_names(entry.get("reads"), f"services.{name}.reads"),
            produces=_names(entry.get("produces"), f"services.{name}.produces"),
            group=str(entry.get("group") or ""),
            transactional_id=str(entry.get("transactional_id") or ""),
        )
        undeclared = sorted({*access.consumes, *access.reads, *access.produces} - declared)
        if undeclared:
            raise AccessError(f"services.{name}: topics not in topics.yaml: {undeclared}")
        if access.consumes and not access.group:
            raise AccessError(f"services.{name}: consumes topics but declares no group")
        services[name] = access
    admin = raw.get("admin")
    if not isinstance(admin, str) or not admin or admin in services:
        raise AccessError(f"admin: expected a user name distinct from the services, got {admin!r}")
    return AccessPolicy(admin=admin, services=services)


def load_access(path: Path | None = None, catalog: TopicCatalog | None = None) -> AccessPolicy:
    if path is None:
        text = resources.files("streamml").joinpath("access.yaml").read_text()
    else:
        text = Path(path).read_text()
    return parse_access(yaml.safe_load(text), catalog or load_catalog())


def kafka_acls(principal: str, grants: Iterable[Grant]) -> list[Any]:
    """kafka-python ACL objects allowing ``grants`` to ``User:<principal>`` from any host."""
    from kafka.admin import (ACL, ACLOperation, ACLPermissionType, ACLResourcePatternType,
                             ResourcePattern, ResourceType)

    resource_types = {TOPIC: ResourceType.TOPIC, GROUP: ResourceType.GROUP,
                      TRANSACTIONAL_ID: ResourceType.TRANSACTIONAL_ID}
    patterns = {LITERAL: ACLResourcePatternType.LITERAL, PREFIX: ACLResourcePatternType.PREFIXED}
    return [
        ACL(f"User:{principal}", "*", ACLOperation[operation.upper()], ACLPermissionType.ALLOW,
            ResourcePattern(resource_types[grant.resource_type], grant.name, patterns[grant.pattern]))
        for grant in grants for operation in grant.operations
    ]
