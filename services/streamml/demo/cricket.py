"""The cricket demo (orchestration), end to end on a running broker.

Trainer and predictor run as their own processes through the real `streamml trainer` and
`streamml predictor` entrypoints; `streamml orchestrator` publishes the training set, waits
for the trainer's model, plays the matches and exits. This script only watches the
model-status, predictions and match-results topics and prints what happens.

Each run has its own id: fresh consumer groups that start at the current end of their input
topics, its own model key and match ids, so reruns against the same broker see only their own
data. At the end the run's newest model is promoted to the default key (``cricket-score``) and
the run's key is deleted with a tombstone, so that a `streamml predictor` started by hand
afterwards serves at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

from streamml.contracts.cricket import (
    DEFAULT_MODEL_KEY, CricketModel, MatchResult, ModelStatus, Prediction, decode_model,
    encode_model, header_version, model_headers)
from streamml.runtime.artifacts import ArtifactError
from streamml.runtime.clients import connection_settings, make_producer
from streamml.runtime.model_topic import TopicFollower
from streamml.runtime.settings import KafkaConnection, RuntimeConfig
from streamml.runtime.signing import Signer
from streamml.runtime.messages import DecodeError, decode
from streamml.demo.support import (
    DemoKafka, Offsets, end_offsets, free_port, model_signing_settings, spawn_service,
    start_group_at, stop_service)

TRAINING_TOPIC = "cricket.training-data"
EVENTS_TOPIC = "cricket.match-events"
RESULTS_TOPIC = "cricket.match-results"
PREDICTIONS_TOPIC = "cricket.predictions"
MODELS_TOPIC = "cricket.models"
STATUS_TOPIC = "cricket.model-status"

MATCHES = 4
TRAINING_SAMPLES = 6000
BALL_INTERVAL_S = 0.04
SEED = 42
TIMEOUT_S = 150.0
LATE_FROM_OVER = 14.0  # the 15th over starts after 14 overs
TARGET_ALL, TARGET_LATE = 15.0, 8.0


def overs(current_over: float) -> str:
    """Decimal overs (balls / 6) in cricket notation: 14.5 -> '14.3'."""
    balls = round(current_over * 6)
    return f"{balls // 6}.{balls % 6}"


@dataclass
class MatchView:
    predictions: dict[str, Prediction] = field(default_factory=dict)
    result: MatchResult | None = None
    reported: bool = False

    def errors(self) -> list[tuple[float, float]]:
        assert self.result is not None
        return [(p.current_over, abs(p.predicted_final_score - self.result.final_score))
                for p in self.predictions.values()]

    @property
    def complete(self) -> bool:
        return self.result is not None and len(self.predictions) >= self.result.balls


@dataclass
class Board:
    """What the demo has seen, printed ball by ball as all matches report each ball."""

    matches: dict[str, MatchView] = field(default_factory=dict)
    by_ball: dict[int, dict[str, Prediction]] = field(default_factory=dict)
    statuses: list[ModelStatus] = field(default_factory=list)
    next_ball: int = 1
    version_in_use: int | None = None

    def view(self, match_id: str) -> MatchView:
        if match_id not in self.matches:
            self.matches[match_id] = MatchView()
        return self.matches[match_id]

    def label(self, match_id: str) -> str:
        return chr(ord("A") + sorted(self.matches).index(match_id))

    def add_prediction(self, prediction: Prediction) -> None:
        self.view(prediction.match_id).predictions[prediction.event_id] = prediction
        ball = round(prediction.current_over * 6)
        self.by_ball.setdefault(ball, {})[prediction.match_id] = prediction

    def add_result(self, result: MatchResult) -> None:
        self.view(result.match_id).result = result

    def print_ready_lines(self, flush: bool = False) -> None:
        while self.next_ball <= 120:
            finished_before = sum(1 for m in self.matches.values()
                                  if m.result is not None and m.result.balls < self.next_ball)
            row = self.by_ball.get(self.next_ball, {})
            if len(row) < MATCHES - finished_before and not flush:
                break
            if not row and flush:
                break
            self._print_row(row)
            self.next_ball += 1
        for match_id, match in sorted(self.matches.items()):
            if match.complete and not match.reported and match.result.balls < self.next_ball:
                self._print_match_end(self.label(match_id), match)

    def _print_row(self, row: dict[str, Prediction]) -> None:
        versions = {p.model_version for p in row.values()}
        for version in sorted(versions):
            if self.version_in_use is None or version > self.version_in_use:
                self.version_in_use = version
                print(f"  -- predictions now from model v{version}", flush=True)
        cells = []
        for match_id, match in sorted(self.matches.items()):
            prediction = row.get(match_id)
            if prediction is None:
                cells.append(f"{self.label(match_id)} {'':>17}")
            else:
                cells.append(f"{self.label(match_id)} {prediction.current_score:>3}/{prediction.wickets:<2}"
                             f" -> {prediction.predicted_final_score:>5.0f}")
        print(f"  {overs(self.next_ball / 6):>5} ov | " + " | ".join(cells), flush=True)

    def _print_match_end(self, label: str, match: MatchView) -> None:
        match.reported = True
        result = match.result
        assert result is not None
        errors = match.errors()
        late = [error for over, error in errors if over > LATE_FROM_OVER]
        late_text = f"{statistics.fmean(late):.1f}" if late else "n/a"
        print(f"  == match {label} finished: {result.final_score}/{result.wickets} in "
              f"{overs(result.balls / 6)} overs; prediction error over its {len(errors)} balls: "
              f"{statistics.fmean(e for _, e in errors):.1f} runs on average "
              f"(from the 15th over: {late_text})", flush=True)


def run(kafka: DemoKafka) -> int:
    connection = kafka.connection
    run_id = uuid.uuid4().hex[:8]
    started = time.monotonic()
    model_key = f"cricket-score-demo-{run_id}"
    match_prefix = f"demo-{run_id}"
    trainer_group = f"streamml-trainer-demo-{run_id}"
    predictor_group = f"streamml-predictor-demo-{run_id}"
    inputs = {topic: end_offsets(connection, topic)
              for topic in (TRAINING_TOPIC, EVENTS_TOPIC, RESULTS_TOPIC)}
    start_group_at(connection, trainer_group,
                   {**inputs[TRAINING_TOPIC], **inputs[EVENTS_TOPIC], **inputs[RESULTS_TOPIC]})
    start_group_at(connection, predictor_group,
                   {**inputs[EVENTS_TOPIC], **inputs[RESULTS_TOPIC]})
    watched = {**end_offsets(connection, STATUS_TOPIC),
               **end_offsets(connection, PREDICTIONS_TOPIC),
               **end_offsets(connection, RESULTS_TOPIC)}
    logs = Path(tempfile.mkdtemp(prefix=f"streamml-cricket-{run_id}-"))
    print(f"cricket: {TRAINING_SAMPLES} training samples, then {MATCHES} concurrent T20 matches "
          f"(seed {SEED}, a ball every {BALL_INTERVAL_S} s); run {run_id}, logs in {logs}",
          flush=True)
    # A key pair for this run unless the caller configured one.
    signing = {} if "STREAMML_MODEL_SIGNING_KEY" in os.environ else model_signing_settings(logs)
    common = {**os.environ, **signing, "STREAMML_MODEL_KEY": model_key, "STREAMML_LOG_LEVEL": "INFO"}
    trainer = spawn_service("trainer", logs, kafka, {**common, "STREAMML_GROUP_ID": trainer_group,
                                        "STREAMML_HTTP_PORT": str(free_port())})
    predictor = spawn_service("predictor", logs, kafka, {**common, "STREAMML_GROUP_ID": predictor_group,
                                            "STREAMML_HTTP_PORT": str(free_port())})
    orchestrator = spawn_service("orchestrator", logs, kafka, {
        **common, "STREAMML_HTTP_PORT": str(free_port()), "STREAMML_RUN_ID": match_prefix,
        "STREAMML_SEED": str(SEED), "STREAMML_TRAINING_SAMPLES": str(TRAINING_SAMPLES),
        "STREAMML_CONCURRENT_MATCHES": str(MATCHES), "STREAMML_MAX_MATCHES": str(MATCHES),
        "STREAMML_BALL_INTERVAL_S": str(BALL_INTERVAL_S), "STREAMML_WAIT_FOR_MODEL_S": "90"})
    board = Board()
    try:
        finished = _watch(connection, watched, model_key, match_prefix, board,
                          orchestrator, (trainer, predictor))
    finally:
        codes = {name: stop_service(process) for name, process in
                 (("orchestrator", orchestrator), ("predictor", predictor), ("trainer", trainer))}
        keys = {**os.environ, **signing}
        promoted = (_promote_model(connection, model_key,
                                   Signer.from_file(keys["STREAMML_MODEL_SIGNING_KEY"]))
                    if finished else None)
        _delete_model(connection, model_key)
    if not finished:
        print(f"cricket demo did not complete (exit codes {codes}); logs in {logs}", flush=True)
        return 1
    print_summary(board, time.monotonic() - started)
    if promoted is not None:
        trusted = keys.get("STREAMML_MODEL_TRUSTED_KEYS", "<the signing key's public key>")
        print(f"  this run's model is now v{promoted.version} of '{DEFAULT_MODEL_KEY}': "
              f"STREAMML_MODEL_TRUSTED_KEYS={trusted} streamml predictor serves at once",
              flush=True)
    if any(code != 0 for code in codes.values()):
        print(f"a service did not stop cleanly: exit codes {codes}; logs in {logs}", flush=True)
        return 1
    return 0


def _watch(connection: KafkaConnection, start: Offsets, model_key: str, match_prefix: str,
           board: Board, orchestrator: subprocess.Popen,
           services: tuple[subprocess.Popen, ...]) -> bool:
    consumer = KafkaConsumer(**connection_settings(connection), enable_auto_commit=False,
                             isolation_level="read_committed")
    consumer.assign(list(start))
    for tp, offset in start.items():
        consumer.seek(tp, offset)
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                for record in batch:
                    _take(record.topic, record.value, model_key, match_prefix, board)
            board.print_ready_lines()
            done = (orchestrator.poll() is not None and len(board.matches) >= MATCHES
                    and all(match.complete for match in board.matches.values()))
            if done:
                board.print_ready_lines(flush=True)
                return orchestrator.returncode == 0
            if orchestrator.poll() not in (None, 0) or any(s.poll() is not None for s in services):
                return False
        return False
    finally:
        consumer.close()


def _take(topic: str, value: bytes, model_key: str, match_prefix: str, board: Board) -> None:
    try:
        if topic == STATUS_TOPIC:
            status = decode(ModelStatus, value)
            if status.model_key == model_key:
                board.statuses.append(status)
                _print_status(status)
        elif topic == PREDICTIONS_TOPIC:
            prediction = decode(Prediction, value)
            if prediction.match_id.startswith(match_prefix):
                board.add_prediction(prediction)
        elif topic == RESULTS_TOPIC:
            result = decode(MatchResult, value)
            if result.match_id.startswith(match_prefix):
                board.add_result(result)
    except DecodeError:
        pass  # not ours to judge: the services dead-letter what they cannot read


def _print_status(status: ModelStatus) -> None:
    if status.kind == "model_published":
        print(f"  trainer: model v{status.version} published - trained on {status.train_samples} "
              f"samples in {status.duration_s:.1f} s; held-out ({status.holdout_samples} samples, "
              f"other matches) R² {status.r2:.3f}, MAE {status.mae:.1f} runs; "
              f"skops artifact {status.model_bytes / 1024:.0f} KiB", flush=True)
    else:
        print(f"  trainer: {status.kind.replace('_', ' ')} ({status.detail})", flush=True)


def print_summary(board: Board, duration_s: float) -> None:
    errors = [pair for match in board.matches.values() for pair in match.errors()]
    overall = statistics.fmean(error for _, error in errors)
    late_errors = [error for over, error in errors if over > LATE_FROM_OVER]
    late = statistics.fmean(late_errors) if late_errors else float("nan")
    latencies = [p.latency_ms for match in board.matches.values()
                 for p in match.predictions.values()]
    published = [s for s in board.statuses if s.kind == "model_published"]
    print("\ncricket summary", flush=True)
    for status in published:
        print(f"  model v{status.version}: held-out R² {status.r2:.3f}, MAE {status.mae:.1f} runs "
              f"({status.train_samples} training / {status.holdout_samples} held-out samples, "
              f"{status.model_bytes / 1024:.0f} KiB)")
    print(f"  live: {len(errors)} predictions over {len(board.matches)} matches, every ball "
          f"predicted; error against the actual final score {overall:.1f} runs on average "
          f"(target <= {TARGET_ALL:.0f}: {'met' if overall <= TARGET_ALL else 'MISSED'}), "
          f"{late:.1f} from the 15th over on "
          f"(target <= {TARGET_LATE:.0f}: {'met' if late <= TARGET_LATE else 'MISSED'})")
    print(f"  latency from ball to prediction: median {statistics.median(latencies):.0f} ms")
    print(f"  cricket demo took {duration_s:.0f} s", flush=True)


def _promote_model(connection: KafkaConnection, run_key: str, signer: Signer,
                   target_key: str = DEFAULT_MODEL_KEY) -> CricketModel | None:
    """Republish the run's newest model under ``target_key``, one version above the newest
    there, so that services started by hand with the default key use it (and a trainer
    started by hand keeps counting versions from there)."""
    config = RuntimeConfig(service_name="demo", **dataclasses.asdict(connection))
    keys = {run_key.encode(), target_key.encode()}
    follower = TopicFollower(config, MODELS_TOPIC, lambda record: record.key in keys)
    try:
        records = follower.catch_up()
    finally:
        follower.close()
    target_version = max((header_version(r.headers) or 0 for r in records
                          if r.key == target_key.encode()), default=0)
    model = None
    for record in reversed([r for r in records if r.key == run_key.encode() and r.value]):
        try:
            model = decode_model(record.value, config.max_message_bytes)
            break
        except ArtifactError:
            continue
    if model is None:
        return None
    version = target_version + 1
    payload = encode_model(target_key, version, model.estimator, model.metrics,
                           model.trained_at_ms)
    producer = make_producer(config)
    try:
        producer.send(MODELS_TOPIC, key=target_key.encode(), value=payload,
                      headers=list(model_headers(version, hashlib.sha256(payload).hexdigest())
                                   + signer.headers(payload)))
        status = ModelStatus(
            model_key=target_key, kind="model_published", version=version,
            train_samples=int(model.metrics.get("train_samples", 0)),
            holdout_samples=int(model.metrics.get("holdout_samples", 0)),
            r2=model.metrics.get("r2"), mae=model.metrics.get("mae"), model_bytes=len(payload),
            detail=f"promoted from {run_key} v{model.version}", time_ms=model.trained_at_ms)
        producer.send(STATUS_TOPIC, key=target_key.encode(), value=status.to_bytes())
        producer.flush(30)
    finally:
        producer.close(5)
    return decode_model(payload, config.max_message_bytes)


def _delete_model(connection: KafkaConnection, model_key: str) -> None:
    """A tombstone: compaction removes this run's models from the models topic."""
    producer = KafkaProducer(**connection_settings(connection), acks="all")
    try:
        producer.send(MODELS_TOPIC, key=model_key.encode(), value=None)
        producer.flush(10)
    finally:
        producer.close(5)
