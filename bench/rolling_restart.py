"""The pause a rolling restart of three predictors causes, with eager rebalancing and dynamic
members ("before") and with cooperative-sticky rebalancing and static members ("after").

Three real `streamml predictor` processes share a group on a 6-partition copy of
cricket.match-events while a paced generator offers events; each predictor is replaced the way
a Deployment rolls (maxSurge 1, maxUnavailable 0): the new one starts and becomes ready, then
the old one gets SIGTERM, then the next. Latency per event = append time of its prediction
(LogAppendTime) - the event time the generator stamped. Reported: p50/p99/max during the roll
and before it, events delayed by more than 1 s, and whether every event got its prediction.

    python -m bench.rolling_restart --bootstrap 127.0.0.1:19312 --rate 200
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import kafka_io, procs
from bench.measure import percentile
from streamml.contracts.cricket import encode_model, model_headers
from streamml.demo.support import model_signing_settings
from streamml.orchestrator.training import generate_training_samples
from streamml.runtime.clients import make_producer
from streamml.runtime.settings import RuntimeConfig
from streamml.runtime.signing import Signer
from streamml.trainer.config import TrainerConfig
from streamml.trainer.dataset import TrainingWindow
from streamml.trainer.model import build_pipeline

MODES = {
    "before": {"rebalance_protocol": "eager"},
    "after": {"rebalance_protocol": "cooperative-sticky"},  # and static members
}
REPLICAS = 3
DELAYED_MS = 1000


def publish_model(bootstrap: str, topic: str, key: str, signing_key: str) -> None:
    window = TrainingWindow(max_samples=1200, holdout_fraction=0.01)
    for sample in generate_training_samples(1200, 4, seed=11, id_prefix="roll"):
        window.add(sample.match_id, sample, sample.final_score)
    split = window.split()
    model = build_pipeline(TrainerConfig(n_estimators=10, max_depth=10)).fit(
        split.x_train, split.y_train)
    payload = encode_model(key, 1, model, {"r2": 0.5, "mae": 9.0}, 0)
    headers = [*model_headers(1, hashlib.sha256(payload).hexdigest()),
               *Signer.from_file(signing_key).headers(payload)]
    producer = make_producer(RuntimeConfig(bootstrap_servers=bootstrap))
    producer.send(topic, key=key.encode(), value=payload, headers=headers).get(30)
    producer.close()


def _owned(member: dict) -> int:
    """Partitions a described group member owns."""
    assignment = member.get("member_assignment")
    if hasattr(assignment, "partitions"):
        return len(assignment.partitions())
    if isinstance(assignment, dict):
        return sum(len(tp.get("partitions", [])) for tp in assignment.get("assigned_partitions", []))
    return 0


def wait_balanced(bootstrap: str, group: str, members: int, timeout_s: float = 120) -> None:
    """Until the group is Stable with ``members`` members that each own a partition."""
    from streamml.runtime.admin import admin_client

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with admin_client(bootstrap) as admin:
            description = admin.describe_groups([group])[group]
        owners = [m for m in description["members"] if _owned(m)]
        if description["group_state"] == "Stable" and len(owners) == members:
            return
        time.sleep(0.5)
    raise TimeoutError(f"group {group} not balanced over {members} members")


def run_mode(mode: str, args: argparse.Namespace, work: Path) -> dict:
    run = f"{mode}-{uuid.uuid4().hex[:6]}"
    bootstrap = args.bootstrap
    topics = {name: kafka_io.create_like(bootstrap, f"roll.{run}.{name}", template)
              for name, template in (("events", "cricket.match-events"),
                                     ("results", "cricket.match-results"),
                                     ("predictions", "cricket.predictions"),
                                     ("models", "cricket.models"))}
    kafka_io.stamp_on_append(bootstrap, [topics["predictions"]])
    keys = model_signing_settings(work / f"keys-{run}")
    publish_model(bootstrap, topics["models"], "roll", keys["STREAMML_MODEL_SIGNING_KEY"])
    group = f"roll-{run}"
    settings = {"model_key": "roll", "model_trusted_keys": keys["STREAMML_MODEL_TRUSTED_KEYS"],
                "events_topic": topics["events"], "results_topic": topics["results"],
                "predictions_topic": topics["predictions"], "models_topic": topics["models"],
                "log_level": "WARNING", **MODES[mode]}

    def predictor(name: str) -> procs.Proc:
        static = {"group_instance_id": name} if mode == "after" else {}
        return procs.service(name, "predictor", bootstrap, group, work / run,
                             {**settings, **static}).start()

    running = [predictor(f"predictor-{i}-a") for i in range(REPLICAS)]
    for proc in running:
        proc.wait_http("/readyz", 180)
    wait_balanced(bootstrap, group, REPLICAS)
    start = kafka_io.window(bootstrap, topics["predictions"])
    loadgen = procs.module("loadgen", "bench.loadgen", [
        "--bootstrap", bootstrap, "--topic", topics["events"], "--kind", "cricket",
        "--rate", str(args.rate), "--seconds", str(args.seconds), "--prefix", run],
        work / run).start()
    time.sleep(args.warmup)
    roll_started_ms = time.time() * 1000
    for i in range(REPLICAS):
        replacement = predictor(f"predictor-{i}-b")
        replacement.wait_http("/readyz", 180)
        running[i].stop()
        running[i] = replacement
    roll_ended_ms = time.time() * 1000
    loadgen.process.wait(args.seconds * 4 + 120)
    produced = sum(kafka_io.end_offsets(bootstrap, topics["events"]).values())
    caught_up = kafka_io.wait_committed(bootstrap, group, topics["events"], produced, 180)
    end = kafka_io.window(bootstrap, topics["predictions"])
    for proc in running:
        proc.stop()
    records = kafka_io.read_between(bootstrap, start, end)
    timed = []
    for record in records:
        prediction = json.loads(record.value)
        event_ms = prediction["predicted_at_ms"] - prediction["latency_ms"]
        timed.append((event_ms, record.timestamp - event_ms, prediction["event_id"]))
    distinct = {event_id for _, _, event_id in timed}
    during = [lat for t, lat, _ in timed if roll_started_ms <= t <= roll_ended_ms + 5000]
    steady = [lat for t, lat, _ in timed if t < roll_started_ms - 2000]
    return {
        "mode": mode, **MODES[mode], "static_members": mode == "after",
        "rate": args.rate, "events": produced, "predictions": len(timed),
        "events_with_prediction": len(distinct), "caught_up": caught_up,
        "roll_seconds": round((roll_ended_ms - roll_started_ms) / 1000, 1),
        "steady_p50_ms": percentile(steady, 50), "steady_p99_ms": percentile(steady, 99),
        "roll_p50_ms": percentile(during, 50), "roll_p99_ms": percentile(during, 99),
        "roll_max_ms": max(during, default=float("nan")),
        "delayed_over_1s": sum(1 for lat in during if lat > DELAYED_MS),
        "roll_events": len(during),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=90.0, help="generator duration")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds before the roll")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--modes", default="before,after")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="streamml-roll-") as scratch:
        for _ in range(args.runs):
            for mode in args.modes.split(","):
                print(json.dumps(run_mode(mode, args, Path(scratch))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
