"""Processes under test: start with an environment, wait until they answer, stop gracefully."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import peak_rss_mb
from streamml.broker import embedded
from streamml.demo.support import model_signing_settings

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent
# `sitecustomize` folders that put one earlier runtime default back in a process, so that the
# "before" of a change is measured in the same run as the "after".
PURE_CRC_DIR = Path(__file__).resolve().parent / "pure_crc"  # kafka-python's pure-Python CRC32C
BATCH_16K_DIR = Path(__file__).resolve().parent / "batch16k"  # 16 KiB producer batches
# This checkout's services first on every process's path, before whatever checkout the venv's
# editable install points at (a git worktree shares the venv of another).
SERVICES_DIR = REPO / "services"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Proc:
    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    http_port: int | None = None
    started_at: float = 0.0
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> Proc:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.started_at = time.monotonic()
            self.process = subprocess.Popen(
                self.command, env={**os.environ, **self.env}, cwd=REPO, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_http(self, path: str, timeout_s: float = 120.0) -> float:
        """Seconds from start until ``path`` answers 200 (``/readyz``: ready to do its job)."""
        assert self.http_port is not None
        deadline = time.monotonic() + timeout_s
        url = f"http://127.0.0.1:{self.http_port}{path}"
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return time.monotonic() - self.started_at
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.name}: {path} not ready in {timeout_s:.0f} s; see {self.log_path}")

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.pid)

    def stop(self, timeout_s: float = 30.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


def service(name: str, service_command: str, bootstrap: str, group: str, log_dir: Path,
            settings: dict[str, str] | None = None, site: Path | None = None) -> Proc:
    """A real ``streamml <service>`` process, configured through its environment."""
    port = free_port()
    env = {
        "STREAMML_BOOTSTRAP_SERVERS": bootstrap,
        "STREAMML_GROUP_ID": group,
        "STREAMML_HTTP_PORT": str(port),
        "STREAMML_HTTP_HOST": "127.0.0.1",
        **{f"STREAMML_{key.upper()}": value for key, value in (settings or {}).items()},
    }
    env["PYTHONPATH"] = os.pathsep.join([str(site)] * (site is not None) + [str(SERVICES_DIR)])
    return Proc(name, [str(BIN / "streamml"), service_command], env, log_dir / f"{name}.log",
                http_port=port)


def module(name: str, module_name: str, args: list[str], log_dir: Path,
           site: Path | None = None) -> Proc:
    """A bench-only script run as ``python -m bench.<module> ...``."""
    env = {"PYTHONPATH": os.pathsep.join([str(site)] * (site is not None)
                                         + [str(REPO), str(SERVICES_DIR)])}
    return Proc(name, [sys.executable, "-m", module_name, *args], env, log_dir / f"{name}.log")


def start_fresh_broker(work_dir: Path, port: int) -> embedded.BrokerConfig:
    """A bench broker started in an emptied ``work_dir``, and the model-signing key in this
    process's environment, so every service process it starts inherits it."""
    broker = fresh_broker(work_dir, port)
    embedded.start(broker)
    for setting, value in model_signing_settings(work_dir).items():
        os.environ.setdefault(setting, value)
    return broker


def fresh_broker(work_dir: Path, port: int) -> embedded.BrokerConfig:
    """A bench broker's configuration in an emptied ``work_dir`` (the jars from the cache)."""
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    return embedded.BrokerConfig(
        data_dir=str(work_dir / "broker"),
        cache_dir=os.environ.get("STREAMML_BROKER_CACHE_DIR", str(REPO / ".cache")),
        port=port, controller_port=port + 1)
