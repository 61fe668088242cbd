"""The secure embedded broker: SASL/SCRAM-SHA-512 for clients, the standard authorizer, one
user per service plus an admin, and the ACLs of ``access.yaml``.

- Clients and the broker itself (inter-broker) authenticate with SCRAM-SHA-512 on the client
  listener. SCRAM credentials live in the cluster metadata, so they are added when storage is
  formatted (KIP-900, ``kafka-storage format --add-scram``).
- The controller listener uses SASL/PLAIN with one static user (KRaft controllers cannot check
  SCRAM, which lives in the metadata they serve); that user and the admin are the super users.
- Passwords are random, generated at format time and kept in ``credentials.json`` in the data
  directory (mode 0600); ``streamml broker credentials <user>`` prints one user's settings.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from streamml.broker.tls import TlsFiles
from streamml.runtime.access import AccessPolicy, kafka_acls

MECHANISM = "SCRAM-SHA-512"
PROTOCOL = "SASL_PLAINTEXT"
CONTROLLER_USER = "controller"
CREDENTIALS_FILE = "credentials.json"
TLS_LISTENER = "TLS"
TLS_PROTOCOL = "SASL_SSL"


class CredentialsError(RuntimeError):
    """The credentials file is missing, unreadable or lacks the user."""


def credentials_path(root: Path) -> Path:
    return root / CREDENTIALS_FILE


def create_credentials(root: Path, policy: AccessPolicy) -> dict[str, str]:
    """A random password per user (and the controller), written once with mode 0600."""
    passwords = {user: secrets.token_urlsafe(24) for user in [*policy.users, CONTROLLER_USER]}
    path = credentials_path(root)
    with open(path, "x", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
        json.dump(passwords, out, indent=1)
    return passwords


def _write_credentials(root: Path, passwords: dict[str, str]) -> None:
    path = credentials_path(root)
    staged = path.with_suffix(".new")
    staged.unlink(missing_ok=True)
    with open(staged, "x", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
        json.dump(passwords, out, indent=1)
    staged.replace(path)


def add_missing_users(admin: object, root: Path, policy: AccessPolicy) -> list[str]:
    """Users ``access.yaml`` declares that this broker's storage was formatted without (a newer
    declaration, e.g. the `watch` viewer): a random password each, given to the running broker
    as a SCRAM credential (AlterUserScramCredentials) and kept in ``credentials.json``.
    Returns the users added."""
    from kafka.admin import UserScramCredentialUpsertion

    passwords = read_credentials(root)
    missing = [user for user in policy.users if user not in passwords]
    if not missing:
        return []
    added = {user: secrets.token_urlsafe(24) for user in missing}
    errors = admin.alter_user_scram_credentials(  # type: ignore[attr-defined]
        [UserScramCredentialUpsertion(user, MECHANISM, password)
         for user, password in added.items()])
    failed = {user: error for user, error in errors.items() if error}
    if failed:
        raise RuntimeError(f"the broker refused SCRAM credentials for {sorted(failed)}: {failed}")
    _write_credentials(root, {**passwords, **added})
    return missing


def read_credentials(root: Path) -> dict[str, str]:
    try:
        return json.loads(credentials_path(root).read_text())
    except FileNotFoundError:
        raise CredentialsError(f"no {CREDENTIALS_FILE} in {root}: the broker there was not "
                               "started with --secure") from None


def password_of(root: Path, user: str) -> str:
    passwords = read_credentials(root)
    if user not in passwords or user == CONTROLLER_USER:
        known = ", ".join(sorted(set(passwords) - {CONTROLLER_USER}))
        raise CredentialsError(f"no user {user!r} on this broker (users: {known})")
    return passwords[user]


def _jaas(module: str, user: str, password: str, extra: str = "") -> str:
    return f'{module} required username="{user}" password="{password}"{extra};'


def server_settings(passwords: dict[str, str], policy: AccessPolicy) -> dict[str, str]:
    """Broker properties replacing the plain listeners' security settings."""
    controller_password = passwords[CONTROLLER_USER]
    return {
        "listener.security.protocol.map": f"CONTROLLER:{PROTOCOL},CLIENT:{PROTOCOL}",
        "inter.broker.listener.name": "CLIENT",
        "sasl.mechanism.inter.broker.protocol": MECHANISM,
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.client.sasl.enabled.mechanisms": MECHANISM,
        "listener.name.client.scram-sha-512.sasl.jaas.config": _jaas(
            "org.apache.kafka.common.security.scram.ScramLoginModule",
            policy.admin, passwords[policy.admin]),
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": _jaas(
            "org.apache.kafka.common.security.plain.PlainLoginModule",
            CONTROLLER_USER, controller_password,
            f' user_{CONTROLLER_USER}="{controller_password}"'),
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": f"User:{policy.admin};User:{CONTROLLER_USER}",
        "allow.everyone.if.no.acl.found": "false",
    }


def tls_listener_settings(passwords: dict[str, str], policy: AccessPolicy,
                          files: TlsFiles) -> dict[str, str]:
    """The optional SASL_SSL listener (``tls_port``): SCRAM-SHA-512 inside TLS, the same users
    and ACLs as the plain one; the broker's PEM key store is broker/tls.py's."""
    name = TLS_LISTENER.lower()
    return {
        "listener.security.protocol.map":
            f"CONTROLLER:{PROTOCOL},CLIENT:{PROTOCOL},{TLS_LISTENER}:{TLS_PROTOCOL}",
        f"listener.name.{name}.sasl.enabled.mechanisms": MECHANISM,
        f"listener.name.{name}.scram-sha-512.sasl.jaas.config": _jaas(
            "org.apache.kafka.common.security.scram.ScramLoginModule",
            policy.admin, passwords[policy.admin]),
        f"listener.name.{name}.ssl.keystore.type": "PEM",
        f"listener.name.{name}.ssl.keystore.location": str(files.key_store),
        f"listener.name.{name}.ssl.client.auth": "none",
    }


def format_arguments(passwords: dict[str, str], policy: AccessPolicy) -> list[str]:
    """``--add-scram`` arguments for ``kafka-storage format``: every user's SCRAM credential."""
    arguments: list[str] = []
    for user in policy.users:
        arguments += ["--add-scram", f"{MECHANISM}=[name={user},password={passwords[user]}]"]
    return arguments


def client_settings(root: Path, user: str) -> dict[str, object]:
    """kafka-python keyword arguments that authenticate as ``user``."""
    return {"security_protocol": PROTOCOL, "sasl_mechanism": MECHANISM,
            "sasl_plain_username": user, "sasl_plain_password": password_of(root, user)}


def service_environment(root: Path, user: str) -> dict[str, str]:
    """The STREAMML_* settings that make a service authenticate as ``user``."""
    return {"STREAMML_SECURITY_PROTOCOL": PROTOCOL, "STREAMML_SASL_MECHANISM": MECHANISM,
            "STREAMML_SASL_USERNAME": user, "STREAMML_SASL_PASSWORD": password_of(root, user)}


def apply_acls(admin: object, policy: AccessPolicy) -> int:
    """Create every service's and viewer's ACLs (creating an existing ACL is a no-op); returns
    their count."""
    acls = [acl for user, grants in policy.grants_by_user().items()
            for acl in kafka_acls(user, grants)]
    result = admin.create_acls(acls)  # type: ignore[attr-defined]
    failed = result.get("failed") or []
    if failed:
        raise RuntimeError(f"the broker refused {len(failed)} ACLs, e.g. {failed[0]}")
    return len(acls)
