"""At start-up: the model in use (newest valid version on the models topic) and the highest
version ever announced, so that version numbers keep growing across restarts."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from streamml.contracts.cricket import CricketModel, decode_model, header_version
from streamml.runtime.artifacts import ArtifactError
from streamml.runtime.model_topic import TopicFollower
from streamml.runtime.signing import TrustedKeys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incumbent:
    model: CricketModel | None
    last_version: int


def read_incumbent(follower: TopicFollower, max_model_bytes: int,
                   trusted: TrustedKeys) -> Incumbent:
    # The newest two per key: a newest artifact that fails verification falls back to one.
    records = follower.catch_up(keep_per_key=2)
    last_version = max((header_version(r.headers) or 0 for r in records), default=0)
    for record in reversed(records):
        if record.value is None:
            continue
        try:
            trusted.verify(record.value, record.headers)
            model = decode_model(record.value, max_model_bytes)
        except ArtifactError as exc:
            log.warning("skipping a model record that fails verification",
                        extra={"offset": record.offset, "reason": exc.reason})
            continue
        return Incumbent(model, max(last_version, model.version))
    return Incumbent(None, last_version)
