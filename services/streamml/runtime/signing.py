"""Ed25519 signatures on model artifacts, checked before an archive is opened.

The publisher signs the exact record value; the signature and the id of the signing key travel
in two record headers. A reader holds one or more trusted public keys (several during a key
rotation) and refuses, in this order: a record without a signature (``unsigned``), one signed
by a key it does not trust (``unknown_key``), one whose signature does not match the bytes
(``bad_signature``: tampered, truncated or re-signed by someone else under a trusted key id).

Keys are PEM files: PKCS#8 private keys, SubjectPublicKeyInfo public keys, as written by
``streamml keys generate`` (or ``openssl genpkey -algorithm ed25519``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from streamml.runtime.artifacts import ArtifactError
from streamml.runtime.config import ConfigError, env_name

HEADER_SIGNATURE = "streamml.signature.ed25519"
HEADER_KEY_ID = "streamml.signature.key-id"
UNSIGNED = "unsigned"
UNKNOWN_KEY = "unknown_key"
BAD_SIGNATURE = "bad_signature"
REASONS = (UNSIGNED, UNKNOWN_KEY, BAD_SIGNATURE)
# Domain separation: a signature made for a model cannot be replayed as any other message.
_CONTEXT = b"streamml.model-artifact.v1\0"
PUBLIC_KEY_SUFFIXES = (".pub", ".pem")


class KeyFileError(ValueError):
    """A key file is missing, unreadable or not an Ed25519 key; the message names the file."""


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the first 16 hex digits of SHA-256 of its raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read the key file ({exc.strerror})") from None


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    path = Path(path)
    try:
        key = serialization.load_pem_private_key(_read(path), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path}: not a PEM private key without password ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 private key ({type(key).__name__})")
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    path = Path(path)
    try:
        key = serialization.load_pem_public_key(_read(path))
    except ValueError as exc:
        raise KeyFileError(f"{path}: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: not an Ed25519 public key ({type(key).__name__})")
    return key


def public_key_files(paths: Iterable[str | Path]) -> list[Path]:
    """Each path is a key file or a directory of them (``*.pub``/``*.pem``, e.g. a mounted
    Secret or ConfigMap with one key per item); hidden entries (Kubernetes' ``..data``) skipped."""
    files: list[Path] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            files.extend(sorted(child for child in entry.iterdir()
                                if child.suffix in PUBLIC_KEY_SUFFIXES
                                and not child.name.startswith(".") and child.is_file()))
        else:
            files.append(entry)
    return files


@dataclass(frozen=True)
class Signer:
    private_key: Ed25519PrivateKey

    @classmethod
    def from_file(cls, path: str | Path) -> Signer:
        return cls(load_private_key(path))

    @property
    def key_id(self) -> str:
        return key_id(self.private_key.public_key())

    def headers(self, payload: bytes) -> tuple[tuple[str, bytes], ...]:
        signature = self.private_key.sign(_CONTEXT + payload)
        return ((HEADER_SIGNATURE, signature.hex().encode()), (HEADER_KEY_ID, self.key_id.encode()))


@dataclass(frozen=True)
class TrustedKeys:
    keys: Mapping[str, Ed25519PublicKey]

    @classmethod
    def from_files(cls, paths: Iterable[str | Path]) -> TrustedKeys:
        keys = {key_id(key): key for key in map(load_public_key, public_key_files(paths))}
        if not keys:
            raise KeyFileError("no trusted public key found in " + ", ".join(map(str, paths)))
        return cls(keys)

    @classmethod
    def of(cls, *public_keys: Ed25519PublicKey) -> TrustedKeys:
        return cls({key_id(key): key for key in public_keys})

    def verify(self, payload: bytes | None, headers: Sequence[tuple[str, bytes]] | None) -> str:
        """Return the id of the key that signed ``payload``; raise ArtifactError otherwise."""
        found = {name: value for name, value in headers or () if name in (HEADER_SIGNATURE, HEADER_KEY_ID)}
        signature_hex, signer = found.get(HEADER_SIGNATURE), found.get(HEADER_KEY_ID)
        if not signature_hex or not signer:
            raise ArtifactError(UNSIGNED, "the record carries no signature headers")
        signer_id = signer.decode("ascii", "replace")
        public_key = self.keys.get(signer_id)
        if public_key is None:
            raise ArtifactError(UNKNOWN_KEY, f"signed by key {signer_id[:32]!r}, trusted: "
                                             + ", ".join(sorted(self.keys)))
        try:
            public_key.verify(bytes.fromhex(signature_hex.decode("ascii")), _CONTEXT + (payload or b""))
        except (InvalidSignature, ValueError, UnicodeDecodeError):
            raise ArtifactError(BAD_SIGNATURE, f"signature does not match the artifact (key {signer_id})") \
                from None
        return signer_id


def signer_from_setting(config: object, field_name: str) -> Signer:
    """The Signer for a config field holding a private-key path; a ConfigError names the variable."""
    try:
        return Signer.from_file(getattr(config, field_name))
    except KeyFileError as exc:
        raise ConfigError(f"{env_name(config, field_name)}: {exc}") from None


def trusted_from_setting(config: object, field_name: str) -> TrustedKeys:
    """The TrustedKeys from a config field listing key files or directories."""
    try:
        return TrustedKeys.from_files(getattr(config, field_name))
    except KeyFileError as exc:
        raise ConfigError(f"{env_name(config, field_name)}: {exc}") from None


def generate(directory: str | Path, name: str) -> tuple[Path, Path, str]:
    """Write ``<name>.key`` (private, mode 0600) and ``<name>.pub``; refuse to overwrite."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / f"{name}.key", directory / f"{name}.pub"
    for path in (private_path, public_path):
        if path.exists():
            raise KeyFileError(f"{path} exists; refusing to overwrite a key")
    private_key = Ed25519PrivateKey.generate()
    private_pem = private_key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())
    public_pem = private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    with open(private_path, "xb", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
        out.write(private_pem)
    public_path.write_bytes(public_pem)
    return private_path, public_path, key_id(private_key.public_key())
