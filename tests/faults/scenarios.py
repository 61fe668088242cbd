"""The fault scenarios: each runs seeded traffic through two real predictors on the suite's
broker, injects one fault a third of the way in, and counts what came out.

Counted by event_id on the predictions topic, read with isolation_level=read_committed:
sent (acknowledged by the broker), outputs, lost (sent, never predicted: must be 0),
duplicated (predicted more than once: must be 0 under exactly-once), and the worst delay of
one event from being sent to its prediction being readable (the time to recover).
"""

from __future__ import annotations

import signal
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from streamml.runtime.clients import topic_partitions
from tests.cricket.models import model_record
from tests.faults.harness import (
    Broker,
    OutputReader,
    Service,
    Topics,
    Traffic,
    dead_letter_reasons,
    new_run_id,
    read_topic,
    wait_until,
)

MODEL_KEY = "faults"
# The zombie must stay stopped past the session timeout (kafka-python's default, 10 s).
SESSION_TIMEOUT_S = 10.0
# Poison: a predictor whose requests may hold 1,000,000 bytes gets an input of 999,900 bytes
# (under the broker's 1 MiB limit): its dead letter, with headers, is too large to send.
POISON_LIMIT = 1_000_000
POISON_BYTES = 999_900


@dataclass(frozen=True)
class Size:
    events: int
    rate: float


FULL = Size(events=3000, rate=150)
REDUCED = Size(events=900, rate=100)


@dataclass
class Result:
    scenario: str
    guarantee: str
    sent: int
    outputs: int
    lost: int
    duplicated: int
    p50_delay_s: float
    worst_delay_s: float
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.lost == 0 and (self.guarantee == "at-least-once" or self.duplicated == 0)


class Run:
    """One scenario in one guarantee mode: its own topics and consumer group."""

    def __init__(self, broker: Broker, guarantee: str, size: Size, log_dir: Path,
                 replicas: int = 2, **settings: str) -> None:
        self.broker = broker
        self.guarantee = guarantee
        self.size = size
        self.run_id = new_run_id()
        self.topics = Topics.create(broker.bootstrap, self.run_id)
        self._publish_model()
        env = {"STREAMML_BOOTSTRAP_SERVERS": broker.bootstrap, **self.topics.env(),
               "STREAMML_MODEL_KEY": MODEL_KEY, "STREAMML_GROUP_ID": f"f-{self.run_id}",
               "STREAMML_PROCESSING_GUARANTEE": guarantee, "STREAMML_SUMMARY_INTERVAL_S": "0",
               **settings}
        self.predictors = [
            Service("predictor", {**env, "STREAMML_TRANSACTIONAL_ID": f"f-{self.run_id}-{i}"},
                    log_dir / f"{self.run_id}-predictor-{i}.log")
            for i in range(replicas)]
        if not wait_until(lambda: all(p.ready() for p in self.predictors), 180):
            raise RuntimeError(f"predictors not ready; see {log_dir}")
        self.reader = OutputReader(broker.bootstrap, self.topics.predictions)
        self.traffic = Traffic(broker.bootstrap, self.topics.events, self.run_id,
                               size.events, size.rate)

    def _publish_model(self) -> None:
        from kafka import KafkaProducer

        key, value, headers = model_record(MODEL_KEY, 1)
        producer = KafkaProducer(bootstrap_servers=self.broker.bootstrap, acks="all",
                                 max_request_size=16 * 1024 * 1024)
        producer.send(self.topics.models, key=key, value=value, headers=headers).get(60)
        producer.close()

    def at_fault_point(self) -> None:
        """Returns once a third of the traffic is acknowledged."""
        wait_until(lambda: self.traffic.sent >= self.size.events // 3, 300, every_s=0.05)

    def finish(self, scenario: str, note: str = "", settle_s: float = 240) -> Result:
        self.traffic.join(600)
        sent = dict(self.traffic.sent_at)
        wait_until(lambda: all(event_id in self.reader.counts for event_id in sent), settle_s,
                   every_s=0.5)
        # Late duplicates (a zombie's retry) have a moment to show up.
        time.sleep(2)
        for predictor in self.predictors:
            predictor.stop()
        self.reader.close()
        counts = self.reader.counts
        ours = {event_id: counts[event_id] for event_id in sent}
        delays = [self.reader.first_seen[event_id] - sent[event_id]
                  for event_id in sent if event_id in self.reader.first_seen]
        return Result(
            scenario=scenario, guarantee=self.guarantee, sent=len(sent),
            outputs=sum(counts.values()),
            lost=sum(1 for n in ours.values() if n == 0),
            duplicated=sum(n - 1 for n in ours.values() if n > 1),
            p50_delay_s=round(statistics.median(delays), 2) if delays else float("nan"),
            worst_delay_s=round(max(delays), 1) if delays else float("nan"),
            note=note)


def kill_predictor(broker: Broker, guarantee: str, size: Size, log_dir: Path) -> Result:
    run = Run(broker, guarantee, size, log_dir)
    run.traffic.start()
    run.at_fault_point()
    victim = run.predictors[0]
    victim.kill()
    time.sleep(3)  # the kubelet restarts the container in the same pod (same name)
    victim.start()
    return run.finish("SIGKILL one predictor of two, restart it")


def stop_predictor(broker: Broker, guarantee: str, size: Size, log_dir: Path) -> Result:
    run = Run(broker, guarantee, size, log_dir)
    run.traffic.start()
    run.at_fault_point()
    zombie = run.predictors[0]
    zombie.signal(signal.SIGSTOP)
    time.sleep(SESSION_TIMEOUT_S + 5)
    zombie.signal(signal.SIGCONT)
    return run.finish(f"SIGSTOP one predictor for {SESSION_TIMEOUT_S + 5:.0f} s, then SIGCONT")


def kill_broker(broker: Broker, guarantee: str, size: Size, log_dir: Path) -> Result:
    run = Run(broker, guarantee, size, log_dir)
    run.traffic.start()
    run.at_fault_point()
    broker.kill()
    time.sleep(3)
    broker.start()
    return run.finish("SIGKILL the broker, restart it")


def sigterm_in_burst(broker: Broker, guarantee: str, size: Size, log_dir: Path) -> Result:
    burst = Size(events=size.events, rate=size.rate * 4)
    run = Run(broker, guarantee, burst, log_dir)
    run.traffic.start()
    run.at_fault_point()
    code, took_s = run.predictors[0].terminate()
    run.predictors[0].start()
    return run.finish("SIGTERM one predictor during a burst",
                      note=f"exit code {code}, drained in {took_s:.1f} s (grace 30 s)")


def poison_output(broker: Broker, guarantee: str, size: Size, log_dir: Path) -> Result:
    run = Run(broker, guarantee, size, log_dir, STREAMML_MAX_MESSAGE_BYTES=str(POISON_LIMIT),
              STREAMML_MAX_MODEL_BYTES=str(POISON_LIMIT))
    run.traffic.extra.append((b"poison", b"\xff" * POISON_BYTES))
    run.traffic.start()
    result = run.finish("poison: an input whose dead letter exceeds the request size")
    reasons = dead_letter_reasons(broker.bootstrap, run.topics.events)
    result.note = "dead letters: " + (", ".join(f"{reason} {n}" for reason, n in
                                                  sorted(reasons.items())) or "none")
    if reasons.get("output_too_large", 0) < 1:
        result.lost += 1  # the poison input itself vanished
    return result


def _kill_trainer(broker: Broker, guarantee: str, size: Size, log_dir: Path, during: str
                  ) -> Result:
    """Four rounds of training data; the trainer is SIGKILLed in the second round, during the
    fit or right after it (while publishing), and restarted. Counted by model version: every
    version announced as published must be on the models topic (lost), none twice
    (duplicated), and versions never skip a number."""
    from kafka import KafkaProducer

    from streamml.contracts.cricket import ModelStatus, header_version
    from streamml.orchestrator.training import generate_training_samples
    from streamml.runtime.messages import decode

    run_id = new_run_id()
    training, models, status = (f"f-{run_id}-{name}" for name in ("training", "models", "status"))
    from streamml.runtime.admin import admin_client

    with admin_client(broker.bootstrap) as admin:
        admin.create_topics({
            training: {"num_partitions": 6, "replication_factor": 1},
            models: {"num_partitions": 1, "replication_factor": 1,
                     "configs": {"cleanup.policy": "compact", "max.message.bytes": "16777216"}},
            status: {"num_partitions": 1, "replication_factor": 1}})
        admin.wait_for_topics([training, models, status], timeout_ms=60000)
    trainer = Service("trainer", {
        "STREAMML_BOOTSTRAP_SERVERS": broker.bootstrap, "STREAMML_TRAINING_TOPIC": training,
        "STREAMML_MODELS_TOPIC": models, "STREAMML_STATUS_TOPIC": status,
        "STREAMML_MODEL_KEY": MODEL_KEY, "STREAMML_GROUP_ID": f"f-{run_id}",
        "STREAMML_TRANSACTIONAL_ID": f"f-{run_id}-trainer", "STREAMML_LEARN_FROM_MATCHES": "false",
        "STREAMML_PROCESSING_GUARANTEE": guarantee, "STREAMML_SUMMARY_INTERVAL_S": "0",
        "STREAMML_MIN_SAMPLES": "300", "STREAMML_RETRAIN_MIN_NEW_SAMPLES": "300",
        "STREAMML_MAX_TRAIN_DELAY_S": "1", "STREAMML_N_ESTIMATORS": "80",
        "STREAMML_MAX_DEPTH": "14", "STREAMML_PUBLISH_TOLERANCE": "1000"},
        log_dir / f"{run_id}-trainer.log")
    if not wait_until(trainer.ready, 180):
        raise RuntimeError(f"trainer not ready; see {trainer.log_path}")
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    started = time.time()
    sent = 0
    recovered_s = float("nan")
    for round_ in range(4):
        trained_before = trainer.log_count('"candidate trained"')
        for sample in generate_training_samples(300, 4, seed=100 + round_, id_prefix=f"r{round_}"):
            producer.send(training, key=sample.match_id.encode(), value=sample.to_bytes())
        producer.flush(60)
        sent += 300
        if round_ == 1:
            if during == "fit":
                wait_until(lambda: trainer.metric("streamml_messages_consumed_total") >= sent, 120,
                           every_s=0.05)
            else:
                wait_until(lambda: trainer.log_count('"candidate trained"') > trained_before, 120,
                           every_s=0.02)
            trainer.kill()
            killed_at = time.time()
            trainer.start()
            wait_until(trainer.ready, 180)
            recovered_s = time.time() - killed_at
        else:
            wait_until(lambda: trainer.log_count('"candidate trained"') > trained_before, 180)
    producer.close()
    time.sleep(2)
    trainer.stop()
    versions = [header_version(r.headers) for r in read_topic(broker.bootstrap, models)]
    published = [decode(ModelStatus, r.value).version for r in read_topic(broker.bootstrap, status)
                 if b'"model_published"' in r.value]
    on_topic = Counter(v for v in versions if v is not None)
    expected = set(range(1, max(on_topic, default=0) + 1))
    note = (f"model versions on the topic {sorted(on_topic)}; published statuses "
            f"{sorted(published)}; trainer back in {recovered_s:.1f} s")
    return Result(
        scenario=f"SIGKILL the trainer during {'the fit' if during == 'fit' else 'the publish'}",
        guarantee=guarantee, sent=len(set(published)), outputs=sum(on_topic.values()),
        lost=len(set(published) - set(on_topic)) + len(expected - set(on_topic)),
        duplicated=sum(n - 1 for n in on_topic.values() if n > 1),
        p50_delay_s=float("nan"), worst_delay_s=round(time.time() - started, 1), note=note)


def kill_trainer_fit(broker: Broker, guarantee: str, size: Size, log_dir: Path) -> Result:
    return _kill_trainer(broker, guarantee, size, log_dir, "fit")


def kill_trainer_publish(broker: Broker, guarantee: str, size: Size, log_dir: Path) -> Result:
    return _kill_trainer(broker, guarantee, size, log_dir, "publish")




# The detector publishes anomalies, not a verdict per reading. A reading counts as handled
# when the group's committed offset has passed it (under exactly-once, committed in the same
# transaction as its anomalies); each injected spike, a reading 20 °C off its sensor's steady
# signal, must come out as exactly one anomaly for its (sensor_id, seq).
DETECTOR_SENSORS = 12
DETECTOR_WARMUP = 60
SPIKE_EVERY = 25
SPIKE_C = 20.0


def _sensor_readings(run_id: str, per_sensor: int, seed: int) -> tuple[list, set]:
    """Readings round-robin over the sensors, each sensor's in seq order, and the injected
    spikes' (sensor_id, seq): after the warm-up, never a sensor's last reading (a spike is
    decided when the next reading returns)."""
    import random

    from streamml.contracts.weather import SensorReading

    rng = random.Random(seed)
    # Event times end about now: a detector forgets sensors idle for sensor_idle_s.
    start_ms = int(time.time() * 1000) - per_sensor * 1000
    readings, spikes = [], set()
    for seq in range(per_sensor):
        for sensor in range(DETECTOR_SENSORS):
            sensor_id = f"f-{run_id}-{sensor:02d}"
            spike = (DETECTOR_WARMUP + 5 <= seq < per_sensor - 2
                     and (seq - DETECTOR_WARMUP) % SPIKE_EVERY == 0)
            if spike:
                spikes.add((sensor_id, seq))
            readings.append(SensorReading(
                sensor_id=sensor_id, seq=seq, ts_ms=start_ms + seq * 1000,
                temperature_c=round(18 + sensor * 0.5 + rng.gauss(0, 0.3)
                                    + (SPIKE_C if spike else 0), 2),
                humidity_pct=round(55 + rng.gauss(0, 1.0), 2),
                pressure_hpa=round(1013 + rng.gauss(0, 0.3), 2)))
    return readings, spikes


def _group_lag(bootstrap: str, group: str, topic: str) -> int | None:
    """Readings of ``topic`` past the group's committed offsets (all of them if none); None
    while the group's coordinator cannot answer (a fresh broker, a rebalance)."""
    from kafka import KafkaConsumer
    from kafka.errors import KafkaError

    from streamml.runtime.admin import admin_client

    try:
        with admin_client(bootstrap) as admin:
            committed = admin.list_group_offsets({group: None}).get(group, {})
    except KafkaError:
        return None
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        end = consumer.end_offsets(topic_partitions(consumer, topic))
    finally:
        consumer.close()
    return sum(end_offset - (committed[tp].offset if tp in committed else 0)
               for tp, end_offset in end.items())


def kill_detector(broker: Broker, guarantee: str, size: Size, log_dir: Path) -> Result:
    """Two detectors in one group; one is SIGKILLed a third of the way in and restarted."""
    from kafka import KafkaProducer

    from streamml.runtime.admin import admin_client

    run_id = new_run_id()
    readings_topic, anomalies_topic = f"f-{run_id}-readings", f"f-{run_id}-anomalies"
    with admin_client(broker.bootstrap) as admin:
        admin.create_topics({name: {"num_partitions": 6, "replication_factor": 1}
                             for name in (readings_topic, anomalies_topic)})
        admin.wait_for_topics([readings_topic, anomalies_topic], timeout_ms=60000)
    group = f"f-{run_id}"
    env = {"STREAMML_BOOTSTRAP_SERVERS": broker.bootstrap, "STREAMML_GROUP_ID": group,
           "STREAMML_READINGS_TOPIC": readings_topic, "STREAMML_ANOMALIES_TOPIC": anomalies_topic,
           "STREAMML_WARMUP": str(DETECTOR_WARMUP), "STREAMML_PROCESSING_GUARANTEE": guarantee,
           "STREAMML_SUMMARY_INTERVAL_S": "0"}
    detectors = [Service("detector", {**env, "STREAMML_TRANSACTIONAL_ID": f"{group}-{i}"},
                         log_dir / f"{run_id}-detector-{i}.log") for i in range(2)]
    readings, spikes = _sensor_readings(
        run_id, DETECTOR_WARMUP + size.events // DETECTOR_SENSORS, seed=7)
    warmup = DETECTOR_WARMUP * DETECTOR_SENSORS
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    reader = OutputReader(broker.bootstrap, anomalies_topic,
                          key_of=lambda anomaly: (anomaly["sensor_id"], anomaly["seq"]))
    sent_at: dict[tuple[str, int], float] = {}

    def send(reading) -> None:
        producer.send(readings_topic, key=reading.sensor_id.encode(), value=reading.to_bytes())
        sent_at[(reading.sensor_id, reading.seq)] = time.time()

    for reading in readings[:warmup]:
        send(reading)
    producer.flush(60)
    # Every warm-up reading handled (a detector owning no sensor's partition is never ready).
    if not wait_until(lambda: _group_lag(broker.bootstrap, group, readings_topic) == 0, 180,
                      every_s=1):
        raise RuntimeError(f"detectors did not handle the warm-up; see {log_dir}")
    rest = readings[warmup:]
    for i, reading in enumerate(rest):
        if i == len(rest) // 3:
            producer.flush(60)
            detectors[0].kill()
            time.sleep(3)  # the kubelet restarts the container in the same pod
            detectors[0].start()
        send(reading)
        time.sleep(1 / size.rate)
    producer.flush(60)
    producer.close()

    def spikes_out_and_committed() -> bool:
        return spikes <= set(reader.first_seen) and _group_lag(
            broker.bootstrap, group, readings_topic) == 0

    wait_until(spikes_out_and_committed, 240, every_s=1)
    time.sleep(2)  # late duplicates have a moment to show up
    for detector in detectors:
        detector.stop()
    reader.close()
    seen, first_seen = reader.counts, reader.first_seen
    lag: list[int | None] = [None]

    def lag_known() -> bool:
        lag[0] = _group_lag(broker.bootstrap, group, readings_topic)
        return lag[0] is not None

    wait_until(lag_known, 60, every_s=1)
    uncommitted = len(readings) if lag[0] is None else lag[0]
    delays = [first_seen[key] - sent_at[key] for key in spikes if key in first_seen]
    return Result(
        scenario="SIGKILL one detector of two, restart it",
        guarantee=guarantee, sent=len(spikes), outputs=sum(seen[key] for key in spikes),
        lost=sum(1 for key in spikes if seen[key] == 0) + uncommitted,
        duplicated=sum(seen[key] - 1 for key in spikes if seen[key] > 1),
        p50_delay_s=round(statistics.median(delays), 2) if delays else float("nan"),
        worst_delay_s=round(max(delays), 1) if delays else float("nan"),
        note=f"{len(readings)} readings, {len(spikes)} injected spikes counted; readings past "
             f"the committed offsets at the end: {uncommitted}")


SCENARIOS: dict[str, Callable[[Broker, str, Size, Path], Result]] = {
    "kill-predictor": kill_predictor,
    "stop-predictor": stop_predictor,
    "kill-broker": kill_broker,
    "sigterm-burst": sigterm_in_burst,
    "poison-output": poison_output,
    "kill-trainer-fit": kill_trainer_fit,
    "kill-trainer-publish": kill_trainer_publish,
    "kill-detector": kill_detector,
}
# make test runs these at the reduced size (about 4 minutes with both guarantees).
REDUCED_SCENARIOS = ("kill-predictor", "poison-output")
GUARANTEES = ("at-least-once", "exactly-once")
