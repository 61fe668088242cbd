"""Who may do what on Kafka (``access.yaml``): one principal per service, least privilege,
plus read-only viewers (``streamml watch``).

The declaration is turned into grants here (for the embedded broker and the tests) and in the
Helm chart (KafkaUser ACLs); both follow the table at the top of ``access.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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
class ViewerAccess:
    """A read-only identity: reads topics outside any group, describes offsets and groups."""

    name: str
    reads: tuple[str, ...] = ()
    describes: tuple[str, ...] = ()
    describes_groups: tuple[str, ...] = ()

    def grants(self) -> list[Grant]:
        grants = [Grant(TOPIC, topic, LITERAL, ("Read", "Describe")) for topic in self.reads]
        grants += [Grant(TOPIC, topic, LITERAL, ("Describe",)) for topic in self.describes]
        grants += [Grant(GROUP, group, PREFIX, ("Describe",)) for group in self.describes_groups]
        return grants


@dataclass(frozen=True)
class AccessPolicy:
    admin: str
    services: Mapping[str, ServiceAccess]
    viewers: Mapping[str, ViewerAccess] = field(default_factory=dict)

    @property
    def users(self) -> list[str]:
        return [self.admin, *self.services, *self.viewers]

    def grants_by_user(self) -> dict[str, list[Grant]]:
        """Every non-admin user's grants: the services' and the viewers'."""
        return {name: access.grants()
                for name, access in [*self.services.items(), *self.viewers.items()]}


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
    viewers = _parse_viewers(raw.get("viewers"), declared, services)
    admin = raw.get("admin")
    if not isinstance(admin, str) or not admin or admin in services or admin in viewers:
        raise AccessError(f"admin: expected a user name distinct from the services and "
                          f"viewers, got {admin!r}")
    return AccessPolicy(admin=admin, services=services, viewers=viewers)


def _parse_viewers(raw: Any, declared: set[str],
                   services: Mapping[str, ServiceAccess]) -> dict[str, ViewerAccess]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise AccessError("viewers: expected a mapping of read-only users")
    groups = {access.group for access in services.values() if access.group}
    viewers: dict[str, ViewerAccess] = {}
    for name, entry in raw.items():
        entry = entry or {}
        unknown_keys = set(entry) - {"reads", "describes", "describes_groups"}
        if unknown_keys:
            # A viewer never writes nor joins a group: produces, consumes, group and
            # transactional_id are refused here rather than silently ignored.
            raise AccessError(f"viewers.{name}: unknown keys {sorted(unknown_keys)} "
                              "(a viewer may only read and describe)")
        if name in services:
            raise AccessError(f"viewers.{name}: already a service's user")
        viewer = ViewerAccess(
            name=name,
            reads=_names(entry.get("reads"), f"viewers.{name}.reads"),
            describes=_names(entry.get("describes"), f"viewers.{name}.describes"),
            describes_groups=_names(entry.get("describes_groups"),
                                    f"viewers.{name}.describes_groups"))
        undeclared = sorted({*viewer.reads, *viewer.describes} - declared)
        if undeclared:
            raise AccessError(f"viewers.{name}: topics not in topics.yaml: {undeclared}")
        unknown_groups = sorted(set(viewer.describes_groups) - groups)
        if unknown_groups:
            raise AccessError(f"viewers.{name}: {unknown_groups} is no service's group prefix")
        viewers[name] = viewer
    return viewers


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
