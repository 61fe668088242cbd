"""The workshop's predictor loop, for comparison only (never used by streamml itself).

The seed's shape, kept on purpose: iterate the consumer one message at a time, build one
feature row, call ``predict`` on that single row, send the prediction and ``flush()`` after
every message. The one change: the model is the one streamml's trainer published (read once
from the models topic and verified like the predictor does), not a pickle file on disk, so
both loops predict with the same trained model.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
from kafka import KafkaConsumer, KafkaProducer

from streamml.contracts.cricket import DEFAULT_MODEL_KEY, FEATURES, decode_model
from streamml.runtime.model_topic import TopicFollower
from streamml.runtime.settings import RuntimeConfig


def load_model(bootstrap: str, models_topic: str, model_key: str):
    config = RuntimeConfig(bootstrap_servers=bootstrap, service_name="bench-workshop")
    follower = TopicFollower(config, models_topic, lambda r: r.key == model_key.encode())
    try:
        records = [r for r in follower.catch_up() if r.value is not None]
    finally:
        follower.close()
    if not records:
        raise SystemExit(f"no model {model_key!r} on {models_topic}")
    return decode_model(records[-1].value, config.max_message_bytes).estimator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--source", default="cricket.match-events")
    parser.add_argument("--sink", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--models-topic", default="cricket.models")
    parser.add_argument("--model-key", default=DEFAULT_MODEL_KEY)
    args = parser.parse_args(argv)

    model = load_model(args.bootstrap, args.models_topic, args.model_key)
    consumer = KafkaConsumer(args.source, bootstrap_servers=args.bootstrap, group_id=args.group,
                             auto_offset_reset="earliest",
                             value_deserializer=lambda v: json.loads(v.decode("utf-8")))
    producer = KafkaProducer(bootstrap_servers=args.bootstrap,
                             value_serializer=lambda v: json.dumps(v).encode("utf-8"))
    for message in consumer:
        state = message.value
        features = np.array([[state[name] for name in FEATURES]])
        predicted = model.predict(features)[0]
        producer.send(args.sink, {"event_id": state["event_id"],
                                  "event_time_ms": state["event_time_ms"],
                                  "predicted_final_score": round(float(predicted))})
        producer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
