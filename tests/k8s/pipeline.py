"""Both workflows as real service processes on the test broker, the way the chart runs them:
one process per pod, configured by STREAMML_* variables, each with its own HTTP port."""

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
from tests.helpers import free_port

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
    http_port: int
    process: subprocess.Popen
    log: Path
    started: float

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


def start_pipeline(bootstrap: str, run_id: str, log_dir: Path) -> list[Pod]:
    pods = []
    for name, (service, settings) in PODS.items():
        port = free_port()
        env = dict(os.environ, STREAMML_BOOTSTRAP_SERVERS=bootstrap,
                   STREAMML_HTTP_PORT=str(port), STREAMML_LOG_LEVEL="WARNING",
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
        pods.append(Pod(name, service, port, process, log, time.monotonic()))
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
    """Polls every pod's /healthz like the kubelet's liveness probe, in the background."""

    def __init__(self, pods: list[Pod], period_s: float = 2.0) -> None:
        self._pods = pods
        self._period_s = period_s
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
                status = pod.get("/healthz")
                now = time.monotonic()
                if status == 200:
                    self.first_live.setdefault(pod.name, now)
                elif pod.name in self.first_live:
                    self.failures[pod.name].append((now - self.first_live[pod.name], status))
