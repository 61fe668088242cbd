"""The chart's dashboards and alert rules against the real services and a real Prometheus.

Both workflows run as local processes on the test broker (the images' entrypoints, the
chart's settings), a Debian `prometheus` scrapes them every second and evaluates the chart's
PrometheusRule. Then:
- every metric named in a dashboard or a rule is exported by the running services;
- every dashboard query and every alert's signal returns finite data;
- every rule evaluates without error, and the dead-letter alert trips on real dead letters.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import shutil
import time
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import produce, wait_for
from tests.k8s.conftest import CHART, of_kind
from tests.k8s.pipeline import LIVENESS_STALL_S, LivenessProber, Pod, start_pipeline, stop_pipeline
from tests.k8s.prometheus import Prometheus
from tests.prerequisites import missing

pytestmark = pytest.mark.broker

METRIC = re.compile(r"\b(streamml_[a-z0-9_]+)\b")
# `<signal> <comparison> <threshold>`, the shape every alert of the chart has.
ALERT = re.compile(r"^(?P<signal>.+?)\s*(?:>|<|==|!=|>=|<=)\s*-?[0-9.]+\s*$", re.S)
RATE_INTERVAL = "30s"


def dashboard_queries() -> dict[str, str]:
    queries = {}
    for path in sorted((CHART / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"].replace("$__rate_interval", RATE_INTERVAL)
                queries[f"{path.stem}: {panel['title']} [{target['refId']}]"] = expr
    return queries


@pytest.fixture(scope="module")
def rule_groups(render) -> list[dict]:
    (rule,) = of_kind(render(), "PrometheusRule")
    return rule["spec"]["groups"]


def alert_signals(groups: list[dict]) -> dict[str, str]:
    signals = {}
    for group in groups:
        for rule in group["rules"]:
            match = ALERT.match(rule["expr"])
            assert match, f"{rule['alert']}: not `<signal> <op> <threshold>`: {rule['expr']}"
            signals[rule["alert"]] = match.group("signal")
    return signals


def test_rules_pass_promtool(rule_groups, tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        missing("promtool is not installed: it comes with Debian's prometheus "
                "(make prometheus-server, as root)")
    rules = tmp_path / "rules.yaml"
    import yaml
    rules.write_text(yaml.safe_dump({"groups": rule_groups}))
    result = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_required_alerts_exist(rule_groups):
    alerts = set(alert_signals(rule_groups))
    assert {"StreammlConsumerLagGrowing", "StreammlNoPredictions", "StreammlDeadLetters",
            "StreammlModelStale", "StreammlAnomalyRateSpike"} <= alerts


@pytest.fixture(scope="module")
def pipeline(broker, tmp_path_factory) -> list[Pod]:
    run_id = uuid.uuid4().hex[:8]
    pods = start_pipeline(broker, run_id, tmp_path_factory.mktemp("pipeline"))
    try:
        # Inputs no service can process: the dead-letter metrics and alert need real ones.
        for topic in ("cricket.match-events", "weather.readings"):
            produce(broker, topic, [(f"bad-{run_id}-{i}".encode(), body) for i, body in
                                    enumerate([b"not json", b'{"schema_version": 1}'])])
        yield pods
    finally:
        stop_pipeline(pods)


@pytest.fixture(scope="module")
def prober(pipeline) -> LivenessProber:
    import yaml

    liveness = yaml.safe_load((CHART / "values.yaml").read_text())["common"]["probes"]["liveness"]
    probe = LivenessProber(pipeline, failure_threshold=liveness["failureThreshold"]).start()
    yield probe
    probe.stop()


@pytest.fixture(scope="module")
def prometheus(pipeline, rule_groups, tmp_path_factory) -> Prometheus:
    if shutil.which("prometheus") is None:
        missing("prometheus is not installed: Debian's prometheus (make prometheus-server, "
                "as root)")
    targets = {pod.name: (pod.service, pod.http_port) for pod in pipeline}
    server = Prometheus(tmp_path_factory.mktemp("prometheus"), targets, rule_groups).start()
    yield server
    server.stop()


def _logs(pods: list[Pod]) -> str:
    return "\n".join(f"--- {pod.name} (exit {pod.process.poll()})\n"
                     + pod.log.read_text()[-1500:] for pod in pods)


def _finite(result: list[dict]) -> bool:
    return any(math.isfinite(float(sample["value"][1])) for sample in result)


def test_dashboard_and_alert_queries_return_data(pipeline, prober, prometheus, rule_groups):
    queries = dashboard_queries()
    queries.update({f"alert {name}": expr for name, expr in alert_signals(rule_groups).items()})
    pending = dict(queries)
    deadline = time.monotonic() + 300
    while pending and time.monotonic() < deadline:
        for key, expr in list(pending.items()):
            if _finite(prometheus.query(expr)):
                del pending[key]
        time.sleep(2)
    assert not pending, ("queries without data after 5 minutes:\n"
                         + "\n".join(f"{k}: {v}" for k, v in pending.items())
                         + "\n" + _logs(pipeline))
    # A target is "up" if its last scrape (1 s timeout) answered: wait, a loaded machine may
    # have let one scrape time out.
    assert wait_for(lambda: prometheus.targets_up() == len(pipeline), timeout_s=60), \
        prometheus.targets()


def test_every_metric_in_dashboards_and_rules_is_exported(pipeline, prometheus, rule_groups):
    # After the queries returned data every service has exported all it will; scrape directly.
    exported: set[str] = set()
    for pod in pipeline:
        for family in text_string_to_metric_families(pod.metrics()):
            exported.update(sample.name for sample in family.samples)
    expressions = list(dashboard_queries().values())
    expressions += [rule["expr"] for group in rule_groups for rule in group["rules"]]
    named = {name for expr in expressions for name in METRIC.findall(expr)}
    assert named and not named - exported, f"not exported by any service: {named - exported}"


def test_rules_evaluate_and_the_dead_letter_alert_trips(prometheus):
    def dead_letter_alert_active() -> bool:
        rules = {rule["name"]: rule for rule in prometheus.rules()}
        return rules["StreammlDeadLetters"]["state"] in ("pending", "firing")

    rules = {rule["name"]: rule for rule in prometheus.rules()}
    assert wait_for(dead_letter_alert_active, timeout_s=60), (
        rules["StreammlDeadLetters"], prometheus.query("streamml_dead_letters_total"),
        prometheus.query(rules["StreammlDeadLetters"]["query"]))
    for rule in prometheus.rules():
        assert rule["health"] == "ok", (rule["name"], rule.get("lastError"))


def test_status_summary_of_the_running_services(pipeline, prometheus):
    """`streamml status` throughput and lag, computed from the services' own /metrics."""
    from streamml.status.summary import parse, summarize

    pods = {pod.name: pod.service for pod in pipeline}
    before = {pod.name: parse(pod.metrics()) for pod in pipeline}
    time.sleep(3)
    after = {pod.name: parse(pod.metrics()) for pod in pipeline}
    statuses = {s.service: s for s in summarize(pods, before, after, 3.0)}
    assert set(statuses) == {"orchestrator", "trainer", "predictor", "sensors", "detector"}
    assert statuses["predictor"].pods == 2
    assert statuses["sensors"].produced_per_s > 0
    assert statuses["detector"].consumed_per_s > 0
    assert statuses["detector"].produced_per_s > 0, "anomalies flagged"
    assert statuses["predictor"].dead_letters >= 1
    assert all(status.lag >= 0 for status in statuses.values())





@pytest.mark.parametrize("service", ["trainer", "predictor", "detector", "orchestrator", "sensors"])
def test_liveness_holds_past_the_stall_window(pipeline, prober, service):
    """The chart's liveness probe polls /healthz: a working service must stay live."""
    pods = [pod.name for pod in pipeline if pod.service == service]
    assert wait_for(lambda: all(name in prober.first_live for name in pods), timeout_s=120)
    deadline = max(prober.first_live[name] for name in pods) + LIVENESS_STALL_S + 15
    time.sleep(max(0.0, deadline - time.monotonic()))
    for name in pods:
        failures = prober.failures[name][:3]
        assert not failures, f"{name}: /healthz failed (s after first live, status): {failures}"
