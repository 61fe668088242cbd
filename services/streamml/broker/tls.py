"""TLS for the secure embedded broker's optional second listener (SASL_SSL), the way Strimzi's
TLS listeners look to a client: a private CA, and a broker certificate whose SANs hold the
advertised address (IP 127.0.0.1, DNS localhost), so clients check the hostname against the CA.

Both are made once per data directory with ``cryptography`` and kept beside the broker's data:
``tls/ca.crt`` (what clients trust, STREAMML_SSL_CAFILE) and ``tls/broker.pem`` (private key and
certificate chain, Kafka's PEM key store; mode 0600).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

VALID_DAYS = 365


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    key_store: Path


def tls_files(root: Path) -> TlsFiles:
    return TlsFiles(root / "tls" / "ca.crt", root / "tls" / "broker.pem")


def ensure_certificates(root: Path, host: str) -> TlsFiles:
    """The CA and broker certificate of ``root``, made on first use."""
    files = tls_files(root)
    if files.ca_file.exists() and files.key_store.exists():
        return files
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "streamml embedded broker CA")])
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        names.append(x509.DNSName(host))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "streamml-broker")]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    files.ca_file.parent.mkdir(parents=True, exist_ok=True)
    files.key_store.unlink(missing_ok=True)
    with open(files.key_store, "xb", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
        out.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
        out.write(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    files.ca_file.write_bytes(ca_cert.public_bytes(pem))
    return files
