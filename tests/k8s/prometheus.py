"""A real Prometheus server (Debian's `prometheus`) scraping local service processes and
evaluating the chart's alert rules, for the offline monitoring checks.

It listens on port 0 and its log names the port it got (a port picked beforehand could be
taken by another process on this shared machine before Prometheus binds it)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml



LISTENING = re.compile(r'msg="Listening on" address=\S+:(\d+)')
# Generous: a loaded machine slows Prometheus' start and its answers, never a reason to fail.
START_TIMEOUT_S = 120
API_TIMEOUT_S = 30


class Prometheus:
    def __init__(self, workdir: Path, targets: dict[str, tuple[str, int]],
                 rule_groups: list[dict]) -> None:
        self.port = 0  # known once started
        self._workdir = workdir
        rules = workdir / "rules.yaml"
        rules.write_text(yaml.safe_dump({"groups": rule_groups}))
        self.rules_file = rules
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(rules)],
            "scrape_configs": [{
                "job_name": "streamml",
                "static_configs": [
                    {"targets": [f"127.0.0.1:{port}"], "labels": {"pod": pod, "app": service}}
                    for pod, (service, port) in targets.items()
                ],
            }],
        }
        self.config_file = workdir / "prometheus.yml"
        self.config_file.write_text(yaml.safe_dump(config))
        self._process: subprocess.Popen | None = None

    def start(self) -> Prometheus:
        binary = shutil.which("prometheus")
        if binary is None:
            raise RuntimeError("Prometheus is missing: `make prometheus-server` installs it")
        self._log = (self._workdir / "prometheus.log").open("w")
        self._process = subprocess.Popen(
            [binary, f"--config.file={self.config_file}",
             f"--storage.tsdb.path={self._workdir / 'data'}",
             "--web.listen-address=127.0.0.1:0"],
            stdout=self._log, stderr=subprocess.STDOUT)
        log = self._workdir / "prometheus.log"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if not self.port:
                found = LISTENING.search(log.read_text(errors="replace"))
                if found is None:
                    if self._process.poll() is not None:
                        break
                    time.sleep(0.5)
                    continue
                self.port = int(found.group(1))
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2):
                    return self
            except OSError:
                if self._process.poll() is not None:
                    break
                time.sleep(0.5)
        raise RuntimeError("Prometheus did not start:\n"
                           + (self._workdir / "prometheus.log").read_text()[-2000:])

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(30)
        self._log.close()

    def _api(self, path: str, **params: str) -> dict:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=API_TIMEOUT_S) as response:
            body = json.load(response)
        if body.get("status") != "success":
            raise RuntimeError(f"{path} {params}: {body}")
        return body["data"]

    def query(self, expr: str) -> list[dict]:
        return self._api("query", query=expr)["result"]

    def rules(self) -> list[dict]:
        return [rule for group in self._api("rules")["groups"] for rule in group["rules"]]

    def targets(self) -> list[dict]:
        return self._api("targets")["activeTargets"]

    def targets_up(self) -> int:
        return sum(1 for target in self.targets() if target["health"] == "up")
