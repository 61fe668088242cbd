"""What the cricket demo leaves behind: its newest model under the default key."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamml.contracts.cricket import ModelStatus, decode_model, header_version
from streamml.demo.cricket import MODELS_TOPIC, STATUS_TOPIC, _promote_model
from streamml.runtime.messages import decode
from streamml.runtime.settings import KafkaConnection
from streamml.runtime.signing import Signer, TrustedKeys, generate
from tests.cricket.models import model_record
from tests.helpers import produce, read_all

pytestmark = pytest.mark.broker


def test_the_run_model_is_republished_above_the_newest_version_of_the_target_key(
        broker: str, unique: str, tmp_path: Path) -> None:
    run_key, target_key = f"run-{unique}", f"target-{unique}"
    key, value, headers = model_record(target_key, 5)
    produce(broker, MODELS_TOPIC, [(key, value)], headers)
    for version in (1, 2):
        key, value, headers = model_record(run_key, version)
        produce(broker, MODELS_TOPIC, [(key, value)], headers)

    private_key, public_key, _ = generate(tmp_path, "promotion")
    promoted = _promote_model(KafkaConnection(bootstrap_servers=broker), run_key,
                              Signer.from_file(private_key), target_key)

    assert promoted is not None and promoted.version == 6 and promoted.model_key == target_key
    records = read_all(broker, MODELS_TOPIC,
                       lambda rs: sum(r.key == target_key.encode() for r in rs) >= 2)
    newest = [r for r in records if r.key == target_key.encode()][-1]
    assert header_version(newest.headers) == 6
    TrustedKeys.from_files([public_key]).verify(newest.value, newest.headers)  # signed
    model = decode_model(newest.value, 16 * 1024 * 1024)
    assert model.version == 6 and model.metrics["mae"] == 9.0
    # ...and reported like a trainer's publication, for the watch and hand-started services
    statuses = read_all(broker, STATUS_TOPIC,
                        lambda rs: any(r.key == target_key.encode() for r in rs))
    report = decode(ModelStatus, [r for r in statuses if r.key == target_key.encode()][-1].value)
    assert (report.kind, report.version, report.mae) == ("model_published", 6, 9.0)


def test_nothing_is_promoted_when_the_run_published_no_model(
        broker: str, unique: str, tmp_path: Path) -> None:
    private_key, _, _ = generate(tmp_path, "promotion")
    assert _promote_model(KafkaConnection(bootstrap_servers=broker), f"run-{unique}",
                          Signer.from_file(private_key),
                          f"target-{unique}") is None
