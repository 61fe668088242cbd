"""Both workflows as real service processes on the test broker, the way the chart runs them:
one process per pod, configured by STREAMML_* variables, each with its own HTTP port.

Each service binds port 0 and logs the port the OS gave it: a port picked beforehand and
released could be taken in between by any process on this shared machine (even as the local
port of an outgoing connection), and the service would then fail to start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO
from tests.helpers import logged_http_port, wait_for

# Shorter than the services' default, so a test can outwait it.
LIVENESS_STALL_S = 60
STREAMML = str(Path(sys.executable).parent / "streamml")

# Sped-up settings; everything else is each service's default (as in the chart).
PODS = {
    "orchestrator-0": ("orchestrator", {"TRAINING_SAMPLES": 3000, "BALL_INTERVAL_S": 0.02,
                                        "CONCURRENT_MATCHES": 4}),
    "trainer-0": ("trainer", {"MIN_SAMPLES": 500, "MAX_TRAIN_DELAY_S": 2}),
    "predictor-0": ("predictor", {}),
    "predictor-1": ("predictor", {}),
    "sensors-0": ("sensors", {"SENSORS": 6, "RATE_HZ": 20, "ANOMALY_RATE": 0.05}),
    "detector-0": ("detector", {"WARMUP": 20, "REFIT_EVERY": 10}),
}


@dataclass
class Pod:
    name: str
    service: str
    process: subprocess.Popen
    log: Path
    started: float
    _port: int | None = None

    @property
    def http_port(self) -> int | None:
        """The port the service logged (None until it has started its HTTP server)."""
        if self._port is None:
            self._port = logged_http_port(self.log)
        return self._port

    def get(self, path: str) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}{path}",
                                        timeout=3) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0

    def metrics(self) -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics",
                                        timeout=5) as response:
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return ""


def start_pipeline(bootstrap: str, run_id: str, log_dir: Path,
                   start_timeout_s: float = 180.0) -> list[Pod]:
    """Start every pod and wait until each has logged its HTTP port."""
    pods = []
    for name, (service, settings) in PODS.items():
        # INFO: the `started` line names the HTTP port.
        env = dict(os.environ, STREAMML_BOOTSTRAP_SERVERS=bootstrap,
                   STREAMML_HTTP_PORT="0", STREAMML_LOG_LEVEL="INFO",
                   STREAMML_GROUP_ID=f"k8s-{run_id}-{service}",
                   STREAMML_CLIENT_ID=name,
                   STREAMML_LIVENESS_STALL_S=str(LIVENESS_STALL_S))
        if service == "orchestrator":
            env["STREAMML_RUN_ID"] = run_id
        env.update({f"STREAMML_{key}": str(value) for key, value in settings.items()})
        log = log_dir / f"{name}.log"
        with log.open("w") as output:
            process = subprocess.Popen([STREAMML, service], cwd=REPO, env=env,
                                       stdout=output, stderr=subprocess.STDOUT)
        pods.append(Pod(name, service, process, log, time.monotonic()))

    def listening() -> bool:
        exited = [pod for pod in pods if pod.process.poll() is not None]
        assert not exited, "exited while starting:\n" + "\n".join(
            f"--- {pod.name}\n{pod.log.read_text()[-1500:]}" for pod in exited)
        return all(pod.http_port is not None for pod in pods)

    if not wait_for(listening, timeout_s=start_timeout_s, every_s=0.5):
        stop_pipeline(pods)
        raise AssertionError(f"no HTTP port logged within {start_timeout_s:.0f} s by "
                             + ", ".join(pod.name for pod in pods if pod.http_port is None))
    return pods


def stop_pipeline(pods: list[Pod]) -> None:
    for pod in pods:
        if pod.process.poll() is None:
            pod.process.send_signal(signal.SIGTERM)
    for pod in pods:
        try:
            pod.process.wait(30)
        except subprocess.TimeoutExpired:
            pod.process.kill()
            pod.process.wait()


class LivenessProber:
    """Polls every pod's /healthz like the kubelet's liveness probe, in the background.

    A failure is what would make the kubelet restart the pod: /healthz answering an error (the
    service reports its loop stalled), or ``failure_threshold`` probes in a row unanswered
    (the chart's livenessProbe.failureThreshold). One probe timing out on a loaded machine is
    neither a restart in Kubernetes nor a failure here."""

    def __init__(self, pods: list[Pod], period_s: float = 2.0,
                 failure_threshold: int = 3) -> None:
        self._pods = pods
        self._period_s = period_s
        self._failure_threshold = failure_threshold
        self._unanswered: dict[str, int] = {pod.name: 0 for pod in pods}
        self.first_live: dict[str, float] = {}
        self.failures: dict[str, list[tuple[float, int]]] = {pod.name: [] for pod in pods}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="prober")

    def start(self) -> LivenessProber:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(self._period_s):
            for pod in self._pods:
                self.record(pod.name, pod.get("/healthz"), time.monotonic())

    def record(self, name: str, status: int, now: float) -> None:
        """One probe's answer: ``status`` 0 when none came within the timeout."""
        unanswered = self._unanswered[name] = self._unanswered[name] + 1 if status == 0 else 0
        if status == 200:
            self.first_live.setdefault(name, now)
        elif name in self.first_live and (status != 0 or unanswered >= self._failure_threshold):
            self.failures[name].append((now - self.first_live[name], status))