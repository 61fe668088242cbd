"""The embedded default: a real single-node KRaft Apache Kafka broker run as a local process.

Jars come from Maven Central through ``pom.xml`` beside this file and are cached, so a
second ``start`` works offline. Everything the broker writes lives in ``data_dir``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from streamml.broker import security, tls
from streamml.runtime.access import load_access
from streamml.runtime.config import require

KAFKA_VERSION = "4.3.1"
POM = Path(__file__).with_name("pom.xml")
_LOG_TAIL_LINES = 20


class BrokerError(RuntimeError):
    """A one-line, user-facing reason why the broker cannot be started or reached."""


@dataclass(frozen=True)
class BrokerConfig:
    ENV_PREFIX = "STREAMML_BROKER_"

    data_dir: str = str(Path.home() / ".local" / "share" / "streamml" / "broker")
    cache_dir: str = str(Path.home() / ".cache" / "streamml")
    host: str = "127.0.0.1"
    port: int = 9092
    controller_port: int = 9093
    start_timeout_s: float = 60.0
    heap: str = "768m"
    java: str = "java"
    # SASL/SCRAM-SHA-512, the standard authorizer and the ACLs of access.yaml (broker/security.py).
    secure: bool = False
    # Secure only: a second client listener with TLS (SASL_SSL) on this port, its certificate
    # from a CA made for this data directory (broker/tls.py); 0: none.
    tls_port: int = 0

    def validate(self) -> None:
        require(self, 0 < self.port < 65536, "port", f"{self.port} is not a TCP port")
        require(self, 0 < self.controller_port < 65536, "controller_port", "not a TCP port")
        require(self, self.port != self.controller_port, "controller_port", "must differ from port")
        require(self, self.start_timeout_s > 0, "start_timeout_s", "must be positive")
        require(self, 0 <= self.tls_port < 65536, "tls_port", f"{self.tls_port} is not a TCP port")
        require(self, not self.tls_port or self.secure, "tls_port", "needs secure (SASL_SSL)")
        require(self, self.tls_port not in (self.port, self.controller_port), "tls_port",
                "must differ from port and controller_port")

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def libs_dir(self) -> Path:
        return Path(self.cache_dir) / f"kafka-{KAFKA_VERSION}" / "libs"

    @property
    def root(self) -> Path:
        return Path(self.data_dir)

    @property
    def pid_file(self) -> Path:
        return self.root / "broker.pid"

    @property
    def log_file(self) -> Path:
        return self.root / "broker.log"


def java_major_version(java: str) -> int:
    try:
        probe = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        raise BrokerError(f"Java 17+ is required to run Kafka, but '{java}' was not found") from None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', probe.stderr + probe.stdout)
    if not match:
        raise BrokerError(f"could not read the Java version from '{java} -version'")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def ensure_jars(config: BrokerConfig) -> Path:
    """Resolve Kafka's jars with Maven once; later calls use the cache and need no network."""
    libs = config.libs_dir
    if libs.is_dir() and any(libs.glob(f"kafka_2.13-{KAFKA_VERSION}.jar")):
        return libs
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BrokerError(f"Kafka jars are not cached in {libs} and Maven ('mvn') is not installed")
    staging = libs.with_name("libs.partial")
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}", "-DincludeScope=runtime",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stdout + result.stderr).strip().splitlines()[-5:]
        raise BrokerError("Maven could not resolve the Kafka jars: " + " | ".join(last))
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    return libs


def server_properties(config: BrokerConfig, passwords: dict[str, str] | None = None) -> str:
    """The broker's configuration; with ``passwords`` (secure mode) every listener authenticates."""
    client = "CLIENT" if config.secure else "PLAINTEXT"
    listeners = f"{client}://{config.host}:{config.port},CONTROLLER://{config.host}:{config.controller_port}"
    if config.secure and config.tls_port:
        listeners += f",{security.TLS_LISTENER}://{config.host}:{config.tls_port}"
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.bootstrap.servers": f"{config.host}:{config.controller_port}",
        "listeners": listeners,
        "advertised.listeners": listeners,
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(config.root / "kraft-logs"),
        # Topics come from the catalog only, so a typo in a topic name fails loudly.
        "auto.create.topics.enable": "false",
        "num.partitions": "6",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "5",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "log.retention.hours": "24",
    }
    if config.secure:
        if passwords is None:
            raise ValueError("a secure broker's properties need its passwords")
        settings.update(security.server_settings(passwords, load_access()))
        if config.tls_port:
            settings.update(security.tls_listener_settings(
                passwords, load_access(), tls.tls_files(config.root)))
    return "".join(f"{key}={value}\n" for key, value in settings.items())


LOG4J2_PROPERTIES = """\
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRefs = stdout
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.controller.name = org.apache.kafka.controller
logger.controller.level = WARN
logger.log.name = org.apache.kafka.storage.internals.log
logger.log.level = WARN
"""


def read_pid(config: BrokerConfig) -> int | None:
    try:
        pid = int(config.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def port_answers(host: str, port: int, timeout_s: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def log_tail(config: BrokerConfig, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        return "\n".join(config.log_file.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no broker log)"


def _java_command(config: BrokerConfig, libs: Path, main: str, *args: str) -> list[str]:
    return [
        config.java,
        f"-Xmx{config.heap}",
        "-Xms128m",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={config.root / 'log4j2.properties'}",
        "-cp",
        f"{libs}/*",
        main,
        *args,
    ]


def _format_storage(config: BrokerConfig, libs: Path, properties: Path,
                    passwords: dict[str, str] | None) -> None:
    if (config.root / "kraft-logs" / "meta.properties").exists():
        return
    cluster_id = subprocess.run(
        _java_command(config, libs, "kafka.tools.StorageTool", "random-uuid"),
        capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]
    result = subprocess.run(
        _java_command(
            config, libs, "kafka.tools.StorageTool",
            "format", "--standalone", "-t", cluster_id, "-c", str(properties),
            *(security.format_arguments(passwords, load_access()) if passwords else ()),
        ),
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise BrokerError("formatting Kafka storage failed: " + result.stderr.strip()[-300:])


def admin_settings(config: BrokerConfig) -> dict[str, object]:
    """kafka-python security settings of the broker's admin (none for a plain broker)."""
    return security.client_settings(config.root, load_access().admin) if config.secure else {}


def _wait_until_answers(config: BrokerConfig, process: subprocess.Popen) -> None:
    from streamml.runtime.admin import admin_client

    deadline = time.monotonic() + config.start_timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrokerError(
                f"Kafka exited with code {process.returncode} while starting; last log lines:\n"
                + log_tail(config)
            )
        if port_answers(config.host, config.port):
            try:
                with admin_client(config.bootstrap, timeout_ms=5000,
                                  security=admin_settings(config)) as admin:
                    admin.describe_cluster()
                    if config.secure:
                        security.add_missing_users(admin, config.root, load_access())
                        security.apply_acls(admin, load_access())
                return
            except Exception:  # noqa: BLE001 - any failure here means "not yet"
                pass
        time.sleep(0.5)
    process.terminate()
    raise BrokerError(
        f"Kafka did not answer on {config.bootstrap} within {config.start_timeout_s:.0f} s; "
        "last log lines:\n" + log_tail(config)
    )


def start(config: BrokerConfig) -> str:
    """Start the broker unless it already runs; return the bootstrap address."""
    if read_pid(config) is not None and port_answers(config.host, config.port):
        return config.bootstrap
    major = java_major_version(config.java)
    if major < 17:
        raise BrokerError(f"Kafka {KAFKA_VERSION} needs Java 17+, but '{config.java}' is Java {major}")
    for port in (config.port, config.controller_port, config.tls_port):
        if port and port_answers(config.host, port):
            raise BrokerError(f"port {config.host}:{port} is already in use by another process")
    libs = ensure_jars(config)
    config.root.mkdir(parents=True, exist_ok=True)
    passwords = _passwords(config)
    if config.secure and config.tls_port:
        tls.ensure_certificates(config.root, config.host)
    properties = config.root / "server.properties"
    properties.unlink(missing_ok=True)
    with open(properties, "x", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
        out.write(server_properties(config, passwords))  # holds passwords when secure
    (config.root / "log4j2.properties").write_text(LOG4J2_PROPERTIES)
    _format_storage(config, libs, properties, passwords)
    with config.log_file.open("ab") as log:
        process = subprocess.Popen(
            _java_command(config, libs, "kafka.Kafka", str(properties)),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    config.pid_file.write_text(str(process.pid))
    _wait_until_answers(config, process)
    return config.bootstrap


def _passwords(config: BrokerConfig) -> dict[str, str] | None:
    """The secure broker's passwords (created with its storage); None for a plain broker.
    A data directory keeps the mode it was formatted in: SCRAM users exist only from then on."""
    formatted = (config.root / "kraft-logs" / "meta.properties").exists()
    has_credentials = security.credentials_path(config.root).exists()
    if formatted and has_credentials != config.secure:
        mode = "secure" if has_credentials else "plain"
        raise BrokerError(f"{config.root} holds a {mode} broker; use another data directory "
                          "(STREAMML_BROKER_DATA_DIR) or remove it")
    if not config.secure:
        return None
    if has_credentials:
        return security.read_credentials(config.root)
    return security.create_credentials(config.root, load_access())


def stop(config: BrokerConfig, timeout_s: float = 30.0) -> bool:
    """Stop the broker cleanly (SIGTERM, then SIGKILL after ``timeout_s``); False if not running."""
    pid = read_pid(config)
    if pid is None:
        config.pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and read_pid(config) is not None:
        _reap(pid)
        time.sleep(0.2)
    if read_pid(config) is not None:
        os.kill(pid, signal.SIGKILL)
        _reap(pid)
    config.pid_file.unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    """Collect the broker's exit status when this process started it (tests do)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def running_version(config: BrokerConfig) -> str | None:
    """The version the running broker logged at start-up (AppInfoParser's 'Kafka version')."""
    versions = re.findall(r"Kafka version: (\S+)", config.log_file.read_text(errors="replace")) \
        if config.log_file.exists() else []
    return versions[-1] if versions else None
