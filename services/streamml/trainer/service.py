from __future__ import annotations

import logging

from streamml.runtime.clients import connect_with_backoff
from streamml.runtime.model_topic import TopicFollower
from streamml.runtime.service import ServiceContext, run_stream
from streamml.runtime.signing import Signer, TrustedKeys
from streamml.trainer.config import TrainerConfig
from streamml.trainer.handler import TrainerHandler
from streamml.trainer.incumbent import read_incumbent
from streamml.trainer.metrics import TrainerMetrics

log = logging.getLogger(__name__)


def serve(config: TrainerConfig, context: ServiceContext, signer: Signer,
          trusted: TrustedKeys) -> None:
    follower = connect_with_backoff(
        lambda: TopicFollower(config, config.models_topic,
                              lambda record: record.key == config.model_key.encode()),
        context.stop, "models-reader", config.connect_backoff_max_s)
    if follower is None:
        return
    try:
        incumbent = read_incumbent(follower, config.max_model_bytes, trusted)
    finally:
        follower.close()
    log.info("starting", extra={
        "model_key": config.model_key, "signing_key_id": signer.key_id, "last_version": incumbent.last_version,
        "incumbent_version": incumbent.model.version if incumbent.model else None})
    for field, sample in (("model_version", "streamml_trainer_model_version"),
                          ("holdout_mae", "streamml_trainer_holdout_mae_runs"),
                          ("holdout_r2", "streamml_trainer_holdout_r2"),
                          ("open_matches", "streamml_trainer_open_matches")):
        context.summary.add_gauge(field, sample)
    handler = TrainerHandler(config, TrainerMetrics.create(context.registry), incumbent.model,
                             incumbent.last_version, signer)
    run_stream(context, handler)
